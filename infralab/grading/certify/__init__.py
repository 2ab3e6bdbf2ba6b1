"""Certification: track certificates as signed Open Badges 3.0 credentials, verifiable offline.

- ``grader/policy.yaml`` (:func:`load_policy`): tracks, labs, thresholds, attempts, validity;
- :func:`certify`: recorded certification results -> an ``OpenBadgeCredential`` (VC 2.0)
  signed with an ``eddsa-jcs-2022`` Data Integrity proof by the issuer's ``did:key``, and its
  one-page HTML rendering; :class:`Refusal` names what the candidate is missing;
- :func:`verify_credential`: offline checks (format, proof, issuer, validity, status);
- :func:`revoke`: a bit in the issuer's Bitstring Status List, re-signed;
- keys: :func:`init_keys`, :func:`rotate_keys` under ``grader/keys/`` (0600, never overwritten).

The command line is ``infralab certify | verify | revoke | keys`` (``_cli.py``).
"""

from __future__ import annotations

import importlib
from typing import Any

# Loaded on first use, so the `infralab` command pays for cryptography only when it certifies.
_WHERE = {
    "Refusal": "_credential",
    "ResultError": "_credential",
    "Issued": "_issue",
    "certify": "_issue",
    "revoke": "_issue",
    "KeyError_": "_keys",
    "init_keys": "_keys",
    "load_trusted_issuers": "_keys",
    "rotate_keys": "_keys",
    "Policy": "_policy",
    "PolicyError": "_policy",
    "load_policy": "_policy",
    "ProofError": "_proof",
    "add_proof": "_proof",
    "did_key": "_proof",
    "verify_proof": "_proof",
    "StatusError": "_status",
    "Report": "_verify",
    "verify_credential": "_verify",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    globals()[name] = value
    return value
