"""Input variants for certification grading: a seed per candidate, lab and attempt.

Under certification grading every hidden grade cell draws its inputs from
``variant_rng(<grade id>)``, seeded from :func:`certification_seed`: an HMAC-SHA256 of the
candidate, the lab and the attempt under the certification body's secret *variant key*. A
candidate cannot compute anyone's seed (the key never leaves the grader, never enters the
sandbox), so a leaked hidden snippet, or a table of answers copied from another candidate's
run, answers nothing; and the same key, candidate, lab and attempt reproduce the same inputs,
so a regrade gives the same score.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import stat
from pathlib import Path

__all__ = ["certification_seed", "load_variant_key", "new_variant_key", "VariantKeyError"]

MIN_KEY_BYTES = 32


class VariantKeyError(Exception):
    """The variant key file is missing, too short, or readable by others."""


def certification_seed(key: bytes, candidate: str, lab: str, attempt: int) -> int:
    """The variant seed of one candidate's attempt at one lab (a positive 63-bit int)."""
    if len(key) < MIN_KEY_BYTES:
        raise VariantKeyError(f"a variant key needs at least {MIN_KEY_BYTES} bytes")
    if type(attempt) is not int or attempt < 1:
        raise ValueError(f"attempt must be an int >= 1, got {attempt!r}")
    message = "\x1f".join((candidate, lab, str(attempt))).encode("utf-8", "surrogateescape")
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") >> 1 or 1  # never 0, the public variant


def read_secret_file(path: Path, what: str, error: type[Exception]) -> bytes:
    """The bytes of a secret file (a variant key, an issuer key); ``error`` naming the file
    when it cannot be read or when its group or others have any access to it."""
    try:
        info = path.stat()
        data = path.read_bytes()
    except OSError as exc:
        raise error(f"{path}: cannot read {what} ({exc.strerror})") from None
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise error(f"{path}: {what} must be readable by its owner only (chmod 600)")
    return data


def load_variant_key(path: str | os.PathLike[str]) -> bytes:
    """Read a variant key file; refuse one that others may read (it is a secret).

    Raises:
        VariantKeyError: naming the file and what is wrong.
    """
    p = Path(path)
    key = read_secret_file(p, "the variant key", VariantKeyError).strip()
    if len(key) < MIN_KEY_BYTES:
        raise VariantKeyError(f"{p}: a variant key needs at least {MIN_KEY_BYTES} bytes")
    return key


def new_variant_key(path: str | os.PathLike[str]) -> Path:
    """Write a fresh random key (64 hex chars) to ``path`` with mode 0600; never overwrite."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(os.urandom(32).hex() + "\n")
    return p
