"""The datasets a grading worker sees: everything a learner has, minus hidden ground truth.

The sandbox gets a copy of ``datasets/`` holding the tool world, the incidents and the
*train* split of the support-desk scenarios and of the vendored corpora. The test splits,
which hidden tests use, stay on the judge's side: a grade cell hands a scenario to learner code through a trusted
environment, which passes only what a customer would say (see ``_env.py``).
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import shutil
import tempfile
import threading
from pathlib import Path

__all__ = ["learner_data_dir"]

_made: dict[str, Path] = {}
_lock = threading.Lock()


def _source_dir() -> Path:
    from infralab.datasets._loader import data_dir

    return data_dir()


def learner_data_dir() -> Path:
    """A world-readable copy of the datasets without the test split (made once per process)."""
    source = _source_dir()
    scenarios = source / "support_desk" / "scenarios.jsonl"
    text = scenarios.read_text(encoding="utf-8")
    key = hashlib.sha256(f"{source}\0{text}".encode()).hexdigest()
    with _lock:
        made = _made.get(key)
        if made is not None and made.is_dir():
            return made
        root = Path(tempfile.mkdtemp(prefix="infralab-learner-data-"))
        atexit.register(shutil.rmtree, root, True)
        desk = root / "support_desk"
        desk.mkdir()
        train = [
            line
            for line in text.splitlines()
            if line.strip() and json.loads(line).get("split") == "train"
        ]
        (desk / "scenarios.jsonl").write_text("\n".join(train) + "\n", encoding="utf-8")
        for name in ("world.json", "DATASHEET.md", "LICENSE.md"):
            if (source / "support_desk" / name).is_file():
                shutil.copyfile(source / "support_desk" / name, desk / name)
        if (source / "incidents").is_dir():
            shutil.copytree(source / "incidents", root / "incidents")
        for corpus in ("bfcl", "agentdojo", "bastioncorpus"):  # vendored corpora: train only
            if (source / corpus).is_dir():
                shutil.copytree(
                    source / corpus,
                    root / corpus,
                    ignore=shutil.ignore_patterns("*.test.jsonl"),
                )
        for folder, _dirs, files in os.walk(root):  # the worker runs as another uid
            os.chmod(folder, 0o755)
            for f in files:
                os.chmod(os.path.join(folder, f), 0o644)
        _made[key] = root
        return root
