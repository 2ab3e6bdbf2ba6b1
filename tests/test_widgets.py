"""infralab.widgets: offline graph drawing, span table, span timeline."""

from __future__ import annotations

import socket
import subprocess
import sys
from typing import Literal

import matplotlib
import pytest
from langgraph.graph import END, START, MessagesState, StateGraph

matplotlib.use("Agg")

from infralab import widgets  # noqa: E402
from infralab.widgets._graph import draw  # noqa: E402
from infralab.widgets._spans import SpanTable, rows_of  # noqa: E402


def _three_nodes():
    def router(state):
        return {}

    def worker(state):
        return {}

    def responder(state):
        return {}

    def after_router(state) -> Literal["worker", "responder"]:
        return "worker"

    g = StateGraph(MessagesState)
    g.add_node("router", router)
    g.add_node("worker", worker)
    g.add_node("responder", responder)
    g.add_edge(START, "router")
    g.add_conditional_edges("router", after_router)
    g.add_edge("worker", "responder")
    g.add_edge("responder", END)
    return g


def _row(name, kind="CHAIN", start=0.0, end=1.0, depth=0, status="OK", **extra):
    return {
        "name": name,
        "kind": kind,
        "start_s": start,
        "end_s": end,
        "duration_s": end - start,
        "status": status,
        "depth": depth,
        **extra,
    }


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the widget tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_graph_is_drawn_offline_as_mermaid_and_text(no_network, monkeypatch, capsys):
    from langchain_core.runnables.graph import Graph

    def png(*a, **k):
        raise AssertionError("draw_mermaid_png calls mermaid.ink")

    monkeypatch.setattr(Graph, "draw_mermaid_png", png)
    graph = _three_nodes().compile()
    drawing = draw(graph)
    assert drawing.mermaid.lstrip().startswith(("graph", "---", "%%"))
    for node in ("router", "worker", "responder"):
        assert node in drawing.mermaid and node in drawing.text
    assert "START --> router" in drawing.text
    assert "router -.-> worker" in drawing.text and "router -.-> responder" in drawing.text
    assert "responder --> END" in drawing.text
    bundle = drawing._repr_mimebundle_()
    assert bundle["text/vnd.mermaid"] == drawing.mermaid
    assert bundle["text/markdown"].startswith("```mermaid\n") and bundle["text/markdown"].endswith(
        "\n```"
    )
    assert "http" not in drawing.mermaid
    widgets.show_graph(graph)  # no IPython here: prints the text form
    assert capsys.readouterr().out.strip() == drawing.text


def test_show_graph_in_ipython_displays_the_rich_drawing(monkeypatch):
    shown = []
    import IPython
    import IPython.display

    monkeypatch.setattr(IPython, "get_ipython", lambda: object())
    monkeypatch.setattr(IPython.display, "display", shown.append)
    widgets.show_graph(_three_nodes().compile())
    assert len(shown) == 1 and "text/vnd.mermaid" in shown[0]._repr_mimebundle_()


def test_show_graph_rejects_an_uncompiled_graph():
    with pytest.raises(TypeError, match=r"compile\(\)"):
        widgets.show_graph(_three_nodes())
    with pytest.raises(TypeError, match="got int"):
        widgets.show_graph(3)


def test_span_table_html_and_text():
    rows = [
        _row("LangGraph", start=0.0, end=3.0),
        _row(
            "<script>x</script>",
            kind="LLM",
            start=0.5,
            end=2.5,
            depth=1,
            model="sim-small@2026-11",
            input_tokens=120,
            output_tokens=30,
            cost_usd=0.000036,
        ),
        _row("lookup_order", kind="TOOL", start=2.5, end=3.0, depth=1, status="ERROR", error="x<y"),
    ]
    table = SpanTable(rows)
    html = table._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "sim-small@2026-11" in html and "120/30" in html and "$0.000036" in html
    assert "x&lt;y" in html  # the error is in the tooltip, escaped
    assert "3 spans, 1 LLM calls, 120/30 tokens in/out, $0.000036, 1 errors" in html
    text = str(table)
    lines = text.splitlines()
    assert lines[0].split()[:4] == ["span", "kind", "start", "duration"]
    assert lines[2].startswith("  <script>x</script>")  # indented under its parent
    assert "0.500s" in lines[2] and "2.000s" in lines[2]
    assert "ERROR" in lines[3]
    assert SpanTable([])._repr_html_() == "<p><i>no spans yet</i></p>"
    short = SpanTable(rows, max_rows=2)
    assert "lookup_order" not in short._repr_html_() and "1 more spans" in short._repr_html_()
    assert "3 spans" in str(short) and "lookup_order" not in str(short)
    with pytest.raises(ValueError, match="max_rows"):
        SpanTable(rows, max_rows=0)


def test_show_spans_reads_a_tracing(capsys):
    from infralab.clock import VirtualClock, use_clock
    from infralab.tracing import setup_tracing

    tracing = setup_tracing("test-widgets")
    tracing.clear()
    with use_clock(VirtualClock()) as clock:
        with tracing.tracer.start_as_current_span("outer"):
            clock.advance(2)
    widgets.show_spans(tracing)
    out = capsys.readouterr().out
    assert "outer" in out and "2.000s" in out
    tracing.clear()


def test_bad_rows_are_named():
    with pytest.raises(ValueError, match=r"span row 1 \('b'\) lacks end_s, duration_s"):
        rows_of([_row("a"), {"name": "b", "kind": "LLM", "start_s": 0, "status": "OK"}])
    with pytest.raises(TypeError, match="span row 0 is a str"):
        rows_of(["oops"])
    with pytest.raises(TypeError, match="Tracing .* or a list of span rows"):
        rows_of("spans")


def test_timeline_bars_sit_on_virtual_time():
    import matplotlib.pyplot as plt

    rows = [
        _row("root", start=10.0, end=14.0),
        _row("call", kind="LLM", start=10.5, end=12.5, depth=1),
        _row("tool", kind="TOOL", start=12.5, end=13.0, depth=1, status="ERROR"),
    ]
    ax = widgets.plot_timeline(rows)
    try:
        bars = ax.patches
        assert [(round(b.get_x(), 6), round(b.get_width(), 6)) for b in bars] == [
            (0.0, 4.0),
            (0.5, 2.0),
            (2.5, 0.5),
        ]
        assert bars[2].get_hatch() == "//" and bars[0].get_hatch() is None
        labels = [t.get_text() for t in ax.get_yticklabels()]
        assert labels == ["root", "  call", "  tool"]
        assert "virtual time" in ax.get_xlabel()
    finally:
        plt.close(ax.figure)
    ax = widgets.plot_timeline([])
    assert ax.get_title() == "no spans yet"
    plt.close(ax.figure)


def test_importing_widgets_is_light():
    code = (
        "import sys, infralab.widgets\n"
        "heavy = [m for m in ('matplotlib', 'IPython', 'langgraph', 'langchain_core', 'phoenix')"
        " if m in sys.modules]\n"
        "print(','.join(heavy) or 'none')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "none"
