"""The grading ledger: every graded submission recorded once, durably, before it is reported.

A row is keyed by what decides a grade: the learner, the lab, the sha256 of the submitted
notebook, the sha256 of the lab's source notebook (the hidden tests), the grader version, the
variant seed, and a digest of the judge settings that change a verdict (timeouts, sandbox on
or off, certification, graded tasks). Same key, same grade: a rerun skips the submission and
reports the recorded result instead (``--force`` grades it again and replaces the row).

Crash safety comes from the database, not from us: each result is one row written in one
transaction (SQLite in WAL mode by default), so a ``kill -9`` at any moment leaves either the
whole row or none of it. The gradebook is written after the ledger and the row is then marked
``gradebook_synced``; a crash in between leaves an unsynced row, and the next run writes the
gradebook from the ledger before reporting it (see :mod:`infralab.grading.cohort._run`).

Any SQLAlchemy URL works (``postgresql+psycopg://...`` for a ledger shared by several
graders); only SQLite is tested here (see docs/cohorts.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

__all__ = ["Ledger", "LedgerEntry", "LedgerError", "LedgerKey", "default_ledger_url"]


class LedgerError(Exception):
    """The ledger cannot be opened or read (a bad URL, an unreadable file, a foreign table)."""


@dataclass(frozen=True)
class LedgerKey:
    """What decides a grade: two gradings with the same key give the same result."""

    learner: str
    lab: str
    submission_sha256: str
    source_sha256: str
    grader_version: str
    variant_seed: int
    settings_sha256: str

    def as_row(self) -> dict[str, Any]:
        # Seeds are up to 63 bits: stored as text so every backend keeps them exactly.
        return {**self.__dict__, "variant_seed": str(self.variant_seed)}


@dataclass(frozen=True)
class LedgerEntry:
    """One recorded grading: its key, the result as reported, and the gradebook state."""

    key: LedgerKey
    result: dict[str, Any]
    graded_at: str
    gradebook_synced: bool
    grading_seconds: float | None = None
    reported_ns: int = 0


def default_ledger_url(grader_dir: Path) -> str:
    """``sqlite:///<course>/grader/ledger.db``: the ledger beside the gradebook."""
    return f"sqlite:///{Path(grader_dir) / 'ledger.db'}"


_metadata = sa.MetaData()
_KEY_COLUMNS = (
    "learner",
    "lab",
    "submission_sha256",
    "source_sha256",
    "grader_version",
    "variant_seed",
    "settings_sha256",
)
_table = sa.Table(
    "infralab_ledger",
    _metadata,
    *(sa.Column(name, sa.String(255), nullable=False) for name in _KEY_COLUMNS),
    sa.Column("result_json", sa.Text, nullable=False),
    # sha256 of result_json: a row whose text does not match it was not written by us whole
    sa.Column("result_sha256", sa.String(64), nullable=False),
    sa.Column("graded_at", sa.String(32), nullable=False),
    # when this result was last reported as the learner's (graded, or skipped as recorded):
    # the row with the latest is the learner's current result for the lab (exports use it)
    sa.Column("reported_ns", sa.BigInteger, nullable=False),
    # wall time of judging (this run's; not part of the result, which is the same anywhere)
    sa.Column("grading_seconds", sa.Float, nullable=True),
    sa.Column("gradebook_synced", sa.Boolean, nullable=False, default=False),
    sa.PrimaryKeyConstraint(*_KEY_COLUMNS, name="infralab_ledger_key"),
)


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL: readers never block the writer and a killed writer leaves the database whole.
    # synchronous=FULL: a committed row survives a power cut too, not only a killed process.
    # busy_timeout: several graders (or threads) may write one ledger file at once.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


class Ledger:
    """A grading ledger at a SQLAlchemy URL (SQLite in WAL mode for ``sqlite:`` URLs).

    Thread-safe: the local grade loop records from one thread, but lookups may come from the
    threads that prepare submissions.

    Raises:
        LedgerError: the URL is not usable, or the file is not a ledger.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        try:
            self._engine = sa.create_engine(url, future=True)
        except (sa.exc.ArgumentError, ImportError) as exc:
            raise LedgerError(f"ledger URL '{url}': {exc}") from None
        if self._engine.dialect.name == "sqlite":
            sa.event.listen(self._engine, "connect", _sqlite_pragmas)
            database = self._engine.url.database
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        try:
            _metadata.create_all(self._engine)
        except sa.exc.SQLAlchemyError as exc:
            raise LedgerError(f"ledger {self._shown()}: cannot open ({_reason(exc)})") from None

    def _shown(self) -> str:
        return self._engine.url.render_as_string(hide_password=True)

    # ----------------------------------------------------------------------- reading
    def lookup(self, key: LedgerKey) -> LedgerEntry | None:
        """The recorded grading with this key, or None."""
        cond = sa.and_(*(_table.c[k] == v for k, v in key.as_row().items()))
        try:
            with self._engine.connect() as conn:
                row = conn.execute(sa.select(_table).where(cond)).mappings().first()
        except sa.exc.SQLAlchemyError as exc:
            raise LedgerError(f"ledger {self._shown()}: cannot read ({_reason(exc)})") from None
        return None if row is None else self._entry(row)

    def entries(self) -> Iterator[LedgerEntry]:
        """Every recorded grading, oldest first (for exports and reports)."""
        query = sa.select(_table).order_by(_table.c.reported_ns, _table.c.learner, _table.c.lab)
        try:
            with self._engine.connect() as conn:
                rows = list(conn.execute(query).mappings())
        except sa.exc.SQLAlchemyError as exc:
            raise LedgerError(f"ledger {self._shown()}: cannot read ({_reason(exc)})") from None
        for row in rows:
            yield self._entry(row)

    def count(self) -> int:
        with self._engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(_table)).scalar_one())

    def _entry(self, row: Any) -> LedgerEntry:
        text = row["result_json"]
        if hashlib.sha256(text.encode("utf-8")).hexdigest() != row["result_sha256"]:
            raise LedgerError(
                f"ledger {self._shown()}: the row of {row['learner']}/{row['lab']} does not "
                "match its checksum (edited outside infralab?)"
            )
        key = LedgerKey(**{k: row[k] for k in _KEY_COLUMNS if k != "variant_seed"},
                        variant_seed=int(row["variant_seed"]))  # fmt: skip
        return LedgerEntry(key, json.loads(text), row["graded_at"], bool(row["gradebook_synced"]),
                           row["grading_seconds"], int(row["reported_ns"]))  # fmt: skip

    # ----------------------------------------------------------------------- writing
    def record(
        self, key: LedgerKey, result: dict[str, Any], *, seconds: float | None = None
    ) -> LedgerEntry:
        """Record a result under ``key`` in one transaction, replacing a row with that key.

        ``seconds``: how long judging took. The row is not yet ``gradebook_synced``: call
        :meth:`mark_synced` after the gradebook write. Returns what was recorded.
        """
        text = json.dumps(result, sort_keys=True)
        graded_at = _now()
        reported_ns = time.time_ns()
        row = {
            **key.as_row(),
            "result_json": text,
            "result_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
            "graded_at": graded_at,
            "gradebook_synced": False,
            "reported_ns": reported_ns,
            "grading_seconds": seconds,
        }
        cond = sa.and_(*(_table.c[k] == v for k, v in key.as_row().items()))
        with self._lock:
            try:
                with self._engine.begin() as conn:  # one transaction: the whole row or none
                    conn.execute(sa.delete(_table).where(cond))
                    conn.execute(sa.insert(_table).values(**row))
            except sa.exc.SQLAlchemyError as exc:
                raise LedgerError(
                    f"ledger {self._shown()}: cannot write ({_reason(exc)})"
                ) from None
        return LedgerEntry(key, json.loads(text), graded_at, False, seconds, reported_ns)

    def mark_synced(self, key: LedgerKey) -> None:
        """Say that the gradebook now holds this row's result, and so no other of the lab's.

        The gradebook keeps one submission per learner and lab: the learner's other rows of
        the lab are no longer in it (a learner who goes back to an earlier notebook gets that
        one written to the gradebook again on the next run).
        """
        cond = sa.and_(*(_table.c[k] == v for k, v in key.as_row().items()))
        same_lab = sa.and_(_table.c.learner == key.learner, _table.c.lab == key.lab)
        with self._lock, self._engine.begin() as conn:
            conn.execute(sa.update(_table).where(same_lab).values(gradebook_synced=False))
            conn.execute(sa.update(_table).where(cond).values(gradebook_synced=True))

    def touch(self, key: LedgerKey) -> None:
        """Make this row the learner's current one for the lab (a skipped resubmission)."""
        cond = sa.and_(*(_table.c[k] == v for k, v in key.as_row().items()))
        with self._lock, self._engine.begin() as conn:
            conn.execute(sa.update(_table).where(cond).values(reported_ns=time.time_ns()))

    def current(self) -> list[LedgerEntry]:
        """Each learner's current result per lab (the latest reported), by lab then learner."""
        latest: dict[tuple[str, str], LedgerEntry] = {}
        for entry in self.entries():  # ordered by reported_ns: later ones replace earlier
            latest[(entry.key.learner, entry.key.lab)] = entry
        return [latest[k] for k in sorted(latest, key=lambda k: (k[1], k[0]))]

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _reason(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    return str(orig or exc).splitlines()[0]
