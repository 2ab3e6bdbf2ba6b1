"""Progress of a grading run (a bar with throughput and ETA) and its final summary.

The bar is tqdm's, on stderr, and only on a terminal: ``infralab grade --json | jq`` or a CI
log gets no bar (stdout stays one JSON object per line either way). The summary counts every
outcome: graded in this run, skipped (already in the ledger), input errors, grader faults,
and results carrying flags (tampering, timeouts, learner mismatch...).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from infralab.grading.grade._grade import Outcome

__all__ = ["Progress", "Summary", "flag_kind"]


@dataclass
class Summary:
    """What a grading run did, for the last line of ``infralab grade``."""

    graded: int = 0
    skipped: int = 0
    errors: int = 0  # unusable input: the learner's (exit 2)
    grader_faults: int = 0  # the grader failed (exit 3)
    flagged: int = 0  # results with at least one flag
    flags: dict[str, int] = field(default_factory=dict)  # flag kind -> results carrying it
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return self.graded + self.skipped + self.errors + self.grader_faults

    def line(self) -> str:
        """``graded 38, skipped 2 (in the ledger), errors 0, grader faults 0, flagged 3 ...``."""
        rate = self.graded / self.seconds * 60 if self.seconds > 0 else 0.0
        skip_note = " (already in the ledger; --force regrades)" if self.skipped else ""
        text = (
            f"infralab grade: {self.total} submissions: graded {self.graded}, "
            f"skipped {self.skipped}{skip_note}, "
            f"errors {self.errors}, grader faults {self.grader_faults}, "
            f"flagged {self.flagged}"
        )
        if self.flags:
            kinds = ", ".join(f"{k} {n}" for k, n in sorted(self.flags.items()))
            text += f" ({kinds})"
        return text + f"; {self.seconds:.1f} s, {rate:.1f} graded/min"

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "graded": self.graded,
            "skipped": self.skipped,
            "errors": self.errors,
            "grader_faults": self.grader_faults,
            "flagged": self.flagged,
            "flags": dict(self.flags),
            "seconds": round(self.seconds, 3),
        }


_FLAG_PREFIXES = (  # (how the flag starts, its kind); the judge's wording, _judge.py
    ("tampered", "tampered"),
    ("missing ", "missing cell"),
    ("hidden tests:", "hidden tests: worker failed"),
    ("learner mismatch", "learner mismatch"),
    ("sandbox:", "sandbox"),
    ("extra cells", "extra cells"),
    ("gradebook:", "gradebook"),
    ("ledger:", "ledger"),
)


def flag_kind(flag: str) -> str:
    """The kind of a result flag (``tampered``, ``timeout``, ``learner mismatch``...)."""
    low = flag.lower()
    for start, kind in _FLAG_PREFIXES:
        if low.startswith(start):
            return kind
    if "time limit" in low or "timed out" in low:
        return "timeout"
    if low.startswith("cell "):
        return "cell error"
    return low.split(":", 1)[0][:40] or "flag"


class Progress:
    """Counts outcomes as they complete; draws a bar when ``stream`` is a terminal.

    Args:
        stream: where the bar goes (stderr); no bar unless it is a TTY and ``bar`` allows.
        bar: False never draws one (``--json`` with stdout piped, or ``--no-progress``).
    """

    def __init__(self, stream: IO[str] | None = None, *, bar: bool = True) -> None:
        self.summary = Summary()
        self._stream = stream
        self._want_bar = bar and stream is not None and stream.isatty()
        self._bar: Any = None
        self._t0 = time.monotonic()

    def start(self, total: int) -> None:
        self._t0 = time.monotonic()
        if self._want_bar:
            from tqdm import tqdm

            # tqdm's rate and remaining time are the throughput and the ETA asked for.
            self._bar = tqdm(total=total, file=self._stream, unit="sub", dynamic_ncols=True,
                             desc="grading", smoothing=0.1)  # fmt: skip

    def count(self, outcome: Outcome, *, skipped: bool) -> None:
        s = self.summary
        if outcome.result is None:
            if outcome.grader_fault:
                s.grader_faults += 1
            else:
                s.errors += 1
        else:
            if skipped:
                s.skipped += 1
            else:
                s.graded += 1
            flags = outcome.result.get("flags") or []
            if flags:
                s.flagged += 1
                for kind in {flag_kind(f) for f in flags}:
                    s.flags[kind] = s.flags.get(kind, 0) + 1
        s.seconds = time.monotonic() - self._t0
        if self._bar is not None:
            self._bar.set_postfix(skipped=s.skipped, errors=s.errors + s.grader_faults,
                                  refresh=False)  # fmt: skip
            self._bar.update(1)

    def close(self) -> None:
        self.summary.seconds = time.monotonic() - self._t0
        if self._bar is not None:
            self._bar.close()
            self._bar = None
