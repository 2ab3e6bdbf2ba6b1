"""The ``RunnableBinding`` that ``SimChatModel.bind`` / ``bind_tools`` return.

LangChain's ``RunnableBinding.invoke`` merges the binding's config into the caller's on every
call (``merge_configs`` twice, each running ``ensure_config``): ~12 µs, a sixth of a fake
chat model's whole call. For the common top-level call (no config given, no config in the
context, a binding without config or config factories, bound to a chat model whose ``invoke``
is LangChain's own) that merge provably changes nothing: it yields
``{"tags": [], "metadata": {}, "configurable": {}}``, and the chat model's first step,
``ensure_config``, turns that and ``None`` into the same config. So this subclass passes
``None`` then and goes through LangChain's merge in every other case (a config given, a
config in the context, tags to sort, callbacks to merge, ``with_config``, listeners, a
``with_retry`` in between). Callbacks, tracing and the rate limiter run as before: they are
the chat model's, not the binding's.

Everything else (``bind``, ``with_config``, ``with_retry``, ``batch``, ``stream``,
serialization) is LangChain's: its methods rebuild the binding through ``self.__class__``, so
they keep this class, and it serializes and prints as LangChain's own chat-model binding.
"""

from __future__ import annotations

from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.language_models.chat_models import _ChatModelBinding
from langchain_core.messages import AIMessage
from langchain_core.runnables import RunnableConfig
from langchain_core.runnables.config import var_child_runnable_config

__all__ = ["SimBinding"]

_INVOKE = BaseChatModel.invoke
_AINVOKE = BaseChatModel.ainvoke


class SimBinding(_ChatModelBinding):
    """A chat-model ``RunnableBinding`` that skips the config merge when it is a no-op."""

    @classmethod
    def lc_id(cls) -> list[str]:
        # Serialize (dumpd, tracing) exactly as the binding BaseChatModel.bind returns.
        return _ChatModelBinding.lc_id()

    def __repr_name__(self) -> str:
        return _ChatModelBinding.__name__

    def _merge_is_noop(self, config: RunnableConfig | None) -> bool:
        return (
            config is None
            and not self.config
            and not self.config_factories
            and var_child_runnable_config.get() is None
        )

    def invoke(
        self, input: Any, config: RunnableConfig | None = None, **kwargs: Any | None
    ) -> AIMessage:
        bound = self.bound
        if type(bound).invoke is _INVOKE and self._merge_is_noop(config):
            return bound.invoke(input, None, **{**self.kwargs, **kwargs})
        return super().invoke(input, config, **kwargs)

    async def ainvoke(
        self, input: Any, config: RunnableConfig | None = None, **kwargs: Any | None
    ) -> AIMessage:
        bound = self.bound
        if type(bound).ainvoke is _AINVOKE and self._merge_is_noop(config):
            return await bound.ainvoke(input, None, **{**self.kwargs, **kwargs})
        return await super().ainvoke(input, config, **kwargs)
