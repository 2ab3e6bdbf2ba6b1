"""The issuer and variant keys never enter the grading sandbox: no bind mount of the grading
worker exposes grader/keys/ (nor grader/ or the course root that holds it)."""

from __future__ import annotations

from pathlib import Path

from infralab.grading.sandbox._sandbox import SandboxConfig, _bwrap_args

ROOT = Path(__file__).resolve().parents[2]
BINDS = {"--bind", "--ro-bind", "--bind-try", "--ro-bind-try", "--dev-bind", "--dev-bind-try"}


def test_no_bind_mount_exposes_the_keys(tmp_path):
    args = _bwrap_args(SandboxConfig(), tmp_path / "staging")
    sources = [Path(args[i + 1]).resolve() for i, a in enumerate(args) if a in BINDS]
    assert sources, "no bind mounts found: has the sandbox changed its arguments?"
    keys = (ROOT / "grader" / "keys").resolve()
    for src in sources:
        assert not keys.is_relative_to(src), f"{src} is bound into the sandbox and holds {keys}"
