"""infralab certify: the best attempt per lab, the policy's thresholds, and refusals that name
what is missing."""

from __future__ import annotations

import json

import pytest
from certify_results import NOW, POLICY, make_result, passing_track_a, write_result

from infralab.grading.certify import Refusal, certify, verify_proof


def _certify(tmp_path, keys, results, **kw):
    return certify(
        candidate=kw.pop("candidate", "cand-1"),
        track="A",
        results=results,
        policy=POLICY,
        keys_dir=keys,
        out=tmp_path / "out",
        status_dir=tmp_path / "status",
        now=NOW,
        **kw,
    )


def test_issued_credential_is_an_open_badge_with_the_evidence(issued):
    c = issued.credential
    assert c["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert c["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert "ob/v3p0" in c["@context"][1]
    assert c["issuer"]["id"].startswith("did:key:z6Mk")
    assert c["validFrom"] == "2026-12-01T12:00:00Z" and c["validUntil"] == "2029-11-30T12:00:00Z"
    ach = c["credentialSubject"]["achievement"]
    assert ach["name"].startswith("Track A") and ach["achievementType"] == "Certificate"
    assert "a1-topologies: at least 70%" in ach["criteria"]["narrative"]
    labs = {e["lab"]: e for e in c["evidence"]}
    assert set(labs) == {"00-orientation", "a1-topologies", "a2-resilience"}
    ev = labs["a1-topologies"]
    assert (ev["score"], ev["maxScore"], ev["hiddenScore"], ev["hiddenMaxScore"]) == (
        94,
        100,
        67,
        73,
    )
    for field in (
        "submissionSha256",
        "labSourceSha256",
        "variantSeed",
        "graderVersion",
        "courseVersion",
        "gradedAt",
        "attempt",
    ):
        assert ev[field], field
    assert isinstance(ev["variantSeed"], str) and int(ev["variantSeed"]) > 2**53  # exact digits
    assert c["credentialStatus"]["type"] == "BitstringStatusListEntry"
    assert c["proof"]["cryptosuite"] == "eddsa-jcs-2022"
    assert verify_proof(c)[0]
    assert json.loads(issued.json_path.read_text()) == c
    assert issued.html_path.exists()


def test_best_attempt_counts_and_later_attempts_beyond_the_policy_are_ignored(
    tmp_path, keys, results
):
    write_result(results, make_result("cand-1", "a2-resilience", 2))  # full marks
    write_result(results, make_result("cand-1", "a1-topologies", 2, failed=("task1-hidden",)))
    write_result(results, make_result("cand-1", "00-orientation", 4))  # attempt 4 > 3 allowed
    c = _certify(tmp_path, keys, results).credential
    attempts = {e["lab"]: (e["attempt"], e["score"]) for e in c["evidence"]}
    assert attempts == {
        "00-orientation": (1, 100),
        "a1-topologies": (1, 94),
        "a2-resilience": (2, 100),
    }


def _refusal(tmp_path, keys, results) -> str:
    with pytest.raises(Refusal) as err:
        _certify(tmp_path, keys, results)
    assert not (tmp_path / "out" / "credential.json").exists()
    return str(err.value)


def test_refused_when_a_lab_is_missing(tmp_path, keys, results):
    (results / "cand-1" / "a2-resilience" / "attempt-1.json").unlink()
    msg = _refusal(tmp_path, keys, results)
    assert "lab a2-resilience: no certification result" in msg


def test_refused_below_the_lab_threshold(tmp_path, keys, results):
    write_result(
        results,
        make_result(
            "cand-1",
            "a1-topologies",
            1,
            failed=(
                "task1-visible",
                "task2-visible",
                "task3-visible",
                "task4-visible",
                "task5-visible",
                "task1-hidden",
            ),
        ),
    )
    msg = _refusal(tmp_path, keys, results)
    assert "lab a1-topologies: best attempt (1) scored 65% (65/100), 70% required" in msg


def test_refused_below_the_hidden_test_minimum(tmp_path, keys, results):
    hidden = ("task1-hidden", "task2-hidden", "task3-hidden")
    write_result(results, make_result("cand-1", "00-orientation", 1, failed=hidden))
    msg = _refusal(tmp_path, keys, results)
    assert "lab 00-orientation: hidden tests of attempt 1 scored 35.7% (25/70), 60% required" in msg


def test_refused_below_the_overall_threshold(tmp_path, keys, results):
    for lab, failed in [
        ("00-orientation", ("task1-visible", "task2-visible", "task3-visible", "task3-hidden2")),
        ("a1-topologies", tuple(f"task{i}-visible" for i in range(1, 6))),
        ("a2-resilience", tuple(f"task{i}-visible" for i in range(1, 6))),
    ]:
        write_result(results, make_result("cand-1", lab, 1, failed=failed))
    msg = _refusal(tmp_path, keys, results)
    assert msg.endswith("- overall: 67.7% (203/300) of the track's points, 75% required")
    assert msg.count("\n  - ") == 1  # every lab passes on its own


@pytest.mark.parametrize(
    "override,why",
    [
        ({"sandbox": {"kind": "none"}}, "graded without the bubblewrap sandbox"),
        ({"certification": False}, "not graded for certification"),
        ({"learner": "cand-2"}, "records learner 'cand-2'"),
        ({"attempt": 2}, "records attempt 2, file name says 1"),
        ({"graded_at": "yesterday"}, "graded_at is not an ISO 8601 time"),
        ({"hidden_score": None}, "field 'hidden_score' missing or malformed"),
    ],
)
def test_only_certification_results_in_bubblewrap_count(tmp_path, keys, results, override, why):
    result = {**make_result("cand-1", "a2-resilience", 1), **override}
    path = results / "cand-1" / "a2-resilience" / "attempt-1.json"
    path.write_text(json.dumps(result))
    msg = _refusal(tmp_path, keys, results)
    assert "lab a2-resilience: no attempt counts" in msg and why in msg


def test_refusal_lists_every_problem_at_once(tmp_path, keys, results):
    (results / "cand-1" / "a2-resilience" / "attempt-1.json").unlink()
    write_result(results, make_result("cand-1", "00-orientation", 1, sandbox={"kind": "none"}))
    msg = _refusal(tmp_path, keys, results)
    assert "a2-resilience" in msg and "00-orientation" in msg


def test_a_track_without_labs_is_refused(tmp_path, keys, results):
    with pytest.raises(Refusal, match="track B has no labs"):
        certify(
            candidate="cand-1",
            track="B",
            results=results,
            policy=POLICY,
            keys_dir=keys,
            out=tmp_path / "o",
            status_dir=tmp_path / "s",
            now=NOW,
        )


def test_each_credential_gets_its_own_status_index(tmp_path, keys, results):
    passing_track_a(results, "cand-2")
    a = _certify(tmp_path, keys, results)
    b = certify(
        candidate="cand-2",
        track="A",
        results=results,
        policy=POLICY,
        keys_dir=keys,
        out=tmp_path / "out2",
        status_dir=tmp_path / "status",
        now=NOW,
    )
    assert (a.status_index, b.status_index) == (0, 1)
    assert a.credential["id"] != b.credential["id"]


@pytest.mark.parametrize("bad", ["../x", "a/b", ".hidden", ""])
def test_a_candidate_id_is_a_plain_folder_name(tmp_path, keys, results, bad):
    from infralab.grading.certify import ResultError

    with pytest.raises(ResultError):
        _certify(tmp_path, keys, results, candidate=bad)
