"""The grading ledger: keys, idempotent reruns, --force, the gradebook kept in step."""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import replace

import pytest
from cohort_helpers import LAB, json_lines, write_cohort

from infralab.grading.cli import main
from infralab.grading.cohort import Ledger, LedgerError, LedgerKey, settings_sha256
from infralab.grading.grade._grade import GradeOptions, grade_paths
from infralab.grading.grade._judge import JudgeOptions
from infralab.grading.sandbox._sandbox import SandboxConfig


def _key(**kw) -> LedgerKey:
    base = dict(learner="ann", lab=LAB, submission_sha256="a" * 64, source_sha256="b" * 64,
                grader_version="0.1.0", variant_seed=0, settings_sha256="c" * 64)  # fmt: skip
    return LedgerKey(**{**base, **kw})


def test_a_row_is_found_by_its_whole_key_and_replaced_whole(tmp_path):
    with Ledger(f"sqlite:///{tmp_path / 'ledger.db'}") as ledger:
        ledger.record(_key(), {"score": 1.0, "flags": []})
        assert ledger.lookup(_key()) is not None
        # every key field counts: another value of any one is another grading
        for field in ("learner", "lab", "submission_sha256", "source_sha256", "grader_version",
                      "settings_sha256"):  # fmt: skip
            assert ledger.lookup(_key(**{field: "x"})) is None, field
        assert ledger.lookup(_key(variant_seed=2**62 + 1)) is None
        ledger.record(_key(variant_seed=2**62 + 1), {"score": 2.0, "flags": []})
        assert ledger.lookup(_key(variant_seed=2**62 + 1)).result["score"] == 2.0  # exact seed
        ledger.record(_key(), {"score": 3.0, "flags": []})  # --force: replaced, not doubled
        assert ledger.count() == 2
        entry = ledger.lookup(_key())
        assert entry.result == {"score": 3.0, "flags": []}
        assert entry.gradebook_synced is False
        ledger.mark_synced(_key())
        assert ledger.lookup(_key()).gradebook_synced is True


def test_sqlite_ledger_is_in_wal_mode_and_a_tampered_row_is_refused(tmp_path):
    path = tmp_path / "ledger.db"
    with Ledger(f"sqlite:///{path}") as ledger:
        ledger.record(_key(), {"score": 1.0})
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.execute("UPDATE infralab_ledger SET result_json = '{\"score\": 10.0}'")
    db.commit()
    db.close()
    with Ledger(f"sqlite:///{path}") as ledger, pytest.raises(LedgerError, match="checksum"):
        ledger.lookup(_key())


def test_bad_ledger_urls_are_named(tmp_path):
    with pytest.raises(LedgerError, match="nonsense"):
        Ledger("nonsense://x")
    not_a_db = tmp_path / "notes.txt"
    not_a_db.write_text("hello, this is not a database" * 100)
    with pytest.raises(LedgerError, match="notes.txt"):
        Ledger(f"sqlite:///{not_a_db}")


def test_threads_record_concurrently_without_loss(tmp_path):
    with Ledger(f"sqlite:///{tmp_path / 'ledger.db'}") as ledger:

        def write(i: int) -> None:
            for j in range(20):
                ledger.record(_key(learner=f"l{i}-{j}"), {"i": i, "j": j})

        threads = [threading.Thread(target=write, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert ledger.count() == 80
        assert {(e.result["i"], e.result["j"]) for e in ledger.entries()} == {
            (i, j) for i in range(4) for j in range(20)
        }


def test_settings_digest_changes_with_verdict_settings_not_with_parallelism():
    judge = JudgeOptions()
    same = settings_sha256(judge)
    cpus = replace(judge, sandbox=replace(judge.sandbox, sandbox_cpus=0.5))
    assert settings_sha256(cpus) == same  # --workers 2 and --cluster local:2 are one grading
    assert settings_sha256(GradeOptions(workers=4).judge) == same
    assert settings_sha256(replace(judge, cell_timeout=5.0)) != same
    assert settings_sha256(replace(judge, sandbox=SandboxConfig(use_bwrap=False))) != same
    assert settings_sha256(replace(judge, only_tasks=frozenset({"task1"}))) != same


@pytest.mark.slow
@pytest.mark.needs_bwrap
def test_rerun_skips_what_is_recorded_and_force_regrades(sandbox, course, spec, tmp_path, capsys):
    root = write_cohort(spec, tmp_path / "submitted", ["full", "none", "task1"])
    args = ["--course", str(course.root), "grade", str(root), "--json", "--no-gradebook"]
    assert main(args) == 0
    first = json_lines(capsys.readouterr().out)
    assert [r["score"] for r in first] == [20.0, 0.0, 10.0]
    assert all("ledger" not in r for r in first)

    # a new notebook for one learner: only that one is graded again
    write_cohort(spec, tmp_path / "other", ["full"])
    new = (tmp_path / "other" / "learner-00" / LAB / f"{LAB}.ipynb").read_text()
    (root / "learner-01" / LAB / f"{LAB}.ipynb").write_text(new.replace("learner-00", "x"))
    assert main(args) == 0
    out, err = capsys.readouterr()
    second = json_lines(out)
    assert [r.get("ledger", {}).get("skipped", False) for r in second] == [True, False, True]
    assert second[1]["score"] == 20.0
    for before, after in ((first[0], second[0]), (first[2], second[2])):
        recorded = dict(after)
        assert recorded.pop("ledger")["graded_at"]
        assert recorded == before  # the recorded result, as first printed
    assert "graded 1, skipped 2" in err

    assert main([*args, "--force"]) == 0
    out, err = capsys.readouterr()
    assert all("ledger" not in r for r in json_lines(out))
    assert "graded 3, skipped 0" in err
    with Ledger(f"sqlite:///{course.grader / 'ledger.db'}") as ledger:
        assert ledger.count() == 4  # learner-01's first notebook is still on record


@pytest.mark.slow
@pytest.mark.needs_bwrap
def test_gradebook_catches_up_with_the_ledger(sandbox, course, spec, tmp_path):
    """A ledger row not yet in the gradebook (a crash in between) is written there next run."""
    from nbgrader.api import Gradebook

    from infralab.grading.grade._gradebook import db_url

    root = write_cohort(spec, tmp_path / "submitted", ["full", "task2"])
    options = GradeOptions(ledger=True, gradebook=False, workers=2)
    assert [o.result["score"] for o in grade_paths(course, [root], options)] == [20.0, 10.0]
    with Ledger(f"sqlite:///{course.grader / 'ledger.db'}") as ledger:
        assert [e.gradebook_synced for e in ledger.entries()] == [False, False]
    assert not course.gradebook.exists()

    outcomes = list(grade_paths(course, [root], replace(options, gradebook=True)))
    assert [o.result["ledger"]["skipped"] for o in outcomes] == [True, True]
    with Gradebook(db_url(course)) as gb:
        scores = {s.student.id: s.score for s in gb.assignment_submissions(LAB)}
    assert scores == {"learner-00": 20.0, "learner-01": 10.0}
    with Ledger(f"sqlite:///{course.grader / 'ledger.db'}") as ledger:
        assert [e.gradebook_synced for e in ledger.entries()] == [True, True]
        assert ledger.count() == 2

    # learner-01 hands in a full solution, then goes back to the first notebook: that one is
    # not graded again, but it is the learner's current result in the gradebook and exports
    nb = root / "learner-01" / LAB / f"{LAB}.ipynb"
    first = nb.read_text()
    nb.write_text((root / "learner-00" / LAB / f"{LAB}.ipynb").read_text())
    options = replace(options, gradebook=True)
    assert [o.result.get("ledger") is None for o in grade_paths(course, [root], options)] == [
        False,
        True,
    ]
    nb.write_text(first)
    outcomes = list(grade_paths(course, [root], options))
    assert [o.result["ledger"]["skipped"] for o in outcomes] == [True, True]
    with Gradebook(db_url(course)) as gb:
        scores = {s.student.id: s.score for s in gb.assignment_submissions(LAB)}
    assert scores == {"learner-00": 20.0, "learner-01": 10.0}
    with Ledger(f"sqlite:///{course.grader / 'ledger.db'}") as ledger:
        assert ledger.count() == 3
        current = {e.key.learner: e.result["score"] for e in ledger.current()}
        assert current == {"learner-00": 20.0, "learner-01": 10.0}
        synced = sorted((e.key.learner, e.result["score"]) for e in ledger.entries()
                        if e.gradebook_synced)  # fmt: skip
        assert synced == [("learner-00", 20.0), ("learner-01", 10.0)]


@pytest.mark.slow
@pytest.mark.needs_bwrap
def test_certification_results_are_restored_from_the_ledger(sandbox, course, spec, tmp_path):
    """A certification rerun grades nothing again but rewrites a missing attempt file."""
    import json

    from infralab.grading.grade._variant import new_variant_key

    root = write_cohort(spec, tmp_path / "submitted", ["full", "task1"])
    key = new_variant_key(tmp_path / "variant.key").read_bytes().strip()
    options = GradeOptions(judge=JudgeOptions(certification=True), ledger=True, gradebook=False,
                           variant_key=key, results_dir=tmp_path / "results")  # fmt: skip
    first = [o.result for o in grade_paths(course, [root], options)]
    assert all(r["certification"] and r["variant_seed"] != 0 for r in first)
    kept = tmp_path / "results" / "learner-01" / LAB / "attempt-1.json"
    assert json.loads(kept.read_text()) == first[1]
    kept.unlink()
    again = [o.result for o in grade_paths(course, [root], options)]
    assert [r["ledger"]["skipped"] for r in again] == [True, True]
    assert json.loads(kept.read_text()) == first[1]  # restored, without the skip mark
    with Ledger(f"sqlite:///{course.grader / 'ledger.db'}") as ledger:
        seeds = sorted(e.key.variant_seed for e in ledger.entries())
    assert seeds == sorted(r["variant_seed"] for r in first)
    # another attempt is another seed: graded, not skipped
    third = [o.result for o in grade_paths(course, [root], replace(options, attempt=2))]
    assert all("ledger" not in r and r["attempt"] == 2 for r in third)
