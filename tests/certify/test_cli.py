"""The commands end to end, as a certification body runs them: keys, certify, verify, revoke."""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path

from certify_results import make_result, passing_track_a, write_result

from infralab.grading.cli import main

ROOT = Path(__file__).resolve().parents[2]


def _course(tmp_path: Path) -> Path:
    """A course root with the repo's nbgrader_config.py and the example policy."""
    root = tmp_path / "course"
    (root / "grader").mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", root / "nbgrader_config.py")
    shutil.copy(ROOT / "docs" / "examples" / "policy.yaml", root / "grader" / "policy.yaml")
    return root


def test_keys_certify_verify_revoke(tmp_path, capsys, monkeypatch):
    root = _course(tmp_path)
    monkeypatch.chdir(root)
    assert main(["--course", str(root), "keys", "init", "--name", "Exam body"]) == 0
    keys = root / "grader" / "keys"
    assert stat.S_IMODE((keys / "issuer-1.key").stat().st_mode) == 0o600
    assert main(["--course", str(root), "keys", "init"]) == 2  # never overwritten
    assert "use `infralab keys rotate`" in capsys.readouterr().err

    passing_track_a(root / "grader" / "results", "cand-7")
    assert main(["--course", str(root), "certify", "--candidate", "cand-7", "--track", "A"]) == 0
    out = root / "grader" / "certificates" / "cand-7" / "A"
    assert (out / "credential.json").exists() and (out / "credential.html").exists()
    assert (root / "grader" / "certificates" / ".gitignore").read_text().strip().endswith("*")
    status = root / "grader" / "status" / "revocation-1.json"
    issuers = str(keys / "issuers.json")
    cred = str(out / "credential.json")
    args = ["verify", cred, "--issuers", issuers, "--status-list", str(status)]
    capsys.readouterr()
    assert main(args) == 0
    assert capsys.readouterr().out.strip().endswith("VALID")

    assert main(["--course", str(root), "keys", "rotate"]) == 0  # old certificate still valid
    assert main(args) == 0

    assert main(["--course", str(root), "revoke", cred]) == 0
    capsys.readouterr()
    assert main(args + ["--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["valid"] is False
    assert [c["name"] for c in report["checks"] if not c["ok"]] == ["status"]


def test_certify_refusal_names_what_is_missing(tmp_path, capsys):
    root = _course(tmp_path)
    assert main(["--course", str(root), "keys", "init"]) == 0
    results = root / "grader" / "results"
    write_result(results, make_result("cand-8", "00-orientation"))
    write_result(results, make_result("cand-8", "a1-topologies", sandbox={"kind": "none"}))
    capsys.readouterr()
    code = main(["--course", str(root), "certify", "--candidate", "cand-8", "--track", "A"])
    err = capsys.readouterr().err
    assert code == 1
    assert "cand-8 does not meet track A" in err
    assert "lab a1-topologies: no attempt counts" in err and "sandbox 'none'" in err
    assert "lab a2-resilience: no certification result" in err
    assert not (root / "grader" / "certificates" / "cand-8").exists()


def test_malformed_policy_and_missing_key_exit_2(tmp_path, capsys):
    root = _course(tmp_path)
    passing_track_a(root / "grader" / "results", "cand-9")
    code = main(["--course", str(root), "certify", "--candidate", "cand-9", "--track", "A"])
    assert code == 2 and "run `infralab keys init`" in capsys.readouterr().err
    main(["--course", str(root), "keys", "init"])
    (root / "grader" / "policy.yaml").write_text("version: 1\nattempts: three\n")
    capsys.readouterr()
    code = main(["--course", str(root), "certify", "--candidate", "cand-9", "--track", "A"])
    err = capsys.readouterr().err
    assert code == 2 and "policy.yaml: " in err


def test_verify_a_missing_file_exits_2(tmp_path, capsys):
    assert main(["verify", str(tmp_path / "none.json")]) == 2
    assert "cannot read" in capsys.readouterr().err
