"""Does get_model give the simulator by default and a real client with INFRALAB_MODEL?"""

import pytest
from stubs.openai_stub import serve

from infralab.clock import RealClock, VirtualClock, current_clock, set_clock
from infralab.llm import SimChatModel, get_model


@pytest.fixture(autouse=True)
def restore_default_clock():
    """A real model switches the process clock to real time; put the virtual one back."""
    before = current_clock()
    yield
    set_clock(before)


@pytest.fixture
def no_byom(monkeypatch):
    monkeypatch.delenv("INFRALAB_MODEL", raising=False)


@pytest.fixture
def stub(monkeypatch):
    with serve(reply="Hello from the stub.") as s:
        monkeypatch.setenv("OPENAI_BASE_URL", s.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "test")
        monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
        monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
        for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
            monkeypatch.delenv(var, raising=False)
        yield s


def test_default_is_the_simulator(no_byom):
    """Without INFRALAB_MODEL, is it a SimChatModel of the asked profile and fields?"""
    m = get_model()
    assert isinstance(m, SimChatModel) and m.model_name == "sim-large@2026-11"
    m = get_model("sim-small@2026-06", seed=7, script=["hi"])
    assert m.model_name == "sim-small@2026-06" and m.seed == 7
    assert m.invoke("x").content == "hi"


def test_byom_uses_init_chat_model_against_an_openai_compatible_server(monkeypatch, stub):
    """With INFRALAB_MODEL=openai:<model>, does the real client talk to the (local) server?"""
    from langchain_openai import ChatOpenAI

    monkeypatch.setenv("INFRALAB_MODEL", "openai:gpt-4o-mini")
    set_clock(VirtualClock())
    with pytest.warns(UserWarning, match="real time"):
        m = get_model()
    assert isinstance(m, ChatOpenAI)
    assert isinstance(current_clock(), RealClock)  # a real model's latency is real
    r = m.invoke("Say hello")
    assert r.content == "Hello from the stub."
    assert r.usage_metadata["total_tokens"] == 12
    body = stub.requests[-1]
    assert body["model"] == "gpt-4o-mini"
    assert body["messages"] == [{"role": "user", "content": "Say hello"}]


def test_byom_streams(monkeypatch, stub):
    """Does streaming through the real client work against the stub?"""
    monkeypatch.setenv("INFRALAB_MODEL", "openai:gpt-4o-mini")
    text = "".join(c.content for c in get_model().stream("hi"))
    assert text == "Hello from the stub."
    assert stub.requests[-1]["stream"] is True


def test_byom_passes_client_arguments_and_drops_simulator_ones(monkeypatch, stub):
    """Are init_chat_model arguments passed on, and simulator-only ones dropped with a warning?"""
    monkeypatch.setenv("INFRALAB_MODEL", "openai:gpt-4o-mini")
    with pytest.warns(UserWarning, match="ignoring simulator-only arguments: seed, fault_plan"):
        m = get_model("sim-small", seed=3, fault_plan=object(), temperature=0.25)
    m.invoke("hi")
    assert stub.requests[-1]["temperature"] == 0.25


@pytest.mark.parametrize("spec", ["gpt-4o", "openai:", ":gpt-4o"])
def test_malformed_spec(monkeypatch, spec):
    """Is a malformed INFRALAB_MODEL a clear error naming the variable and the value?"""
    monkeypatch.setenv("INFRALAB_MODEL", spec)
    with pytest.raises(ValueError, match=r"INFRALAB_MODEL must look like 'provider:model'"):
        get_model()


def test_blank_spec_means_simulator(monkeypatch):
    """Is an empty INFRALAB_MODEL treated as unset?"""
    monkeypatch.setenv("INFRALAB_MODEL", "  ")
    assert isinstance(get_model(), SimChatModel)
