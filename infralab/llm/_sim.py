"""``SimChatModel``: the simulated provider, a real LangChain chat model on virtual time."""

from __future__ import annotations

import hashlib
import importlib
import inspect
import json
import re
import threading
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass
from operator import is_, itemgetter
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.utils.function_calling import convert_to_json_schema, convert_to_openai_tool
from langchain_core.utils.pydantic import is_basemodel_subclass
from pydantic import ConfigDict, Field, PrivateAttr, field_validator, model_validator

from infralab.clock import Clock, current_clock
from infralab.llm._binding import SimBinding
from infralab.llm._catalog import ModelProfile, get_profile
from infralab.llm._draw import Draws, Reply, canonical
from infralab.llm._request import BoundTools, Request, text_of
from infralab.llm._rollout import Rollout
from infralab.llm._rules import rules_reply
from infralab.llm._script import ScriptExhaustedError, check_item, to_reply
from infralab.llm._tokens import _tool_calls_tokens, count_message_tokens, count_tokens
from infralab.llm.errors import APITimeoutError, ContextLengthExceededError

__all__ = ["SimChatModel", "DEFAULT_PROFILE", "PROVIDER"]

#: The profile a ``SimChatModel()`` uses when none is named.
DEFAULT_PROFILE = "sim-large@2026-11"
#: What ``response_metadata["model_provider"]`` and ``ls_provider`` say.
PROVIDER = "infralab-sim"

# One lock for every model's script position: a per-instance lock would make the model
# impossible to deepcopy or pickle, and contention on it is negligible.
_SCRIPT_LOCK = threading.Lock()


def _message_key(m: BaseMessage) -> str:
    """The parts of a message that make it "the same input": never its random ``id``."""
    content = m.content if isinstance(m.content, str) else canonical(m.content)
    parts = [m.type, content]
    # isinstance, not getattr: a missing attribute on a Pydantic model is slow to look up.
    if isinstance(m, AIMessage) and m.tool_calls:
        parts.append(canonical([[c["name"], c.get("args"), c.get("id")] for c in m.tool_calls]))
    elif isinstance(m, ToolMessage):
        parts.append(m.tool_call_id)
    if m.name:
        parts.append(m.name)
    return "\x1e".join(parts)


def _tools_digest(bound: BoundTools | None) -> tuple[str, int]:
    """Digest and token count of a binding's tool list (the JSON dump of its schemas).

    Computed once per binding (kept on its :class:`BoundTools`), so an agent loop pays for
    the dump once.
    """
    if bound is None:
        return "", 0
    hit = bound.memo.get("sim_digest")
    if hit is None:
        text = canonical(list(bound.items))
        digest = hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
        hit = bound.memo["sim_digest"] = (digest, count_tokens(text))
    return hit


def _options_text(bound: BoundTools | None, *options: Any) -> str:
    """``canonical`` of (tool_choice, response_format, response_schema) for the draws, or ""
    when none is given; kept on the binding's :class:`BoundTools` for the options it passes
    on every call (checked by identity, like its tools)."""
    if all(o is None for o in options):
        return ""
    if bound is not None:
        hit = bound.memo.get("sim_options")
        if hit is not None and all(map(is_, hit[0], options)):
            return str(hit[1])
    text = canonical(list(options))
    if bound is not None:
        bound.memo["sim_options"] = (options, text)
    return text


# convert_to_openai_tool builds Pydantic subset models and JSON schemas (~10 ms for a tool
# with a few arguments), and create_agent re-binds its tools before every model call.
_CONVERTED: dict[tuple[Any, ...], tuple[object, dict[str, Any]]] = {}
_CONVERTED_LOCK = threading.Lock()


def _convert_tool(tool: Any, strict: bool | None) -> dict[str, Any]:
    """``convert_to_openai_tool``, memoized for tools whose schema cannot change under us.

    A ``BaseTool``'s OpenAI form depends only on its class, name, description and argument
    schema class, so two SupportDesk instances share an entry; classes and functions are keyed
    by identity. The entry holds a reference, so the id is not reused while it is cached.
    """
    from langchain_core.tools import BaseTool

    if isinstance(tool, BaseTool) and isinstance(tool.args_schema, type):
        anchor: object = tool.args_schema
        key: tuple[Any, ...] = (type(tool), tool.name, tool.description, id(anchor), strict)
    elif isinstance(tool, type) or inspect.isfunction(tool):
        anchor, key = tool, ("obj", id(tool), strict)
    else:
        return convert_to_openai_tool(tool, strict=strict)
    hit = _CONVERTED.get(key)
    if hit is not None and hit[0] is anchor:
        return hit[1]
    converted = convert_to_openai_tool(tool, strict=strict)
    with _CONVERTED_LOCK:
        if len(_CONVERTED) >= 1024:
            _CONVERTED.clear()
        _CONVERTED[key] = (anchor, converted)
    return converted


@dataclass
class _Call:
    """One call in flight: what was asked and what the provider decided so far."""

    req: Request
    profile: ModelProfile
    draws: Draws
    input_tokens: int
    fault: Any


@dataclass
class _Built:
    message: AIMessage
    first_token_s: float
    per_token_s: float


def _truncate_to_tokens(text: str, limit: int) -> str:
    """The longest prefix of ``text`` (cut at a word boundary) within ``limit`` tokens."""
    if count_tokens(text) <= limit:
        return text
    words = re.findall(r"\S+\s*", text)
    lo, hi = 0, len(words)
    while lo < hi:  # binary search on the number of words kept
        mid = (lo + hi + 1) // 2
        if count_tokens("".join(words[:mid])) <= limit:
            lo = mid
        else:
            hi = mid - 1
    return "".join(words[:lo]).rstrip()


def _cut_tool_calls(
    calls: list[dict[str, Any]], budget: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Tool calls that fit in ``budget`` output tokens, and the one cut off (as an invalid tool
    call whose arguments are truncated JSON, as a provider returns at ``max_tokens``)."""
    kept: list[dict[str, Any]] = []
    for call in calls:
        cost = _tool_calls_tokens([call])
        if cost <= budget:
            kept.append(call)
            budget -= cost
            continue
        text = json.dumps(call["args"])
        room = max(0, budget - 3 - count_tokens(call["name"]))
        cut = text[: next(i for i in range(len(text), -1, -1) if count_tokens(text[:i]) <= room)]
        invalid = {
            "name": call["name"],
            "args": cut,
            "id": call["id"],
            "error": None,
            "type": "invalid_tool_call",
        }
        return kept, [invalid]
    return kept, []


_IMPORTED: dict[str, Any] = {}


def _imported(name: str) -> Any:
    """``from <module> import <attr>`` for a dotted ``name``, imported on first use.

    For the simulator's parts that are heavy to import at start-up (the oracle, the feature
    detectors); an import statement in a function costs ~0.45 µs on every call.
    """
    found = _IMPORTED.get(name)
    if found is None:
        module, _, attr = name.rpartition(".")
        found = _IMPORTED[name] = getattr(importlib.import_module(module), attr)
    return found


def _prompt_schema(messages: list[BaseMessage]) -> dict[str, Any] | None:
    """The JSON format the system prompt or the last user message asks for, if any."""
    parts: list[Any] = []  # the system prompts in order, then the last user message
    last = None
    for m in messages:
        if isinstance(m, SystemMessage):
            parts.append(m.content)
        elif isinstance(m, HumanMessage):
            last = m
    if last is not None:
        parts.append(last.content)
    if len(parts) == 1 and type(parts[0]) is str:
        text = parts[0]
    else:
        text = "\n".join(map(text_of, parts))
    if "json" not in text.casefold():
        return None
    schema: dict[str, Any] | None = _imported("infralab.llm._features.prompt_json_schema")(text)
    return schema


_FINDER: list[Callable[[str], Any]] = []  # the dataset's find_scenario, once imported


def _default_finder() -> Callable[[str], Any] | None:
    if _FINDER:  # an import statement per call costs more than the lookup it guards
        return _FINDER[0]
    try:
        from infralab.datasets import find_scenario
    except ModuleNotFoundError as exc:  # only a missing package turns the oracle off
        if exc.name and exc.name.startswith("infralab.datasets"):
            return None
        raise
    _FINDER.append(find_scenario)
    return find_scenario


class SimChatModel(BaseChatModel):
    """The simulated LLM provider: a LangChain chat model that runs offline on virtual time.

    Works wherever a hosted chat model does: ``invoke``/``ainvoke``, ``stream``/``astream``,
    ``bind_tools``, ``with_structured_output``, LangGraph graphs and
    ``langchain.agents.create_agent``. For each call it:

    1. counts input tokens (:func:`count_message_tokens`, plus bound tool schemas) and raises
       :class:`~infralab.llm.errors.ContextLengthExceededError` over the context window;
    2. asks ``fault_plan.before_call(model=..., input_tokens=..., now=...)``, sleeps the
       returned ``extra_latency`` on the current clock and raises its ``error``, if any;
    3. produces the reply from the ``script``; else the scenario oracle (a request whose
       first human message is a dataset scenario's message is answered from its ground
       truth, bent by the profile's error rates); else deterministic free-text rules;
    4. sleeps the profile's latency (a deterministic draw) on the current clock;
    5. returns an ``AIMessage`` with ``usage_metadata`` and ``response_metadata``
       (``model_name``, ``model_version``, ``model_provider``, ``cost_usd``,
       ``finish_reason``).

    The same profile, seed and input give the same output in any process and call order.

    Args:
        profile: a profile id or bare name (``"sim-small"`` = newest), or a
            :class:`ModelProfile`. Stored as ``model_name``; LangChain's own ``profile``
            attribute then holds the capability dict LangChain expects (context window,
            tool calling, structured output). Or a :class:`Rollout` (a silent model update):
            ``model_name`` is then the alias, and each call is served by the version current
            on the clock at its start, which ``response_metadata`` reports (``model_name``,
            ``model_version``, plus ``requested_model``: the alias).
        seed: varies every draw; runs with different seeds make different mistakes.
        script: outputs in call order. Each item is a str, an ``AIMessage``, a dict
            ``{"content": ..., "tool_calls": [{"name", "args"}]}``, or an exception to
            raise. Or a callable ``fn(messages, tools)`` that returns such an item per call
            (None falls through to the oracle and rules). A list that runs out raises
            :class:`ScriptExhaustedError`.
        fault_plan: an :class:`infralab.faults.FaultPlan` (anything with ``before_call``).
        oracle: None for the dataset's ``find_scenario``; a callable ``text -> scenario or
            None`` to use other scenarios; False to turn the oracle off.
        timeout: the client-side timeout in seconds (None: wait as long as it takes), like
            the ``timeout`` of the OpenAI and Anthropic clients. A call whose latency (fault
            delay plus response time; for streams, until the first chunk) would exceed it
            waits ``timeout`` seconds on the current clock and raises
            :class:`~infralab.llm.errors.APITimeoutError`. Used in lab ``a2-resilience``.
        max_tokens: the output-token cap of every call (None: the profile's
            ``max_output_tokens``), like ``ChatOpenAI(max_tokens=...)``; a call's own
            ``max_tokens`` (``.bind(max_tokens=...)``) wins. Text is cut at the cap
            (``finish_reason="length"``); a tool call that does not fit comes back in
            ``invalid_tool_calls`` with its JSON arguments truncated.

    Introduced in lab ``00-orientation``.

    Example:
        >>> llm = SimChatModel(script=["Hello!", {"tool_calls": [{"name": "f", "args": {}}]}])
        >>> llm.invoke("hi").content
        'Hello!'
    """

    model_name: str = Field(default=DEFAULT_PROFILE, alias="model")
    seed: int = 0
    script: list[Any] | Callable[..., Any] | None = None
    fault_plan: Any = None
    oracle: Any = None
    timeout: float | None = Field(default=None, gt=0)
    max_tokens: int | None = Field(default=None, gt=0)
    custom_profile: ModelProfile | None = Field(default=None, exclude=True, repr=False)
    rollout: Rollout | None = Field(default=None, exclude=True, repr=False)

    model_config = ConfigDict(populate_by_name=True, arbitrary_types_allowed=True)

    _script_pos: int = PrivateAttr(default=0)
    _sim: ModelProfile | None = PrivateAttr(default=None)

    # -- construction ------------------------------------------------------------------

    @model_validator(mode="before")
    @classmethod
    def _profile_argument(cls, data: Any) -> Any:
        # ``profile=`` is the documented argument, but BaseChatModel already has a
        # ``profile`` field (LangChain's capability dict, read by create_agent and
        # middleware). A str or ModelProfile here is ours; a dict is LangChain's.
        if not isinstance(data, dict) or "profile" not in data:
            return data
        given = data["profile"]
        if not isinstance(given, str | ModelProfile | Rollout):
            return data
        data = dict(data)
        del data["profile"]
        if isinstance(given, Rollout):
            # The client asks for the alias; each call is served by the version of its time.
            for key in ("model", "model_name"):
                other = data.get(key)
                if other is not None and other != given.alias:
                    raise ValueError(f"profile={given!r} conflicts with {key}={other!r}")
            data["model_name"] = given.alias
            data["rollout"] = given
            return data
        prof = get_profile(given)
        for key in ("model", "model_name"):
            other = data.get(key)
            if other is not None and get_profile(other).id != prof.id:
                raise ValueError(f"profile={prof.id!r} conflicts with {key}={other!r}")
        data["model_name"] = prof.id
        if isinstance(given, ModelProfile):
            data["custom_profile"] = given
        return data

    @field_validator("script", mode="after")
    @classmethod
    def _check_script(cls, script: Any) -> Any:
        if isinstance(script, list):
            for i, item in enumerate(script):
                check_item(item, f"script[{i}]")
        return script

    @field_validator("seed", mode="before")
    @classmethod
    def _check_seed(cls, seed: Any) -> Any:
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise ValueError(f"seed must be an int, got {seed!r}")
        return seed

    @model_validator(mode="after")
    def _resolve_profile(self) -> SimChatModel:
        if self.rollout is not None:
            self.model_name = self.rollout.alias
            if self.profile is None:
                self.profile = self._resolve_model_profile()
            return self
        prof = self._lookup_profile()
        if self.model_name != prof.id:
            self.model_name = prof.id  # a bare name resolves to its newest version
        if self.profile is None:
            self.profile = self._resolve_model_profile()
        return self

    def _resolve_model_profile(self) -> Any:
        if self.rollout is not None:
            prof = self.rollout.first
        else:
            prof = self.custom_profile or get_profile(self.model_name)
        return {
            "name": prof.id,
            "max_input_tokens": prof.context_window,
            "max_output_tokens": prof.max_output_tokens,
            "text_inputs": True,
            "text_outputs": True,
            "tool_calling": True,
            "tool_choice": True,
            "tool_call_streaming": True,
            "structured_output": True,
        }

    def _lookup_profile(self) -> ModelProfile:
        # Cached, but checked against the fields, so that model_copy(update=...) is honoured.
        # Read through __pydantic_private__: attribute access to a private attribute goes
        # through BaseModel.__getattr__, which is slow for something done on every call.
        rollout = self.rollout
        if rollout is not None:  # a silent update: the version current on the clock now
            return rollout.version_at(current_clock().now())
        private = self.__pydantic_private__
        prof = private.get("_sim") if private is not None else None
        if (
            prof is None
            or prof.id != self.model_name
            or (self.custom_profile is not None and prof is not self.custom_profile)
        ):
            prof = self.custom_profile or get_profile(self.model_name)
            self._sim = prof
        return prof

    @property
    def sim_profile(self) -> ModelProfile:
        """The :class:`ModelProfile` this model simulates (with a ``Rollout``: the version
        that serves a call made now, on the current clock)."""
        return self._lookup_profile()

    @property
    def script_position(self) -> int:
        """How many script outputs have been used."""
        return self._script_pos

    @property
    def _llm_type(self) -> str:
        return PROVIDER

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_name": self.model_name, "seed": self.seed}

    # The two methods below run on every call. LangChain's defaults give the same result
    # here, but the first goes through the deprecated ``dict()`` under a warnings filter and
    # the second probes attributes this model does not have (``hasattr`` on a Pydantic model
    # raises and catches an AttributeError each time): ~10 us of a ~65 us fake-model call.

    def _get_invocation_params(self, stop: list[str] | None = None, **kwargs: Any) -> dict:
        params = dict(self._identifying_params)
        params["_type"] = self._llm_type
        params["stop"] = stop
        return {**params, **kwargs}

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> Any:
        # What BaseChatModel._get_ls_params derives (this model has no ``temperature``), with
        # our provider and model name.
        params: dict[str, Any] = {"ls_provider": PROVIDER, "ls_model_type": "chat"}
        if stop:
            params["ls_stop"] = stop
        params["ls_model_name"] = self.model_name
        temperature = kwargs.get("temperature")
        if isinstance(temperature, int | float):
            params["ls_temperature"] = temperature
        max_tokens = kwargs.get("max_tokens")
        if isinstance(max_tokens, int):
            params["ls_max_tokens"] = max_tokens
        elif isinstance(self.max_tokens, int):
            params["ls_max_tokens"] = self.max_tokens
        return params

    # -- token counting (LangChain's default would load a GPT-2 tokenizer) ----------------

    def get_num_tokens(self, text: str) -> int:
        """Tokens in ``text`` by :func:`count_tokens`."""
        return count_tokens(text)

    def get_num_tokens_from_messages(
        self, messages: list[BaseMessage], tools: Sequence[Any] | None = None
    ) -> int:
        """Prompt tokens as this model bills them (messages plus tool schemas)."""
        formatted = [convert_to_openai_tool(t) for t in tools] if tools else None
        return count_message_tokens(messages, formatted)

    # -- tools and structured output ---------------------------------------------------

    def bind(self, **kwargs: Any) -> SimBinding:
        """Bind call arguments, as ``BaseChatModel.bind`` does.

        Returns LangChain's chat-model ``RunnableBinding``, as a subclass that skips the
        per-call config merge when it cannot change anything (see ``infralab.llm._binding``).
        """
        return SimBinding(bound=self, kwargs=kwargs, config={})

    def bind_tools(
        self,
        tools: Sequence[Any],
        *,
        tool_choice: Any = None,
        strict: bool | None = None,
        parallel_tool_calls: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tools in OpenAI format, as ``ChatOpenAI.bind_tools`` does.

        Args:
            tools: LangChain tools, functions, Pydantic models, TypedDicts or schema dicts.
            tool_choice: "auto", "none", "required"/"any"/True (must call a tool), a tool
                name or ``{"type": "function", "function": {"name": ...}}`` to force one.
            strict: passed to ``convert_to_openai_tool``.
            parallel_tool_calls: True lets the scenario oracle issue the next expected calls
                in one turn when they are independent, False keeps one call per turn; None
                leaves it to the profile (``ModelProfile.parallel_tool_calls``).

        Raises:
            ValueError: ``tool_choice`` names a tool that is not bound.
        """
        formatted = [_convert_tool(t, strict) for t in tools]
        names = [f["function"]["name"] for f in formatted if "function" in f]
        if tool_choice is not None and tool_choice is not False:
            if tool_choice is True or tool_choice == "any":
                tool_choice = "required"
            elif isinstance(tool_choice, str) and tool_choice not in ("auto", "none", "required"):
                tool_choice = {"type": "function", "function": {"name": tool_choice}}
            if isinstance(tool_choice, dict):
                name = (tool_choice.get("function") or {}).get("name")
                if name not in names:
                    raise ValueError(
                        f"tool_choice names {name!r}, which is not among the bound tools: "
                        f"{', '.join(names) or '(none)'}"
                    )
            kwargs["tool_choice"] = tool_choice
        if parallel_tool_calls is not None:
            kwargs["parallel_tool_calls"] = parallel_tool_calls
        return self.bind(tools=formatted, **kwargs)

    def with_structured_output(
        self,
        schema: dict[str, Any] | type,
        *,
        include_raw: bool = False,
        method: str = "function_calling",
        strict: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, dict[str, Any] | Any]:
        """A runnable that returns ``schema``-shaped output (Pydantic instance or dict).

        Args:
            schema: a Pydantic class, a TypedDict, a JSON schema or an OpenAI tool dict.
            include_raw: return ``{"raw", "parsed", "parsing_error"}`` instead.
            method: "function_calling" (a forced tool call, LangChain's default
                implementation), "json_schema" (``response_format`` with the schema, the reply
                is JSON text) or "json_mode" (``response_format={"type": "json_object"}``).
            strict: recorded in the request, as providers do.
        """
        if method == "function_calling":
            return super().with_structured_output(schema, include_raw=include_raw, **kwargs)
        if kwargs:
            raise ValueError(f"Received unsupported arguments {kwargs}")
        if method not in ("json_schema", "json_mode"):
            raise ValueError(
                f"method must be 'function_calling', 'json_schema' or 'json_mode', got {method!r}"
            )
        from langchain_core.output_parsers import JsonOutputParser, PydanticOutputParser
        from langchain_core.runnables import RunnableMap, RunnablePassthrough

        is_pydantic = isinstance(schema, type) and is_basemodel_subclass(schema)
        json_schema = convert_to_json_schema(schema)
        ls_format = {"kwargs": {"method": method, "strict": strict}, "schema": schema}
        if method == "json_schema":
            spec: dict[str, Any] = {
                "name": json_schema.get("title", "response"),
                "schema": json_schema,
            }
            if strict is not None:
                spec["strict"] = strict
            llm = self.bind(
                response_format={"type": "json_schema", "json_schema": spec},
                ls_structured_output_format=ls_format,
            )
        else:
            llm = self.bind(
                response_format={"type": "json_object"},
                response_schema=json_schema,
                ls_structured_output_format=ls_format,
            )
        parser: Runnable[Any, Any] = (
            PydanticOutputParser(pydantic_object=schema)  # type: ignore[arg-type]
            if is_pydantic
            else JsonOutputParser()
        )
        if include_raw:
            parser_assign = RunnablePassthrough.assign(
                parsed=itemgetter("raw") | parser, parsing_error=lambda _: None
            )
            parser_none = RunnablePassthrough.assign(parsed=lambda _: None)
            with_fallback = parser_assign.with_fallbacks(
                [parser_none], exception_key="parsing_error"
            )
            return RunnableMap(raw=llm) | with_fallback
        return llm | parser

    # -- the call ----------------------------------------------------------------------

    def _begin(self, messages: list[BaseMessage], stop: list[str] | None, kw: dict) -> _Call:
        prof = self._lookup_profile()
        input_tokens = count_message_tokens(messages)
        req = Request.build(
            messages,
            tools=kw.get("tools"),
            tool_choice=kw.get("tool_choice"),
            response_format=kw.get("response_format"),
            response_schema=kw.get("response_schema"),
            max_tokens=kw.get("max_tokens", kw.get("max_completion_tokens", self.max_tokens)),
            stop=stop,
            parallel_tool_calls=kw.get("parallel_tool_calls"),
        )
        tools_digest, tools_tokens = _tools_digest(req.bound)
        input_tokens += tools_tokens
        if req.forced is None and not req.must_call and req.response_schema is None:
            req.prompt_schema = _prompt_schema(messages)
        h = hashlib.blake2b(digest_size=16)
        for m in messages:
            h.update(_message_key(m).encode("utf-8", "surrogatepass"))
            h.update(b"\x1d")
        extras = _options_text(
            req.bound, kw.get("tool_choice"), kw.get("response_format"), kw.get("response_schema")
        )
        draws = Draws(prof.id, str(self.seed), h.digest(), tools_digest, extras)
        if input_tokens > prof.context_window:
            raise ContextLengthExceededError(
                max_tokens=prof.context_window,
                requested_tokens=input_tokens,
                model=prof.id,
                request_id="req_" + draws.hex("request_id"),
            )
        fault = None
        if self.fault_plan is not None:
            fault = self.fault_plan.before_call(
                model=prof.id, input_tokens=input_tokens, now=current_clock().now()
            )
        return _Call(req, prof, draws, input_tokens, fault)

    def _next_script_item(self, call: _Call) -> Any:
        script = self.script
        if callable(script):
            return script(call.req.messages, call.req.tools)
        assert isinstance(script, list)
        with _SCRIPT_LOCK:
            pos = self._script_pos
            if pos >= len(script):
                raise ScriptExhaustedError(
                    f"script of {len(script)} outputs exhausted at call {pos + 1}"
                )
            self._script_pos = pos + 1
        return script[pos]

    def _produce(self, call: _Call) -> Reply:
        reply = self._produce_raw(call)
        if reply.source == "script":
            return reply
        apply_card = _imported("infralab.llm._behaviour.apply_card")
        carded: Reply = apply_card(call.req, reply, call.profile, call.draws)
        return carded

    def _produce_raw(self, call: _Call) -> Reply:
        if self.script is not None:
            item = self._next_script_item(call)
            if item is not None:
                where = (
                    "script output" if callable(self.script) else f"script[{self._script_pos - 1}]"
                )
                return to_reply(item, where)
        if self.oracle is not False:
            finder = self.oracle if callable(self.oracle) else _default_finder()
            text = call.req.first_human()
            scenario = finder(text) if finder is not None and text else None
            if scenario is not None:
                oracle_reply = _imported("infralab.llm._oracle.oracle_reply")
                answered: Reply = oracle_reply(call.req, scenario, call.profile, self.seed)
                return answered
            if self.oracle is None and call.req.params:  # the vendored public corpora
                from infralab.llm._corpus_oracle import corpus_reply

                found = corpus_reply(call.req, call.profile, self.seed)
                if found is not None:
                    return found
        return rules_reply(call.req, call.draws, call.profile.verbosity)

    def _build(self, call: _Call, reply: Reply) -> _Built:
        prof, req = call.profile, call.req
        content = reply.content
        finish = reply.finish_reason
        if req.stop:
            cut = min((i for s in req.stop if s and (i := content.find(s)) >= 0), default=-1)
            if cut >= 0:
                content, finish = content[:cut], finish or "stop"
        limit = min(req.max_tokens or prof.max_output_tokens, prof.max_output_tokens)
        content_tokens = count_tokens(content)
        if content_tokens > limit:
            content, finish = _truncate_to_tokens(content, limit), "length"
            content_tokens = count_tokens(content)
        tool_calls = [
            {
                "name": c["name"],
                "args": c.get("args") or {},
                "id": c.get("id") or f"call_{call.draws.hex(f'tool_call_{i}')}",
                "type": "tool_call",
            }
            for i, c in enumerate(reply.tool_calls)
        ]
        invalid_calls: list[dict[str, Any]] = []
        if tool_calls and req.max_tokens is not None and reply.source != "script":
            tool_calls, invalid_calls = _cut_tool_calls(tool_calls, limit - content_tokens)
            if invalid_calls:
                finish = "length"
        if reply.usage is not None:
            usage = dict(reply.usage)
            out_tokens = int(usage.get("output_tokens", 0))
            in_tokens = int(usage.get("input_tokens", 0))
        else:
            out_tokens = content_tokens + (_tool_calls_tokens(tool_calls) if tool_calls else 0)
            out_tokens += _tool_calls_tokens(invalid_calls) if invalid_calls else 0
            in_tokens = call.input_tokens
            usage = {
                "input_tokens": in_tokens,
                "output_tokens": out_tokens,
                "total_tokens": in_tokens + out_tokens,
            }
        if finish is None:
            finish = "tool_calls" if tool_calls else "stop"
        metadata = {
            "model_name": prof.id,
            "model_version": prof.version,
            "model_provider": PROVIDER,
            "provider": PROVIDER,
            "cost_usd": round(prof.cost(in_tokens, out_tokens), 12),
            "finish_reason": finish,
            "sim_source": reply.source,
        }
        if self.rollout is not None:
            metadata["requested_model"] = self.rollout.alias
        message = AIMessage(
            content=content,
            tool_calls=tool_calls,
            invalid_tool_calls=invalid_calls,  # type: ignore[arg-type]
            usage_metadata=usage,  # type: ignore[arg-type]
            response_metadata=metadata,
        )
        first = prof.latency_base_s + prof.latency_jitter_s * call.draws.uniform("latency")
        return _Built(message, first, prof.latency_per_output_token_s)

    def _respond(self, call: _Call) -> _Built:
        return self._build(call, self._produce(call))

    def _timeout_left(self, seconds: float, spent: float) -> float | None:
        """Seconds to wait before the client-side timeout fires, or None if it won't."""
        if self.timeout is None or spent + seconds <= self.timeout:
            return None
        return max(0.0, self.timeout - spent)

    def _timeout_error(self, call: _Call) -> APITimeoutError:
        return APITimeoutError(
            f"Request timed out after {self.timeout:g} s (client-side timeout).",
            timeout=self.timeout,
            model=call.profile.id,
            request_id="req_" + call.draws.hex("request_id"),
        )

    def _wait(self, clock: Clock, call: _Call, seconds: float, *, spent: float = 0.0) -> None:
        """Sleep ``seconds``, or until the client-side timeout fires (then raise it).

        A slow call that would end in a provider error still hits the client's timeout first.
        """
        left = self._timeout_left(seconds, spent)
        if left is not None:
            clock.sleep(left)
            raise self._timeout_error(call)
        if seconds:
            clock.sleep(seconds)

    async def _await(
        self, clock: Clock, call: _Call, seconds: float, *, spent: float = 0.0
    ) -> None:
        """Async form of :meth:`_wait`."""
        left = self._timeout_left(seconds, spent)
        if left is not None:
            await clock.asleep(left)
            raise self._timeout_error(call)
        if seconds:
            await clock.asleep(seconds)

    @staticmethod
    def _check_fault(call: _Call) -> tuple[float, BaseException | None]:
        fault = call.fault
        if fault is None:
            return 0.0, None
        return float(getattr(fault, "extra_latency", 0.0) or 0.0), getattr(fault, "error", None)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        call = self._begin(messages, stop, kwargs)
        clock = current_clock()
        delay, error = self._check_fault(call)
        self._wait(clock, call, delay)
        if error is not None:
            raise error
        built = self._respond(call)
        self._wait(
            clock,
            call,
            _response_latency(built),
            spent=delay,
        )
        return ChatResult(generations=[ChatGeneration(message=built.message)])

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        call = self._begin(messages, stop, kwargs)
        clock = current_clock()
        delay, error = self._check_fault(call)
        await self._await(clock, call, delay)
        if error is not None:
            raise error
        built = self._respond(call)
        await self._await(
            clock,
            call,
            _response_latency(built),
            spent=delay,
        )
        return ChatResult(generations=[ChatGeneration(message=built.message)])

    # -- streaming ---------------------------------------------------------------------

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        call = self._begin(messages, stop, kwargs)
        clock = current_clock()
        delay, error = self._check_fault(call)
        self._wait(clock, call, delay)
        if error is not None:
            raise error
        built = self._respond(call)
        first = True
        for wait, chunk in _chunks(built):
            if first:  # the timeout covers the wait for the first chunk, as a read timeout
                self._wait(clock, call, wait, spent=delay)
                first = False
            else:
                clock.sleep(wait)
            yield chunk

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        call = self._begin(messages, stop, kwargs)
        clock: Clock = current_clock()
        delay, error = self._check_fault(call)
        await self._await(clock, call, delay)
        if error is not None:
            raise error
        built = self._respond(call)
        first = True
        for wait, chunk in _chunks(built):
            if first:
                await self._await(clock, call, wait, spent=delay)
                first = False
            else:
                await clock.asleep(wait)
            yield chunk


# LangChain's _generate_with_cache calls inspect.signature(self._generate) on every call, to
# decide whether to pass run_manager (~15 us, a fifth of a fake model's whole call). These
# signatures never change, so they are computed once and stored where inspect looks first
# (a subclass that overrides the method has its own function, without this attribute).
for _method in (SimChatModel._generate, SimChatModel._agenerate):
    _method.__signature__ = inspect.signature(_method)  # type: ignore[union-attr]


def _response_latency(built: Any) -> float:
    """Seconds a whole (non-streamed) reply takes: first token, then each output token."""
    return built.first_token_s + built.per_token_s * _out_tokens(built.message)


def _out_tokens(message: AIMessage) -> int:
    usage = message.usage_metadata
    return int(usage["output_tokens"]) if usage else 0


_PIECES = re.compile(r"\S+\s*|\s+")


def _chunks(built: _Built) -> Iterator[tuple[float, ChatGenerationChunk]]:
    """The message as stream chunks, each with the seconds to wait before it.

    Text comes a word at a time; each tool call comes as a chunk with its name and id, then
    its JSON arguments in two parts, as OpenAI streams them. The last chunk carries
    ``usage_metadata`` and ``response_metadata`` (once, so that adding chunks up does not
    double them). Waits add up to the latency of the same call made with ``invoke``.
    """
    msg = built.message
    per = built.per_token_s
    total = _out_tokens(msg)
    spent = 0  # tokens already waited for, never more than the reply's output tokens
    first = True

    def wait(tokens: int) -> float:
        nonlocal first, spent
        take = max(0, min(tokens, total - spent))
        spent += take
        seconds = per * take + (built.first_token_s if first else 0.0)
        first = False
        return seconds

    content = msg.content if isinstance(msg.content, str) else ""
    for piece in _PIECES.findall(content):
        yield wait(count_tokens(piece)), ChatGenerationChunk(message=AIMessageChunk(content=piece))
    # Calls cut off at max_tokens stream their truncated JSON; LangChain then parses them
    # into invalid_tool_calls, as it does for a provider's stream.
    streamed: list[tuple[str | None, str | None, str]] = [
        (c["name"], c["id"], json.dumps(c["args"])) for c in msg.tool_calls
    ]
    streamed += [(c["name"], c["id"], c["args"] or "") for c in msg.invalid_tool_calls]
    for index, (call_name, call_id_, args) in enumerate(streamed):
        half = len(args) // 2
        parts = [(call_name, call_id_, "")] + [
            (None, None, args[:half]),
            (None, None, args[half:]),
        ]
        for j, (name, call_id, arg_text) in enumerate(parts):
            tokens = (3 + count_tokens(call_name or "")) if j == 0 else count_tokens(arg_text)
            chunk = AIMessageChunk(
                content="",
                tool_call_chunks=[
                    {
                        "name": name,
                        "args": arg_text,
                        "id": call_id,
                        "index": index,
                        "type": "tool_call_chunk",
                    }
                ],
            )
            yield wait(tokens), ChatGenerationChunk(message=chunk)
    last = AIMessageChunk(
        content="",
        usage_metadata=msg.usage_metadata,
        response_metadata=dict(msg.response_metadata),
        chunk_position="last",
    )
    yield wait(total - spent), ChatGenerationChunk(message=last)
