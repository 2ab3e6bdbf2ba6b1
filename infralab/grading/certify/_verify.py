"""``infralab verify``: check a credential offline and say which check failed.

Checks, in order (each reported, pass or fail):
1. ``format``: strict JSON (UTF-8, no duplicate keys) written in the issuer's byte form, so a
   changed byte that leaves the data equal (whitespace, an escape) still fails;
2. ``proof``: the eddsa-jcs-2022 Data Integrity proof over the whole credential;
3. ``issuer``: the proof's key is the issuer's ``did:key``, the issuer is trusted (listed in
   the trusted issuer list, or the key given), and the proof was made while that key was in
   service (a key retired by rotation still verifies what it signed before);
4. ``validity``: ``validFrom`` <= now <= ``validUntil``;
5. ``status``: the credential's bit in the issuer's Bitstring Status List is 0 (the list file
   is found beside the credential under its URL's file name, or given), and the list's own
   proof verifies with a trusted key.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infralab.grading.certify._credential import iso, parse_time
from infralab.grading.certify._keys import TrustedIssuer
from infralab.grading.certify._proof import (
    ProofError,
    parse_strict,
    public_key_from_did,
    render,
    verify_proof,
)
from infralab.grading.certify._status import StatusError, decode_list, get_bit, list_file_name

__all__ = ["Check", "Report", "extract_credential", "verify_credential"]

_EMBED = re.compile(
    rb'<script type="application/vc\+ld\+json" id="credential">\n(.*?)</script>', re.DOTALL
)


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)
    credential: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    def add(self, name: str, ok: bool, detail: str) -> bool:
        self.checks.append(Check(name, ok, detail))
        return ok

    def text(self) -> str:
        lines = [f"{'ok  ' if c.ok else 'FAIL'} {c.name}: {c.detail}" for c in self.checks]
        failed = [c.name for c in self.checks if not c.ok]
        lines.append("VALID" if self.ok else f"INVALID: failed {', '.join(failed)}")
        return "\n".join(lines)


def extract_credential(data: bytes) -> bytes:
    """The credential bytes: the file itself, or the one embedded in a certificate page."""
    if data.lstrip()[:1] == b"<":
        m = _EMBED.search(data)
        if not m:
            raise ProofError("an HTML file without an embedded credential")
        return m.group(1)
    return data


def _issuer_id(doc: dict[str, Any]) -> Any:
    issuer = doc.get("issuer")
    return issuer.get("id") if isinstance(issuer, dict) else issuer


def _trusted(
    did: str, created: dt.datetime | None, trusted: list[TrustedIssuer] | None, keys: list[str]
) -> tuple[bool, str]:
    if did in keys:
        return True, f"{did} (given key)"
    if trusted is None:
        return False, "no trusted issuer list or key given (--issuers FILE or --issuer DID)"
    for t in trusted:
        if t.id != did:
            continue
        start, end = parse_time(t.valid_from), parse_time(t.valid_until)
        if created is None:
            return False, "proof.created is missing or not a date-time"
        if start and created < start:
            return False, f"signed {iso(created)}, before the key was in service ({t.valid_from})"
        if end and created > end:
            return False, f"signed {iso(created)}, after the key was retired ({t.valid_until})"
        retired = f", retired {t.valid_until}" if end else ""
        return True, f"{did} ({t.name or 'trusted'}{retired})"
    return False, f"{did} is not in the trusted issuer list"


def verify_credential(
    data: bytes,
    *,
    trusted: list[TrustedIssuer] | None = None,
    keys: list[str] | None = None,
    at: dt.datetime | None = None,
    status_list: bytes | None = None,
    status_dir: Path | None = None,
    check_status: bool = True,
) -> Report:
    """Run every check on a credential's bytes (JSON, or a certificate page)."""
    report = Report()
    keys = keys or []
    at = at or dt.datetime.now(dt.UTC)
    try:
        raw = extract_credential(data)
        doc = parse_strict(raw)
    except ProofError as exc:
        report.add("format", False, str(exc))
        return report
    report.credential = doc
    form = render(doc).encode("utf-8")
    same = raw in (form, form[:-1])
    report.add(
        "format",
        same,
        "issuer's byte form" if same else "bytes differ from the signed form (changed file)",
    )
    ok, why = verify_proof(doc)
    report.add("proof", ok, why)
    if ok and not same:  # say what kind of change it is
        report.checks[0].detail = (
            "the signed data is intact, but the file's bytes were changed (whitespace, escapes "
            "or key order): not the file the issuer wrote"
        )

    found = doc.get("proof")
    proof: dict[str, Any] = found if isinstance(found, dict) else {}
    method = str(proof.get("verificationMethod", ""))
    did = method.partition("#")[0]
    if _issuer_id(doc) != did:
        report.add(
            "issuer", False, f"the proof's key {did!r} is not the issuer {_issuer_id(doc)!r}"
        )
    else:
        report.add("issuer", *_trusted(did, parse_time(proof.get("created")), trusted, keys))

    start, end = parse_time(doc.get("validFrom")), parse_time(doc.get("validUntil"))
    if start is None:
        report.add("validity", False, "validFrom is missing or not a date-time")
    elif at < start:
        report.add("validity", False, f"not valid before {doc['validFrom']}")
    elif "validUntil" in doc and end is None:
        report.add("validity", False, "validUntil is not a date-time")
    elif end is not None and at > end:
        report.add("validity", False, f"expired on {doc['validUntil']}")
    else:
        until = f" until {doc['validUntil']}" if end else ""
        report.add("validity", True, f"valid from {doc['validFrom']}{until}")

    if check_status:
        report.add("status", *_status(doc, status_list, status_dir, trusted, keys))
    return report


def _status(
    doc: dict[str, Any],
    status_list: bytes | None,
    status_dir: Path | None,
    trusted: list[TrustedIssuer] | None,
    keys: list[str],
) -> tuple[bool, str]:
    entry = doc.get("credentialStatus")
    if entry is None:
        return True, "no credentialStatus: the issuer cannot revoke it"
    if not isinstance(entry, dict) or entry.get("type") != "BitstringStatusListEntry":
        return False, "credentialStatus is not a BitstringStatusListEntry"
    url = entry.get("statusListCredential")
    purpose = entry.get("statusPurpose")
    try:
        index = int(str(entry.get("statusListIndex")))
    except ValueError:
        return False, "statusListIndex is not an integer"
    if not isinstance(url, str):
        return False, "statusListCredential is missing"
    if status_list is None:
        local = (status_dir or Path(".")) / list_file_name(url)
        try:
            status_list = local.read_bytes()
        except OSError:
            return False, (
                f"status list {url} not available offline: no {local}; "
                "pass --status-list FILE (or --no-status to skip revocation)"
            )
    try:
        sl = parse_strict(status_list)
        if sl.get("id") != url:
            return False, f"the status list is {sl.get('id')!r}, the credential names {url!r}"
        ok, why = verify_proof(sl)
        if not ok:
            return False, f"the status list's proof: {why}"
        did = str(sl["proof"]["verificationMethod"]).partition("#")[0]
        if sl.get("issuer") != did:
            return False, "the status list's proof key is not its issuer"
        public_key_from_did(did)
        ok, why = _trusted(did, parse_time(sl["proof"].get("created")), trusted, keys)
        if not ok:
            return False, f"the status list's issuer: {why}"
        subject = sl["credentialSubject"]
        if subject.get("statusPurpose") != purpose:
            return (
                False,
                f"the status list is for {subject.get('statusPurpose')!r}, not {purpose!r}",
            )
        bit = get_bit(decode_list(subject["encodedList"]), index)
    except (ProofError, StatusError, KeyError, TypeError, AttributeError) as exc:
        return False, f"unusable status list: {exc}"
    if bit:
        return False, f"REVOKED (bit {index} of {url}, list of {sl.get('validFrom')})"
    return True, f"not revoked (bit {index} of {url}, list of {sl.get('validFrom')})"


def escape(text: Any) -> str:  # used by the page
    return html.escape(str(text), quote=True)
