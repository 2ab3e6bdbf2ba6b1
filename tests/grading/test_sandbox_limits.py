"""Limits for the sandbox as a whole (cgroup memory, tasks, CPU), and CPU-timed cells.

These need bubblewrap, root and a writable cgroup file system, and FAIL (never skip) without
them: a grader that cannot enforce them must not look as if it did.
"""

from __future__ import annotations

import json
import os
import time

import pytest

from infralab.grading.grade._grade import GradeOptions, default_options, grade_notebook
from infralab.grading.sandbox._protocol import WorkerLost, WorkerTimeout
from infralab.grading.sandbox._sandbox import (
    GiB,
    SandboxConfig,
    Worker,
    _backstop,
    cgroup_site,
    fair_cpu_share,
)

pytestmark = [pytest.mark.slow, pytest.mark.needs_bwrap]


@pytest.fixture
def cgroups(sandbox):
    """The cgroup site; fails loudly when the grader cannot make cgroups here."""
    if os.geteuid() != 0:
        pytest.fail("needs root: the sandbox-wide limits are cgroups the grader makes")
    site, why = cgroup_site()
    if site is None:
        pytest.fail(f"needs a writable cgroup file system: {why}")
    return site


def _worker(tmp_path, **config) -> Worker:
    note = tmp_path / "mine.ipynb"
    note.write_text("{}")
    return Worker(SandboxConfig(**config), {"mine.ipynb": note})


def _probe(worker: Worker, code: str, timeout: float = 60):
    reply = worker.request({"op": "probe", "code": code}, timeout)
    assert reply["ok"] is True, reply
    return json.loads(reply["json"])


def _read(path) -> str:
    with open(path) as f:
        return f.read()


# Six children that each hold 1 GiB (every page written) at the same time: 6 GiB in all,
# twice the sandbox's 3 GiB, though each child is well inside its own 2 GiB address space.
SIX_GIB = """
import os, time
_status = []
_pids = []
for _ in range(6):
    pid = os.fork()
    if pid == 0:
        try:
            _block = b"x" * (1 << 30)
            time.sleep(3)
        finally:
            os._exit(0)
    _pids.append(pid)
for pid in _pids:
    _status.append(os.waitpid(pid, 0)[1])
"""


def test_memory_is_limited_for_the_sandbox_as_a_whole(cgroups, tmp_path):
    with _worker(tmp_path) as worker:
        worker.start(60)
        assert worker.cgroup is not None and worker.info.cgroup == cgroups.version
        mem = worker.cgroup.dirs["memory"]
        try:
            worker.request({"op": "run", "code": SIX_GIB}, 120)
            statuses = _probe(worker, "_status")
            killed = [s for s in statuses if os.WIFSIGNALED(s) and os.WTERMSIG(s) == 9]
            assert killed, f"no child was stopped: {statuses}"
        except WorkerLost:
            pass  # the kernel may pick the worker itself: a dead worker is a status too
        peak_file = "memory.max_usage_in_bytes" if cgroups.version == "v1" else "memory.peak"
        if (mem / peak_file).exists():
            assert int(_read(mem / peak_file)) <= 3 * GiB
    # the grader (this process) is fine and the cgroup is gone with the worker
    assert not mem.exists()


FORK_400 = """
import os, time
_forked = 0
_refused = 0
for _ in range(400):
    try:
        pid = os.fork()
    except OSError:
        _refused += 1
        continue
    if pid == 0:
        time.sleep(120)
        os._exit(0)
    _forked += 1
"""


def test_fork_bomb_is_stopped_by_the_pids_limit(cgroups, tmp_path):
    # RLIMIT_NPROC well above 400, so only the cgroup can stop it
    with _worker(tmp_path, nproc=4096) as worker:
        worker.start(60)
        assert worker.cgroup is not None
        dirs = list(worker.cgroup.dirs.values())
        pids_dir = worker.cgroup.dirs["pids"]
        worker.request({"op": "run", "code": FORK_400}, 120)
        forked, refused = _probe(worker, "[_forked, _refused]")
        assert forked < 256 and refused > 0 and forked + refused == 400
        assert int(_read(pids_dir / "pids.current")) <= 256
        events = dict(line.split() for line in _read(pids_dir / "pids.events").splitlines())
        assert int(events["max"]) > 0
        assert len(worker.cgroup.pids()) > forked  # the children linger until the end
        lingering = worker.cgroup.pids()
        worker.close()
        for d in dirs:
            assert not d.exists(), f"{d} left behind"
    for pid in lingering:
        assert not os.path.exists(f"/proc/{pid}") or _read(f"/proc/{pid}/stat").split()[2] == "Z"


def test_cell_timeouts_count_cpu_time_not_waiting(cgroups, tmp_path):
    with _worker(tmp_path) as worker:
        worker.start(60)
        # waiting costs no CPU: a 3 s sleep fits in a 1.5 s cell limit (the wall-clock
        # backstop is 3 * 1.5 / min(1, share) + 10 s)
        assert worker.request({"op": "run", "code": "import time; time.sleep(3)"}, 1.5)["ok"]
        before = worker.cgroup.cpu_seconds()
        start = time.monotonic()
        with pytest.raises(WorkerTimeout):
            worker.request({"op": "run", "code": "while True: pass"}, 1.5)
        used, elapsed = worker.cgroup.cpu_seconds() - before, time.monotonic() - start
        backstop = _backstop(1.5, worker.config.sandbox_cpus or os.cpu_count() or 1)
        assert elapsed < backstop + 1
        # stopped by its CPU time, unless the host is so loaded that the backstop came first
        assert used >= 1.5 or elapsed >= backstop - 0.5, (used, elapsed)


def test_cpu_quota_is_one_share(cgroups, tmp_path):
    with _worker(tmp_path, sandbox_cpus=0.25) as worker:
        worker.start(60)
        before = worker.cgroup.cpu_seconds()
        busy = "import time\n_t = time.monotonic()\nwhile time.monotonic() - _t < 2: pass\n"
        assert worker.request({"op": "run", "code": busy}, 30)["ok"]
        used = worker.cgroup.cpu_seconds() - before
        assert used < 2 * 0.25 + 0.3, f"{used:.2f} CPU seconds in 2 s at a quarter of a core"
    assert GradeOptions(workers=4).judge.sandbox.sandbox_cpus == fair_cpu_share(4)
    assert GradeOptions(workers=1).judge.sandbox.sandbox_cpus is None  # every core


def test_result_states_the_cgroup_version_and_limits(cgroups, course, reference):
    result = grade_notebook(course, reference, options=default_options(cell_timeout=30))
    assert result["score"] == result["max_score"]
    sandbox = result["sandbox"]
    assert sandbox["kind"] == "bubblewrap"
    assert sandbox["cgroup"] == cgroups.version
    assert sandbox["limits"]["sandbox_memory_bytes"] == 3 * GiB
    assert sandbox["limits"]["sandbox_pids"] == 256
    assert not any("cgroup" in f for f in result["flags"])


def test_without_a_cgroup_the_flags_say_so(sandbox, course, reference):
    options = default_options(sandbox=SandboxConfig(cgroup=False), cell_timeout=30)
    result = grade_notebook(course, reference, options=options)
    assert result["sandbox"]["cgroup"] is None
    assert "sandbox: no cgroup: per-process rlimits only (cgroup disabled)" in result["flags"]


def test_data_dir_replaces_datasets(sandbox, tmp_path):
    import infralab

    data = tmp_path / "data"
    (data / "support_desk").mkdir(parents=True)
    (data / "support_desk" / "scenarios.jsonl").write_text("")
    datasets = os.path.join(os.path.dirname(os.path.dirname(infralab.__file__)), "datasets")
    with _worker(tmp_path, data_dir=data) as worker:
        worker.start(60)
        env, listed, repo_datasets = _probe(
            worker,
            "import os\n"
            "[os.environ.get('INFRALAB_DATA_DIR'), "
            "sorted(os.listdir(os.environ['INFRALAB_DATA_DIR'])), "
            f"os.path.exists({datasets!r})]",
        )
    assert env == str(data.resolve())
    assert listed == ["support_desk"]
    assert repo_datasets is False


def test_cgroups_a_killed_grader_left_are_swept(cgroups, tmp_path):
    # a grader killed before it cleaned up (no such pid can exist: above pid_max)
    dead = int(_read("/proc/sys/kernel/pid_max")) + 1
    stale = [parent / f"w{dead}-0" for parent in dict.fromkeys(cgroups.parents.values())]
    for d in stale:
        d.mkdir(parents=True, exist_ok=True)
    with _worker(tmp_path) as worker:
        worker.start(60)
        assert not any(d.exists() for d in stale)
