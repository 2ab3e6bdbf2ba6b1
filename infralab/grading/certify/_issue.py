"""Issue a certificate (``certify``) and revoke one (``revoke``): the steps in order."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from infralab.grading.certify._credential import build_credential, check_policy, iso
from infralab.grading.certify._keys import active_key, load_private_key
from infralab.grading.certify._page import render_page
from infralab.grading.certify._policy import load_policy
from infralab.grading.certify._proof import ProofError, add_proof, did_key, render
from infralab.grading.certify._status import allocate
from infralab.grading.certify._status import revoke as revoke_index
from infralab.grading.certify._verify import verify_credential

__all__ = ["Issued", "certify", "revoke", "signing_key"]


@dataclass(frozen=True)
class Issued:
    credential: dict[str, Any]
    json_path: Path
    html_path: Path
    status_index: int


def signing_key(key: str | Path | None, keys_dir: str | Path | None) -> Ed25519PrivateKey:
    if key is not None:
        return load_private_key(key)
    if keys_dir is None:
        raise ProofError("no issuer key: give --key FILE or --keys DIR")
    return load_private_key(active_key(keys_dir))


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def certify(
    *,
    candidate: str,
    track: str,
    results: str | Path,
    policy: str | Path,
    out: str | Path,
    status_dir: str | Path,
    key: str | Path | None = None,
    keys_dir: str | Path | None = None,
    name: str | None = None,
    now: dt.datetime | None = None,
) -> Issued:
    """Check the policy and issue; raises ``Refusal`` (policy not met) or a file error."""
    pol = load_policy(policy)
    trk = pol.track(track)
    chosen = check_policy(Path(results), candidate, trk, pol)
    sk = signing_key(key, keys_dir)
    now = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    did = did_key(sk)
    args = dict(
        candidate=candidate,
        name=name,
        track=trk,
        policy=pol,
        chosen=chosen,
        issuer_did=did,
        now=now,
    )
    draft = build_credential(**args, status_index=0)  # type: ignore[arg-type]
    index = allocate(
        status_dir,
        pol.status_list_url,
        pol.status_list_size,
        draft["id"],
        candidate,
        trk.id,
        sk,
        iso(now),
    )
    signed = add_proof(build_credential(**args, status_index=index), sk, iso(now))  # type: ignore[arg-type]
    check = verify_credential(render(signed).encode(), keys=[did], at=now, check_status=False)
    if not check.ok:  # never hand out something that does not verify
        raise ProofError(f"the issued credential does not verify:\n{check.text()}")
    out = Path(out)
    json_path, html_path = out / "credential.json", out / "credential.html"
    _write(json_path, render(signed))
    _write(html_path, render_page(signed))
    return Issued(signed, json_path, html_path, index)


def revoke(
    *,
    policy: str | Path,
    status_dir: str | Path,
    credential_id: str | None = None,
    index: int | None = None,
    key: str | Path | None = None,
    keys_dir: str | Path | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Set the credential's revocation bit and re-sign the status list with the active key."""
    pol = load_policy(policy)
    sk = signing_key(key, keys_dir)
    when = iso(now or dt.datetime.now(dt.UTC))
    return revoke_index(
        status_dir,
        pol.status_list_url,
        pol.status_list_size,
        sk,
        when,
        credential_id=credential_id,
        index=index,
    )
