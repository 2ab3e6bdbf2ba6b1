"""infralab.widgets.state_events: do the a4 views draw the records the lab makes, name a bad
record, and escape what they put in HTML?"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from infralab.clock import VirtualClock  # noqa: E402
from infralab.replicas import Cluster, run_schedule  # noqa: E402
from infralab.widgets.state_events import cap_table, plot_backlog, plot_cap  # noqa: E402


def _local(cluster, via, key):
    v = cluster.read_replica(via, via, key)
    return None if v is None else v.value


def _write(cluster, via, key, value):
    for r in cluster.reachable_from(via):
        cluster.write_replica(via, r, key, value, (cluster.clock.now(), via))
    return True


def test_plot_backlog_draws_lag_and_pending():
    ax = plot_backlog([{"t": 0.0, "lag": 5, "pending": 0}, {"t": 10.0, "lag": 2, "pending": 3}])
    lines = ax.get_lines()
    assert len(lines) == 2
    assert list(lines[0].get_ydata()) == [5, 2] and list(lines[1].get_ydata()) == [0, 3]


def test_plot_backlog_names_a_bad_sample():
    with pytest.raises(ValueError, match="sample 1 has no pending"):
        plot_backlog([{"t": 0.0, "lag": 1, "pending": 0}, {"t": 1.0, "lag": 1}])


def test_cap_views_show_each_policy():
    c = Cluster(3, clock=VirtualClock())
    c.partition([[0], [1, 2]], start=1.0, end=2.0)
    res = run_schedule(c, [[0.0, "write", 0, "k", 1], [1.5, "read", 0, "k"]], write=_write,
                       read=_local)  # fmt: skip
    html = cap_table({"AP <lww>": res}).data
    assert "AP &lt;lww&gt;" in html and "<td>1.00</td>" in html and "<td>2</td>" in html
    ax = plot_cap({"AP": res, "CP": res})
    assert [t.get_text() for t in ax.get_yticklabels()] == ["AP", "CP"]
    assert len(ax.collections) == 4  # two operations per policy
