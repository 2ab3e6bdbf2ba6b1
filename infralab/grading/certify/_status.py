"""Revocation: a W3C Bitstring Status List the issuer publishes.

Each certificate gets an index in the list (``credentialStatus``: a
``BitstringStatusListEntry``, purpose ``revocation``). The list is itself a credential
(``BitstringStatusListCredential``, signed like the certificates) whose ``encodedList`` is the
multibase base64url (``u``, no padding) of the GZIP-compressed bitstring; bit 0 is the left-most
(most significant) bit of the first byte; 1 means revoked. ``infralab revoke`` sets a bit and
re-signs the list; publish the file at the policy's ``status_list.url``.

Next to the list, ``registry.json`` records which index went to which credential (the issuer's
own book-keeping; not for publication: it names candidates).
"""

from __future__ import annotations

import base64
import gzip
import os
import zlib
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlparse

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from infralab.grading.certify._proof import ProofError, add_proof, did_key, parse_strict, render

__all__ = [
    "StatusError",
    "allocate",
    "decode_list",
    "encode_list",
    "get_bit",
    "list_file_name",
    "revoke",
    "set_bit",
    "status_list_credential",
]

VC2 = "https://www.w3.org/ns/credentials/v2"
MAX_LIST_BYTES = 16 * 1024 * 1024  # a decompressed list larger than this is refused


class StatusError(Exception):
    """A status list or registry that cannot be used (the message says which)."""


def encode_list(bits: bytes | bytearray) -> str:
    packed = gzip.compress(bytes(bits), compresslevel=9, mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def decode_list(encoded: str) -> bytes:
    if not isinstance(encoded, str) or not encoded.startswith("u"):
        raise StatusError("encodedList is not multibase base64url ('u...')")
    body = encoded[1:]
    try:
        packed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        d = zlib.decompressobj(wbits=31)  # gzip
        bits = d.decompress(packed, MAX_LIST_BYTES + 1)
    except (ValueError, zlib.error) as exc:
        raise StatusError(f"encodedList does not decode: {exc}") from None
    if len(bits) > MAX_LIST_BYTES or not d.eof:
        raise StatusError("encodedList is truncated or too large")
    return bits


def get_bit(bits: bytes | bytearray, index: int) -> int:
    if not 0 <= index < len(bits) * 8:
        raise StatusError(f"status index {index} is outside the list ({len(bits) * 8} bits)")
    return (bits[index // 8] >> (7 - index % 8)) & 1


def set_bit(bits: bytearray, index: int) -> None:
    get_bit(bits, index)
    bits[index // 8] |= 1 << (7 - index % 8)


def list_file_name(url: str) -> str:
    """The local file name of a status list: the last segment of its URL's path."""
    name = PurePosixPath(urlparse(url).path).name
    return name or "status-list.json"


def status_list_credential(
    url: str, bits: bytes | bytearray, key: Ed25519PrivateKey, now: str
) -> dict[str, Any]:
    did = did_key(key)
    doc = {
        "@context": [VC2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": did,
        "validFrom": now,
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encode_list(bits),
        },
    }
    return add_proof(doc, key, now)


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _load_registry(status_dir: Path, url: str, size: int) -> dict[str, Any]:
    path = status_dir / "registry.json"
    if not path.exists():
        return {"statusListCredential": url, "size": size, "next": 0, "entries": []}
    try:
        reg = parse_strict(path.read_bytes())
    except (OSError, ProofError) as exc:
        raise StatusError(f"{path}: {exc}") from None
    if reg.get("statusListCredential") != url:
        raise StatusError(
            f"{path}: statusListCredential is {reg.get('statusListCredential')!r}, the policy "
            f"says {url!r}; use another --status-dir for another list"
        )
    if not isinstance(reg.get("entries"), list) or not isinstance(reg.get("next"), int):
        raise StatusError(f"{path}: entries/next: malformed registry")
    return reg


def _bits(status_dir: Path, url: str, size: int) -> bytearray:
    path = status_dir / list_file_name(url)
    if not path.exists():
        return bytearray(size // 8)
    try:
        doc = parse_strict(path.read_bytes())
        return bytearray(decode_list(doc["credentialSubject"]["encodedList"]))
    except (OSError, ProofError, KeyError, TypeError) as exc:
        raise StatusError(f"{path}: not a status list credential ({exc})") from None


def allocate(
    status_dir: str | Path,
    url: str,
    size: int,
    credential_id: str,
    candidate: str,
    track: str,
    key: Ed25519PrivateKey,
    now: str,
) -> int:
    """Give a new credential the next index; (re)write the signed list and the registry."""
    d = Path(status_dir)
    d.mkdir(parents=True, exist_ok=True)
    reg = _load_registry(d, url, size)
    bits = _bits(d, url, size)
    index = int(reg["next"])
    if index >= len(bits) * 8:
        raise StatusError(f"{d}: the status list is full ({len(bits) * 8} entries)")
    reg["next"] = index + 1
    reg["entries"].append(
        {
            "index": index,
            "credential": credential_id,
            "candidate": candidate,
            "track": track,
            "issued": now,
            "revoked": None,
        }
    )
    _write(d / list_file_name(url), render(status_list_credential(url, bits, key, now)))
    _write(d / "registry.json", render(reg))
    return index


def revoke(
    status_dir: str | Path,
    url: str,
    size: int,
    key: Ed25519PrivateKey,
    now: str,
    *,
    credential_id: str | None = None,
    index: int | None = None,
) -> dict[str, Any]:
    """Set a credential's revocation bit and re-sign the list; returns its registry entry."""
    d = Path(status_dir)
    reg = _load_registry(d, url, size)
    entry = None
    for e in reg["entries"]:
        if (credential_id is not None and e.get("credential") == credential_id) or (
            index is not None and e.get("index") == index
        ):
            entry = e
    if entry is None:
        what = credential_id if credential_id is not None else f"index {index}"
        raise StatusError(f"{d / 'registry.json'}: no credential {what} in this status list")
    bits = _bits(d, url, size)
    set_bit(bits, int(entry["index"]))
    entry["revoked"] = entry.get("revoked") or now
    _write(d / list_file_name(url), render(status_list_credential(url, bits, key, now)))
    _write(d / "registry.json", render(reg))
    return entry
