"""The certification policy (``grader/policy.yaml``): tracks, labs, thresholds, attempts.

A malformed policy is refused with :class:`PolicyError` naming the file and the field path
(``grader/policy.yaml: tracks.A.labs.a1-topologies.min_score: ...``). Thresholds are fractions
of the points (0 to 1).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = ["LabRule", "Policy", "PolicyError", "Track", "load_policy"]

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class PolicyError(Exception):
    """A malformed policy: the message names the file and the field."""


@dataclass(frozen=True)
class LabRule:
    lab: str
    min_score: float
    min_hidden: float


@dataclass(frozen=True)
class Track:
    id: str
    name: str
    description: str
    achievement_id: str
    labs: tuple[LabRule, ...]
    min_overall: float
    min_hidden: float


@dataclass(frozen=True)
class Policy:
    path: Path
    version: str
    sha256: str
    issuer_name: str
    issuer_url: str | None
    status_list_url: str
    status_list_size: int
    attempts: int
    validity_days: int
    tracks: dict[str, Track] = field(default_factory=dict)

    def track(self, track_id: str) -> Track:
        try:
            return self.tracks[track_id]
        except KeyError:
            known = ", ".join(sorted(self.tracks)) or "none"
            raise PolicyError(
                f"{self.path}: tracks: no track {track_id!r} (known: {known})"
            ) from None

    def criteria(self, track: Track) -> str:
        """The policy of one track in words (the credential's criteria narrative)."""
        lines = [
            f"Certification policy {self.version} (sha256 {self.sha256}), track {track.id}.",
            "Each lab below must be passed in certification grading (bubblewrap sandbox, "
            "hidden tests with inputs drawn from a seed bound to candidate, lab and attempt), "
            f"best of at most {self.attempts} attempt{'s' if self.attempts != 1 else ''} per lab:",
        ]
        for rule in track.labs:
            lines.append(
                f"- {rule.lab}: at least {_pct(rule.min_score)} of the points and "
                f"{_pct(rule.min_hidden)} of the hidden-test points"
            )
        lines.append(
            f"Overall at least {_pct(track.min_overall)} of the points of these labs. "
            f"Valid for {self.validity_days} days from issue unless revoked."
        )
        return "\n".join(lines)


def _pct(x: float) -> str:
    return f"{x * 100:g}%"


def _get(data: dict[str, Any], key: str, where: str, kind: type | tuple[type, ...]) -> Any:
    if key not in data:
        raise PolicyError(f"{where}{key}: missing")
    value = data[key]
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise PolicyError(f"{where}{key}: expected {_kind(kind)}, got {value!r}")
    return value


def _kind(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(
        {int: "an integer", float: "a number", str: "text", dict: "a mapping"}.get(k, k.__name__)
        for k in kinds
    )


def _fraction(data: dict[str, Any], key: str, where: str, default: float | None = None) -> float:
    if key not in data and default is not None:
        return default
    value = _get(data, key, where, (int, float))
    if not 0 <= value <= 1:
        raise PolicyError(f"{where}{key}: a fraction of the points, 0 to 1, got {value!r}")
    return float(value)


def _positive(data: dict[str, Any], key: str, where: str) -> int:
    value = _get(data, key, where, int)
    if value < 1:
        raise PolicyError(f"{where}{key}: must be at least 1, got {value!r}")
    return int(value)


_TOP = {"version", "issuer", "attempts", "validity_days", "status_list", "tracks"}
_TRACK = {"name", "description", "achievement_id", "labs", "min_overall", "min_hidden"}
_LAB = {"min_score", "min_hidden"}


def _unknown(data: dict[str, Any], allowed: set[str], where: str) -> None:
    for key in data:
        if key not in allowed:
            raise PolicyError(
                f"{where}{key}: unknown field (allowed: {', '.join(sorted(allowed))})"
            )


def load_policy(path: str | Path) -> Policy:
    """Read and check a policy file; :class:`PolicyError` names the file and field."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise PolicyError(f"{p}: cannot read the policy ({exc.strerror})") from None
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise PolicyError(f"{p}: not YAML: {exc}") from None
    try:
        return _parse(p, data, hashlib.sha256(raw).hexdigest())
    except PolicyError as exc:
        raise PolicyError(f"{p}: {exc}") from None


def _parse(p: Path, data: Any, sha: str) -> Policy:
    if not isinstance(data, dict):
        raise PolicyError("the policy must be a mapping")
    _unknown(data, _TOP, "")
    version = _get(data, "version", "", (str, int, float))
    issuer = _get(data, "issuer", "", dict)
    _unknown(issuer, {"name", "url"}, "issuer.")
    issuer_name = _get(issuer, "name", "issuer.", str)
    issuer_url = issuer.get("url")
    if issuer_url is not None and not (isinstance(issuer_url, str) and "://" in issuer_url):
        raise PolicyError(f"issuer.url: expected a URL, got {issuer_url!r}")
    status = _get(data, "status_list", "", dict)
    _unknown(status, {"url", "size"}, "status_list.")
    status_url = _get(status, "url", "status_list.", str)
    if "://" not in status_url:
        raise PolicyError(f"status_list.url: expected a URL, got {status_url!r}")
    size = status.get("size", 131072)
    if not isinstance(size, int) or isinstance(size, bool) or size < 131072 or size % 8:
        raise PolicyError(
            f"status_list.size: a multiple of 8, at least 131072 bits (16 KB), got {size!r}"
        )
    attempts = _positive(data, "attempts", "")
    validity = _positive(data, "validity_days", "")
    tracks_raw = _get(data, "tracks", "", dict)
    if not tracks_raw:
        raise PolicyError("tracks: at least one track")
    tracks: dict[str, Track] = {}
    for tid, t in tracks_raw.items():
        where = f"tracks.{tid}."
        if not isinstance(tid, str) or not _ID.match(tid):
            raise PolicyError(f"tracks.{tid}: a track id is letters, digits, '.', '_', '-'")
        if not isinstance(t, dict):
            raise PolicyError(f"tracks.{tid}: expected a mapping, got {t!r}")
        _unknown(t, _TRACK, where)
        min_hidden = _fraction(t, "min_hidden", where)
        labs_raw = t.get("labs") or {}
        if not isinstance(labs_raw, dict):
            raise PolicyError(f"{where}labs: expected a mapping of lab ids, got {labs_raw!r}")
        rules = []
        for lab, rule in labs_raw.items():
            lw = f"{where}labs.{lab}."
            if not isinstance(lab, str) or not _ID.match(lab):
                raise PolicyError(f"{where}labs.{lab}: not a lab id")
            if not isinstance(rule, dict):
                raise PolicyError(f"{where}labs.{lab}: expected a mapping, got {rule!r}")
            _unknown(rule, _LAB, lw)
            rules.append(
                LabRule(
                    lab,
                    _fraction(rule, "min_score", lw),
                    _fraction(rule, "min_hidden", lw, min_hidden),
                )
            )
        tracks[tid] = Track(
            id=tid,
            name=_get(t, "name", where, str),
            description=str(t.get("description", "")),
            achievement_id=str(t.get("achievement_id") or f"urn:infralab:achievement:track-{tid}"),
            labs=tuple(rules),
            min_overall=_fraction(t, "min_overall", where),
            min_hidden=min_hidden,
        )
    return Policy(
        path=p,
        version=str(version),
        sha256=sha,
        issuer_name=issuer_name,
        issuer_url=issuer_url,
        status_list_url=status_url,
        status_list_size=size,
        attempts=attempts,
        validity_days=validity,
        tracks=tracks,
    )
