"""Issuer keys under ``grader/keys/`` and the trusted issuer list.

``issuer-<n>.key`` are Ed25519 private keys (PKCS#8 PEM, mode 0600, the directory 0700),
written once with ``O_EXCL`` and never overwritten; the highest ``n`` signs. ``issuers.json``
is the public trusted issuer list: every key's ``did:key`` with the period it signed in, so a
rotation (``infralab keys rotate``) leaves every earlier certificate verifiable. Publish that
file; keep the ``.key`` files off any shared disk (``grader/`` is never mounted into the
grading sandbox, and ``grader/keys/`` is git-ignored).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from infralab.grading.certify._proof import ProofError, did_key, parse_strict, render
from infralab.grading.grade._variant import new_variant_key, read_secret_file

__all__ = [
    "KeyError_",
    "TrustedIssuer",
    "active_key",
    "init_keys",
    "load_private_key",
    "load_trusted_issuers",
    "rotate_keys",
    "write_private_key",
]

_KEY = re.compile(r"^issuer-(\d+)\.key$")
ISSUERS = "issuers.json"
VARIANT = "variant.key"


class KeyError_(Exception):  # noqa: N801 - not the builtin KeyError
    """A key or trusted issuer file is missing, unsafe or malformed (the message says which)."""


@dataclass(frozen=True)
class TrustedIssuer:
    id: str
    name: str
    valid_from: str | None
    valid_until: str | None


def write_private_key(path: Path, key: Ed25519PrivateKey) -> Path:
    """Write ``key`` to a new file, mode 0600; refuse to overwrite anything."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        raise KeyError_(f"{path}: exists; a key is never overwritten") from None
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    return path


def load_private_key(path: str | Path) -> Ed25519PrivateKey:
    """Read an issuer key; refuse one that others may read."""
    p = Path(path)
    data = read_secret_file(p, "the issuer key", KeyError_)
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except ValueError:
        raise KeyError_(f"{p}: not a PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyError_(f"{p}: not an Ed25519 key")
    return key


def _numbers(keys_dir: Path) -> list[int]:
    if not keys_dir.is_dir():
        return []
    return sorted(int(m.group(1)) for p in keys_dir.iterdir() if (m := _KEY.match(p.name)))


def active_key(keys_dir: str | Path) -> Path:
    """The signing key: the highest-numbered ``issuer-<n>.key``."""
    d = Path(keys_dir)
    numbers = _numbers(d)
    if not numbers:
        raise KeyError_(f"{d}: no issuer key; run `infralab keys init`")
    return d / f"issuer-{numbers[-1]}.key"


def _write_issuers(path: Path, entries: list[dict[str, Any]]) -> None:
    doc = {"type": "InfralabTrustedIssuerList", "issuers": entries}
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(render(doc), encoding="utf-8")
    os.replace(tmp, path)


def init_keys(keys_dir: str | Path, name: str, now: str) -> tuple[Path, str, list[Path]]:
    """Create ``issuer-1.key``, ``issuers.json`` and the variant key; refuse to redo it."""
    d = Path(keys_dir)
    if _numbers(d):
        raise KeyError_(f"{d}: issuer keys exist already; use `infralab keys rotate`")
    d.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(d, 0o700)
    key = Ed25519PrivateKey.generate()
    path = write_private_key(d / "issuer-1.key", key)
    did = did_key(key)
    _write_issuers(d / ISSUERS, [{"id": did, "name": name, "validFrom": now, "validUntil": None}])
    created = [path, d / ISSUERS]
    if not (d / VARIANT).exists():
        created.append(new_variant_key(d / VARIANT))
    return path, did, created


def rotate_keys(keys_dir: str | Path, name: str | None, now: str) -> tuple[Path, str]:
    """A new signing key; the old one is retired (its certificates still verify)."""
    d = Path(keys_dir)
    numbers = _numbers(d)
    if not numbers:
        raise KeyError_(f"{d}: no issuer key to rotate; run `infralab keys init`")
    issuers = d / ISSUERS
    entries = _read_entries(issuers)
    old = did_key(load_private_key(d / f"issuer-{numbers[-1]}.key"))
    for entry in entries:
        if entry.get("id") == old and entry.get("validUntil") is None:
            entry["validUntil"] = now
    key = Ed25519PrivateKey.generate()
    path = write_private_key(d / f"issuer-{numbers[-1] + 1}.key", key)
    did = did_key(key)
    label = name or (entries[-1].get("name") if entries else "") or "issuer"
    entries.append({"id": did, "name": label, "validFrom": now, "validUntil": None})
    _write_issuers(issuers, entries)
    return path, did


def _read_entries(path: Path) -> list[dict[str, Any]]:
    try:
        doc = parse_strict(path.read_bytes())
    except OSError as exc:
        raise KeyError_(f"{path}: cannot read the trusted issuer list ({exc.strerror})") from None
    except ProofError as exc:
        raise KeyError_(f"{path}: {exc}") from None
    entries = doc.get("issuers")
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise KeyError_(f"{path}: issuers: expected a list of objects")
    for i, e in enumerate(entries):
        if not isinstance(e.get("id"), str) or not e["id"].startswith("did:key:"):
            raise KeyError_(f"{path}: issuers[{i}].id: expected a did:key")
        for f in ("validFrom", "validUntil"):
            if e.get(f) is not None and not isinstance(e[f], str):
                raise KeyError_(f"{path}: issuers[{i}].{f}: expected a date-time or null")
    return entries


def load_trusted_issuers(path: str | Path) -> list[TrustedIssuer]:
    """Read a trusted issuer list (``issuers.json``)."""
    return [
        TrustedIssuer(e["id"], str(e.get("name", "")), e.get("validFrom"), e.get("validUntil"))
        for e in _read_entries(Path(path))
    ]
