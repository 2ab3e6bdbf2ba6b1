"""``infralab certify``: from recorded certification results to a signed Open Badge.

Reads ``<results>/<candidate>/<lab>/attempt-<N>.json`` (written by ``infralab grade
--certification``), keeps per lab the best eligible attempt (graded in the bubblewrap sandbox
with ``certification: true``, within the policy's attempts, for this candidate and lab),
checks the track's thresholds and, when every one is met, builds an Open Badges 3.0
``OpenBadgeCredential`` (VC Data Model 2.0) whose achievement is the track, whose criteria
state the policy and whose evidence lists each lab's graded facts. Otherwise
:class:`Refusal` lists every requirement that is not met.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infralab.grading.certify._policy import LabRule, Policy, Track

__all__ = [
    "Attempt",
    "Refusal",
    "ResultError",
    "build_credential",
    "check_policy",
    "iso",
    "read_results",
]

VC2 = "https://www.w3.org/ns/credentials/v2"
OB3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
NAMESPACE = uuid.UUID("6f1d3c2a-9a55-5a8e-8b1e-1e0c2a3b4d5f")
_ATTEMPT = re.compile(r"^attempt-([1-9][0-9]*)\.json$")
_CANDIDATE = re.compile(r"^[^/\\\x00-\x1f.][^/\\\x00-\x1f]*$")
REQUIRED: dict[str, type | tuple[type, ...]] = {
    "lab": str,
    "learner": str,
    "score": (int, float),
    "max_score": (int, float),
    "hidden_score": (int, float),
    "hidden_max_score": (int, float),
    "tasks": list,
    "sandbox": dict,
    "certification": bool,
    "attempt": int,
    "variant_seed": int,
    "submission_sha256": str,
    "lab_source_sha256": str,
    "grader_version": str,
    "course_version": str,
    "graded_at": str,
}


class ResultError(Exception):
    """An unusable candidate id or results directory."""


class Refusal(Exception):
    """The candidate does not meet the policy; ``reasons`` says what is missing."""

    def __init__(self, candidate: str, track: str, reasons: list[str]) -> None:
        self.reasons = reasons
        lines = "\n".join(f"  - {r}" for r in reasons)
        super().__init__(f"{candidate} does not meet track {track} of the policy:\n{lines}")


def iso(t: dt.datetime) -> str:
    """ISO 8601 UTC with seconds and a Z (the form every date in a credential has)."""
    return t.astimezone(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: Any) -> dt.datetime | None:
    if not isinstance(text, str):
        return None
    try:
        t = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo else None


@dataclass
class Attempt:
    path: Path
    data: dict[str, Any]
    problems: list[str] = field(default_factory=list)

    @property
    def number(self) -> int:
        return int(self.data.get("attempt", 0))

    def fraction(self) -> float:
        m = self.data["max_score"]
        return self.data["score"] / m if m else 0.0

    def hidden_fraction(self) -> float:
        m = self.data["hidden_max_score"]
        return self.data["hidden_score"] / m if m else 0.0


def check_candidate(candidate: str) -> None:
    if not isinstance(candidate, str) or not _CANDIDATE.match(candidate) or candidate in {"", ".."}:
        raise ResultError(f"candidate id {candidate!r}: not a folder name (no '/', no leading '.')")


def read_results(results: Path, candidate: str, lab: str, policy: Policy) -> list[Attempt]:
    """Every ``attempt-<N>.json`` of one candidate and lab, each with its problems (if any)."""
    check_candidate(candidate)
    d = results / candidate / lab
    attempts: list[Attempt] = []
    if not d.is_dir():
        return attempts
    for p in sorted(d.iterdir()):
        m = _ATTEMPT.match(p.name)
        if not m or p.is_symlink() or not p.is_file():
            continue
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            attempts.append(Attempt(p, {}, [f"{p}: not a JSON result ({exc})"]))
            continue
        a = Attempt(p, data if isinstance(data, dict) else {})
        for name, kind in REQUIRED.items():
            v = a.data.get(name)
            if not isinstance(v, kind) or (kind is not bool and isinstance(v, bool)):
                a.problems.append(f"{p}: field {name!r} missing or malformed")
        if a.problems:
            attempts.append(a)
            continue
        n = int(m.group(1))
        if a.data["attempt"] != n:
            a.problems.append(f"{p}: records attempt {a.data['attempt']}, file name says {n}")
        if a.data["lab"] != lab:
            a.problems.append(f"{p}: records lab {a.data['lab']!r}")
        if a.data["learner"] != candidate:
            a.problems.append(f"{p}: records learner {a.data['learner']!r}, not {candidate!r}")
        if a.data["certification"] is not True:
            a.problems.append(f"{p}: not graded for certification (practice grading)")
        kind = a.data["sandbox"].get("kind")
        if kind != "bubblewrap":
            a.problems.append(f"{p}: graded without the bubblewrap sandbox (sandbox {kind!r})")
        if n > policy.attempts:
            a.problems.append(f"{p}: attempt {n} is beyond the {policy.attempts} allowed")
        if parse_time(a.data["graded_at"]) is None:
            a.problems.append(f"{p}: graded_at is not an ISO 8601 time with a zone")
        if a.data["max_score"] <= 0 or a.data["hidden_max_score"] < 0:
            a.problems.append(f"{p}: max_score must be positive")
        attempts.append(a)
    return attempts


def _pct(x: float) -> str:
    return f"{x * 100:.1f}%".replace(".0%", "%")


def _meets(a: Attempt, rule: LabRule) -> list[str]:
    out = []
    if a.fraction() < rule.min_score:
        out.append(
            f"lab {rule.lab}: best attempt ({a.number}) scored {_pct(a.fraction())} "
            f"({a.data['score']:g}/{a.data['max_score']:g}), {_pct(rule.min_score)} required"
        )
    if a.data["hidden_max_score"] and a.hidden_fraction() < rule.min_hidden:
        out.append(
            f"lab {rule.lab}: hidden tests of attempt {a.number} scored "
            f"{_pct(a.hidden_fraction())} ({a.data['hidden_score']:g}/"
            f"{a.data['hidden_max_score']:g}), {_pct(rule.min_hidden)} required"
        )
    return out


def check_policy(results: Path, candidate: str, track: Track, policy: Policy) -> list[Attempt]:
    """The attempt counted per lab, or :class:`Refusal` naming everything that is missing."""
    reasons: list[str] = []
    chosen: list[Attempt] = []
    if not track.labs:
        raise Refusal(candidate, track.id, [f"track {track.id} has no labs in the policy yet"])
    for rule in track.labs:
        attempts = read_results(results, candidate, rule.lab, policy)
        eligible = [a for a in attempts if not a.problems]
        if not eligible:
            if not attempts:
                reasons.append(
                    f"lab {rule.lab}: no certification result "
                    f"({results / candidate / rule.lab}/attempt-<N>.json)"
                )
            else:
                reasons.append(f"lab {rule.lab}: no attempt counts:")
                reasons.extend(f"    {p}" for a in attempts for p in a.problems)
            continue
        # best: meets the lab's thresholds, then the highest score, then the latest attempt
        best = max(eligible, key=lambda a: (not _meets(a, rule), a.fraction(), a.number))
        problems = _meets(best, rule)
        reasons.extend(problems)
        chosen.append(best)
    if len(chosen) == len(track.labs):
        total = sum(a.data["score"] for a in chosen)
        most = sum(a.data["max_score"] for a in chosen)
        if most and total / most < track.min_overall:
            reasons.append(
                f"overall: {_pct(total / most)} ({total:g}/{most:g}) of the track's points, "
                f"{_pct(track.min_overall)} required"
            )
    if reasons:
        raise Refusal(candidate, track.id, reasons)
    return chosen


def _num(x: float) -> int | float:
    return int(x) if float(x).is_integer() else round(float(x), 6)


def build_credential(
    *,
    candidate: str,
    name: str | None,
    track: Track,
    policy: Policy,
    chosen: list[Attempt],
    issuer_did: str,
    now: dt.datetime,
    status_index: int,
) -> dict[str, Any]:
    """The unsigned OpenBadgeCredential (see the module docstring)."""
    valid_from = iso(now)
    valid_until = iso(now + dt.timedelta(days=policy.validity_days))
    cred_id = "urn:uuid:" + str(
        uuid.uuid5(NAMESPACE, "\x1f".join((issuer_did, candidate, track.id, valid_from)))
    )
    issuer: dict[str, Any] = {"id": issuer_did, "type": ["Profile"], "name": policy.issuer_name}
    if policy.issuer_url:
        issuer["url"] = policy.issuer_url
    identifiers = [
        {
            "type": "IdentityObject",
            "identityType": "identifier",
            "hashed": False,
            "identityHash": candidate,
        },
    ]
    if name:
        identifiers.append(
            {
                "type": "IdentityObject",
                "identityType": "name",
                "hashed": False,
                "identityHash": name,
            }
        )
    total = sum(a.data["score"] for a in chosen)
    most = sum(a.data["max_score"] for a in chosen)
    evidence = []
    results = []
    for a in chosen:
        r = a.data
        lab = r["lab"]
        evidence.append(
            {
                "id": f"urn:sha256:{r['submission_sha256']}",
                "type": ["Evidence"],
                "name": f"{lab}, attempt {r['attempt']}",
                "description": (
                    f"{lab}: {r['score']:g}/{r['max_score']:g} points, hidden tests "
                    f"{r['hidden_score']:g}/{r['hidden_max_score']:g}, graded {r['graded_at']}"
                ),
                "genre": "Graded lab submission",
                "lab": lab,
                "attempt": r["attempt"],
                "score": _num(r["score"]),
                "maxScore": _num(r["max_score"]),
                "hiddenScore": _num(r["hidden_score"]),
                "hiddenMaxScore": _num(r["hidden_max_score"]),
                "submissionSha256": r["submission_sha256"],
                "labSourceSha256": r["lab_source_sha256"],
                "variantSeed": str(r["variant_seed"]),  # 63-bit: a string keeps every digit
                "graderVersion": r["grader_version"],
                "courseVersion": r["course_version"],
                "sandbox": r["sandbox"].get("kind"),
                "gradedAt": r["graded_at"],
            }
        )
        results.append(
            {
                "type": ["Result"],
                "resultDescription": f"{track.achievement_id}#{lab}",
                "value": f"{r['score']:g}",
            }
        )
    achievement = {
        "id": track.achievement_id,
        "type": ["Achievement"],
        "achievementType": "Certificate",
        "name": track.name,
        "description": track.description or track.name,
        "criteria": {"narrative": policy.criteria(track)},
        "resultDescription": [
            {
                "id": f"{track.achievement_id}#{a.data['lab']}",
                "type": ["ResultDescription"],
                "name": f"{a.data['lab']}: points",
                "resultType": "RawScore",
                "valueMin": "0",
                "valueMax": f"{a.data['max_score']:g}",
            }
            for a in chosen
        ],
        "version": policy.version,
    }
    return {
        "@context": [VC2, OB3],
        "id": cred_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"{track.name}: {name or candidate}",
        "issuer": issuer,
        "validFrom": valid_from,
        "validUntil": valid_until,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": identifiers,
            "achievement": achievement,
            "result": results,
            "score": f"{total:g}/{most:g}",
            "policyVersion": policy.version,
            "policySha256": policy.sha256,
        },
        "evidence": evidence,
        "credentialStatus": {
            "id": f"{policy.status_list_url}#{status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(status_index),
            "statusListCredential": policy.status_list_url,
        },
    }
