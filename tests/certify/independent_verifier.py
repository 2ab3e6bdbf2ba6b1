"""An eddsa-jcs-2022 verifier written from the specifications alone, sharing no code with
infralab: RFC 8785 (JCS) canonicalisation, base58btc, did:key, SHA-256 (hashlib) and Ed25519
verification in pure Python from RFC 8032 section 5.1.7 (not the `cryptography` package).

Data Integrity EdDSA Cryptosuites v1.0, 3.3.2 Verify Proof (eddsa-jcs-2022): proofOptions =
the proof without proofValue; if it has @context, the document's @context must start with it;
unsecuredDocument = the document without proof; hashData = SHA-256(JCS(proofOptions)) ||
SHA-256(JCS(unsecuredDocument)); the proofValue (base58btc multibase) must be an Ed25519
signature of hashData by the key of the verificationMethod's did:key.
"""

from __future__ import annotations

import hashlib
import math
from decimal import Decimal
from typing import Any

# --- RFC 8785 -----------------------------------------------------------------------------


def _string(s: str) -> str:
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif o < 0x20:
            out.append({8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r"}.get(o, f"\\u{o:04x}"))
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _number(x: float | int) -> str:
    if isinstance(x, int):
        if abs(x) > 2**53:
            raise ValueError("integer outside the IEEE 754 exact range")
        return str(x)
    if not math.isfinite(x):
        raise ValueError("NaN/Infinity are not JSON")
    if x == 0:
        return "0"
    sign = "-" if x < 0 else ""
    # ECMAScript Number::toString: shortest round-trip digits (repr has them), exponent n
    d = Decimal(repr(abs(x))).normalize()
    digits = "".join(map(str, d.as_tuple().digits))
    k = len(digits)
    n = d.adjusted() + 1
    if k <= n <= 21:
        body = digits + "0" * (n - k)
    elif 0 < n <= 21:
        body = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        body = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        mant = digits if k == 1 else digits[0] + "." + digits[1:]
        body = f"{mant}e{'+' if e > 0 else '-'}{abs(e)}"
    return sign + body


def jcs(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float)):
        return _number(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list):
        return "[" + ",".join(jcs(v) for v in value) + "]"
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: k.encode("utf-16-be"))  # UTF-16 code units
        return "{" + ",".join(_string(k) + ":" + jcs(value[k]) for k in keys) + "}"
    raise TypeError(type(value))


# --- base58btc (the Bitcoin alphabet) -------------------------------------------------------

ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b58decode(text: str) -> bytes:
    n = 0
    for ch in text:
        n = n * 58 + ALPHABET.index(ch)
    body = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    return b"\x00" * (len(text) - len(text.lstrip("1"))) + body


# --- Ed25519 verification, RFC 8032 ---------------------------------------------------------

P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
D = -121665 * pow(121666, P - 2, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)


def _add(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, int, int, int]:
    x1, y1, z1, t1 = a
    x2, y2, z2, t2 = b
    aa = (y1 - x1) * (y2 - x2) % P
    bb = (y1 + x1) * (y2 + x2) % P
    cc = 2 * t1 * t2 * D % P
    dd = 2 * z1 * z2 % P
    e, f, g, h = bb - aa, dd - cc, dd + cc, bb + aa
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def _mul(s: int, pt: tuple[int, ...]) -> tuple[int, ...]:
    q: tuple[int, ...] = (0, 1, 1, 0)
    while s:
        if s & 1:
            q = _add(q, pt)
        pt = _add(pt, pt)
        s >>= 1
    return q


def _equal(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    return (a[0] * b[2] - b[0] * a[2]) % P == 0 and (a[1] * b[2] - b[1] * a[2]) % P == 0


def _decompress(s: bytes) -> tuple[int, int, int, int] | None:
    y = int.from_bytes(s, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    if y >= P:
        return None
    x2 = (y * y - 1) * pow(D * y * y + 1, P - 2, P) % P
    if x2 == 0:
        if sign:
            return None
        return (0, y, 1, 0)
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P:
        x = x * SQRT_M1 % P
    if (x * x - x2) % P:
        return None
    if (x & 1) != sign:
        x = P - x
    return (x, y, 1, x * y % P)


GY = 4 * pow(5, P - 2, P) % P
G = _decompress(GY.to_bytes(32, "little"))


def ed25519_verify(public: bytes, message: bytes, signature: bytes) -> bool:
    if len(public) != 32 or len(signature) != 64:
        return False
    a = _decompress(public)
    r = _decompress(signature[:32])
    s = int.from_bytes(signature[32:], "little")
    if a is None or r is None or s >= L:
        return False
    h = int.from_bytes(hashlib.sha512(signature[:32] + public + message).digest(), "little") % L
    assert G is not None
    return _equal(_mul(s, G), _add(r, _mul(h, a)))


# --- the cryptosuite ------------------------------------------------------------------------


def did_key_public(method: str) -> bytes:
    did = method.split("#", 1)[0]
    assert did.startswith("did:key:z"), did
    raw = b58decode(did[len("did:key:z") :])
    assert raw[:2] == b"\xed\x01" and len(raw) == 34, "not an Ed25519 did:key"
    return raw[2:]


def verify(secured: dict[str, Any]) -> bool:
    proof = dict(secured["proof"])
    if proof.get("type") != "DataIntegrityProof" or proof.get("cryptosuite") != "eddsa-jcs-2022":
        return False
    proof_value = proof.pop("proofValue")
    if "@context" in proof:
        ctx = proof["@context"]
        if secured["@context"][: len(ctx)] != ctx:
            return False
    unsecured = {k: v for k, v in secured.items() if k != "proof"}
    hash_data = (
        hashlib.sha256(jcs(proof).encode("utf-8")).digest()
        + hashlib.sha256(jcs(unsecured).encode("utf-8")).digest()
    )
    assert proof_value.startswith("z")
    signature = b58decode(proof_value[1:])
    return ed25519_verify(did_key_public(proof["verificationMethod"]), hash_data, signature)
