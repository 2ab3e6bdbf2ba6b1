"""Span table (HTML and text) and span timeline (matplotlib), on the virtual clock."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["SpanTable", "plot_timeline", "rows_of"]

_REQUIRED = ("name", "kind", "start_s", "end_s", "duration_s", "status")
_KIND_COLORS = {
    "LLM": "#4c72b0",
    "TOOL": "#55a868",
    "CHAIN": "#8c8c8c",
    "AGENT": "#8172b3",
    "RETRIEVER": "#ccb974",
}


def rows_of(tracing_or_rows: Any) -> list[dict[str, Any]]:
    """Span rows from a Tracing (``span_rows()``) or a list of row dicts, checked."""
    span_rows = getattr(tracing_or_rows, "span_rows", None)
    rows = span_rows() if callable(span_rows) else tracing_or_rows
    if not isinstance(rows, Sequence) or isinstance(rows, str | bytes):
        raise TypeError(
            "expected a Tracing (from setup_tracing) or a list of span rows, "
            f"got {type(tracing_or_rows).__name__}"
        )
    out = []
    for i, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise TypeError(f"span row {i} is a {type(row).__name__}, not a dict")
        missing = [k for k in _REQUIRED if k not in row]
        if missing:
            raise ValueError(f"span row {i} ({row.get('name', '?')!r}) lacks {', '.join(missing)}")
        out.append(dict(row))
    return out


def _fmt_s(seconds: float) -> str:
    return f"{seconds:.3f}s" if seconds < 100 else f"{seconds:.1f}s"


def _fmt_cost(cost: float | None) -> str:
    return "" if cost is None else f"${cost:.6f}"


def _tokens(row: Mapping[str, Any]) -> str:
    i, o = row.get("input_tokens"), row.get("output_tokens")
    return (
        ""
        if i is None and o is None
        else f"{i if i is not None else '?'}/{o if o is not None else '?'}"
    )


class SpanTable:
    """Spans as a table; renders as HTML in a notebook and as text elsewhere."""

    def __init__(self, tracing_or_rows: Any, *, max_rows: int = 200) -> None:
        self.rows = rows_of(tracing_or_rows)
        if not isinstance(max_rows, int) or max_rows < 1:
            raise ValueError(f"max_rows must be a positive int, got {max_rows!r}")
        self.max_rows = max_rows

    def _shown(self) -> list[dict[str, Any]]:
        return self.rows[: self.max_rows]

    def _more(self) -> str:
        hidden = len(self.rows) - self.max_rows
        return f"... {hidden} more spans not shown (max_rows={self.max_rows})" if hidden > 0 else ""

    def _totals(self) -> str:
        llm = [r for r in self.rows if r.get("kind") == "LLM"]
        tokens_in = sum(r.get("input_tokens") or 0 for r in llm)
        tokens_out = sum(r.get("output_tokens") or 0 for r in llm)
        cost = sum(r.get("cost_usd") or 0.0 for r in llm)
        errors = sum(r.get("status") == "ERROR" for r in self.rows)
        return (
            f"{len(self.rows)} spans, {len(llm)} LLM calls, {tokens_in}/{tokens_out} tokens "
            f"in/out, ${cost:.6f}, {errors} errors"
        )

    def _repr_html_(self) -> str:
        if not self.rows:
            return "<p><i>no spans yet</i></p>"
        t0 = min(r["start_s"] for r in self.rows)
        span = max(max(r["end_s"] for r in self.rows) - t0, 1e-9)
        head = "".join(
            f"<th style='text-align:left;padding:2px 6px'>{h}</th>"
            for h in (
                "span",
                "kind",
                "start",
                "duration",
                "",
                "model",
                "tokens in/out",
                "cost",
                "status",
            )
        )
        body = []
        for r in self._shown():
            left = 100 * (r["start_s"] - t0) / span
            width = max(100 * r["duration_s"] / span, 0.5)
            error = r["status"] == "ERROR"
            color = "#c44e52" if error else _KIND_COLORS.get(r["kind"], "#8c8c8c")
            bar = (
                "<div style='position:relative;width:160px;height:10px;background:#eee'>"
                f"<div style='position:absolute;left:{left:.2f}%;width:{width:.2f}%;height:10px;"
                f"background:{color}'></div></div>"
            )
            title = html.escape(r.get("error") or "", quote=True)
            cells = [
                f"<span style='padding-left:{12 * int(r.get('depth') or 0)}px'>"
                f"{html.escape(str(r['name']))}</span>",
                html.escape(str(r["kind"])),
                f"{r['start_s'] - t0:.3f}s",
                _fmt_s(r["duration_s"]),
                bar,
                html.escape(str(r.get("model") or "")),
                _tokens(r),
                _fmt_cost(r.get("cost_usd")),
                f"<span title='{title}' style='color:{'#c44e52' if error else 'inherit'}'>"
                f"{html.escape(str(r['status']))}</span>",
            ]
            body.append(
                "<tr>"
                + "".join(f"<td style='text-align:left;padding:1px 6px'>{c}</td>" for c in cells)
                + "</tr>"
            )
        return (
            "<table style='border-collapse:collapse;font-size:12px'>"
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
            f"<p style='font-size:12px'>{html.escape(self._more())} {html.escape(self._totals())}; "
            "times are offsets on the virtual clock from the first span</p>"
        )

    def __str__(self) -> str:
        if not self.rows:
            return "no spans yet"
        t0 = min(r["start_s"] for r in self.rows)
        table = [("span", "kind", "start", "duration", "model", "tokens", "cost", "status")]
        for r in self._shown():
            table.append(
                (
                    "  " * int(r.get("depth") or 0) + str(r["name"]),
                    str(r["kind"]),
                    f"{r['start_s'] - t0:.3f}s",
                    _fmt_s(r["duration_s"]),
                    str(r.get("model") or ""),
                    _tokens(r),
                    _fmt_cost(r.get("cost_usd")),
                    str(r["status"]),
                )
            )
        widths = [max(len(line[i]) for line in table) for i in range(len(table[0]))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) for line in table]
        more = self._more()
        return "\n".join([*(line.rstrip() for line in lines), *([more] if more else [])]) + (
            "\n" + self._totals()
        )

    def __repr__(self) -> str:
        return f"SpanTable({len(self.rows)} spans)"


def plot_timeline(tracing_or_rows: Any, *, ax: Axes | None = None) -> Axes:
    """Bars from each span's virtual start to its end, parents above their children."""
    rows = rows_of(tracing_or_rows)
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(9, max(1.5, 0.28 * len(rows) + 0.8)))
    if not rows:
        ax.set_title("no spans yet")
        ax.set_yticks([])
        return ax
    t0 = min(r["start_s"] for r in rows)
    for i, r in enumerate(rows):
        error = r["status"] == "ERROR"
        ax.barh(
            i,
            max(r["duration_s"], 0.0),
            left=r["start_s"] - t0,
            color="#c44e52" if error else _KIND_COLORS.get(r["kind"], "#8c8c8c"),
            hatch="//" if error else None,
            edgecolor="black" if error else "none",
            height=0.7,
        )
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels(["  " * int(r.get("depth") or 0) + str(r["name"]) for r in rows], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("virtual time (s) from the first span")
    seen = sorted({r["kind"] for r in rows})
    from matplotlib.patches import Patch

    handles = [Patch(color=_KIND_COLORS.get(k, "#8c8c8c"), label=k) for k in seen]
    if any(r["status"] == "ERROR" for r in rows):
        handles.append(Patch(facecolor="#c44e52", hatch="//", edgecolor="black", label="ERROR"))
    # Outside the axes, to the right: inside, it would cover the last (lowest) bars.
    ax.legend(handles=handles, fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.grid(axis="x", alpha=0.3)
    return ax
