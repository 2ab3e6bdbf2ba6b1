"""Result files as `infralab grade --certification` writes them, for the certification tests.

`grader/results/<candidate>/<lab>/attempt-<N>.json`, with exactly the documented fields.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
# A fixed policy (the one the committed example credential was issued under, track A = the
# three labs below), so these tests do not change each time a lab joins grader/policy.yaml.
POLICY = ROOT / "docs" / "examples" / "policy.yaml"
NOW = dt.datetime(2026, 12, 1, 12, 0, 0, tzinfo=dt.UTC)

# (grade_id, max_points, hidden) of the track A labs, as in solutions/ (100 points each).
LABS: dict[str, list[tuple[str, int, bool]]] = {
    "00-orientation": [
        ("task1-visible", 10, False),
        ("task1-hidden", 15, True),
        ("task2-visible", 10, False),
        ("task2-hidden", 15, True),
        ("task2-hidden2", 15, True),
        ("task3-visible", 10, False),
        ("task3-hidden", 15, True),
        ("task3-hidden2", 10, True),
    ],
    "a1-topologies": [
        ("task1-visible", 6, False),
        ("task1-hidden", 8, True),
        ("task1-hidden2", 6, True),
        ("task2-visible", 6, False),
        ("task2-hidden", 10, True),
        ("task2-hidden2", 6, True),
        ("task3-visible", 5, False),
        ("task3-hidden", 8, True),
        ("task3-hidden2", 6, True),
        ("task4-visible", 5, False),
        ("task4-hidden", 7, True),
        ("task4-hidden2", 7, True),
        ("task5-visible", 5, False),
        ("task5-hidden", 8, True),
        ("task5-hidden2", 7, True),
    ],
    "a2-resilience": [
        ("task1-visible", 6, False),
        ("task1-hidden", 7, True),
        ("task1-hidden2", 7, True),
        ("task2-visible", 5, False),
        ("task2-hidden", 5, True),
        ("task2-hidden2", 5, True),
        ("task3-visible", 8, False),
        ("task3-hidden", 8, True),
        ("task3-hidden2", 8, True),
        ("task3-hidden3", 6, True),
        ("task4-visible", 6, False),
        ("task4-hidden", 7, True),
        ("task4-hidden2", 7, True),
        ("task5-visible", 5, False),
        ("task5-hidden", 5, True),
        ("task5-hidden2", 5, True),
    ],
}


def make_result(
    candidate: str,
    lab: str,
    attempt: int = 1,
    *,
    failed: tuple[str, ...] = (),
    graded_at: str = "2026-11-20T10:00:00Z",
    **overrides: Any,
) -> dict[str, Any]:
    """A result in which every grade cell passes except the grade ids in ``failed``."""
    tasks = []
    for gid, pts, hidden in LABS[lab]:
        ok = gid not in failed
        tasks.append(
            {
                "grade_id": gid,
                "task": gid.split("-")[0],
                "hidden": hidden,
                "points": pts if ok else 0,
                "max_points": pts,
                "status": "pass" if ok else "fail",
            }
        )
    seed = int.from_bytes(hashlib.sha256(f"{candidate}/{lab}/{attempt}".encode()).digest()[:8])
    result = {
        "lab": lab,
        "learner": candidate,
        "score": sum(t["points"] for t in tasks),
        "max_score": sum(t["max_points"] for t in tasks),
        "hidden_score": sum(t["points"] for t in tasks if t["hidden"]),
        "hidden_max_score": sum(t["max_points"] for t in tasks if t["hidden"]),
        "tasks": tasks,
        "flags": [],
        "sandbox": {
            "kind": "bubblewrap",
            "uid_dropped": True,
            "network_isolated": True,
            "filesystem_isolated": True,
            "missing": [],
        },
        "certification": True,
        "attempt": attempt,
        "variant_seed": seed >> 1 or 1,
        "submission_sha256": hashlib.sha256(
            f"submission {candidate} {lab} {attempt}".encode()
        ).hexdigest(),
        "lab_source_sha256": hashlib.sha256(f"source {lab}".encode()).hexdigest(),
        "grader_version": "0.1.0",
        "course_version": "2026.11",
        "graded_at": graded_at,
    }
    result.update(overrides)
    return result


def write_result(results: Path, result: dict[str, Any]) -> Path:
    path = results / result["learner"] / result["lab"] / f"attempt-{result['attempt']}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def passing_track_a(results: Path, candidate: str) -> None:
    """Results that meet track A: one failed hidden cell in a1, full marks elsewhere."""
    write_result(results, make_result(candidate, "00-orientation"))
    write_result(results, make_result(candidate, "a1-topologies", failed=("task2-hidden2",)))
    write_result(results, make_result(candidate, "a2-resilience", failed=("task3-hidden3",)))
