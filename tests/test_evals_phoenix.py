"""log_suite_to_phoenix: a suite's results reach a real Phoenix server and read back intact.

The offline tests (no server configured, none listening, malformed rows) run everywhere; the
others start Phoenix on 127.0.0.1 (marks ``slow`` and ``phoenix``, as tests/test_tracing_phoenix.py)
and read what was stored back through Phoenix's own REST API, not through our module.
"""

from __future__ import annotations

import time

import pytest
import requests
from servers import free_port

from infralab.evals import PhoenixError, log_suite_to_phoenix, phoenix_url


def _rows(versions=("v1", "v2"), seeds=(0, 1, 2)) -> list[dict]:
    """A small suite: two scenarios, runs with outcomes that differ by version and seed."""
    rows = []
    for v_index, version in enumerate(versions):
        for s_index, scenario in enumerate(("sd-0002", "sd-0001")):
            for seed in seeds:
                passed = (seed + s_index + v_index) % 3 != 0
                rows.append(
                    {
                        "scenario": scenario,
                        "version": version,
                        "seed": seed,
                        "input": {"message": f"message of {scenario}"},
                        "expected": {"trajectory": [{"name": "lookup_order", "args": {}}]},
                        "metadata": {"family": "billing" if s_index else "shipping"},
                        "output": {"answer": f"{version}/{scenario}/{seed}"},
                        "evaluations": {
                            "passed": {
                                "score": float(passed),
                                "label": "pass" if passed else "fail",
                            },
                            "trajectory": {
                                "score": 0.0 if seed == 1 else 1.0,
                                "label": "diverges at step 1" if seed == 1 else "match",
                                "explanation": "missing [1], extra []" if seed == 1 else None,
                            },
                            "judge": {"score": 1 + (seed + v_index) % 5, "kind": "LLM"},
                        },
                    }
                )
    return rows


# --------------------------------------------------------------------------- offline


def test_without_a_configured_server_it_says_to_run_make_lab(monkeypatch):
    monkeypatch.delenv("PHOENIX_COLLECTOR_ENDPOINT", raising=False)
    started = time.monotonic()
    with pytest.raises(PhoenixError, match="make lab") as caught:
        log_suite_to_phoenix(_rows())
    assert "PHOENIX_COLLECTOR_ENDPOINT" in str(caught.value)
    assert "\n" not in str(caught.value)
    assert time.monotonic() - started < 1.0  # nothing was tried on the network


def test_an_unreachable_server_gives_one_friendly_line(monkeypatch):
    port = free_port()  # bound then released: nothing listens there
    monkeypatch.setenv("PHOENIX_COLLECTOR_ENDPOINT", f"http://127.0.0.1:{port}")
    with pytest.raises(PhoenixError, match="make lab") as caught:
        log_suite_to_phoenix(_rows(), timeout=2)
    assert f"127.0.0.1:{port}" in str(caught.value) and "\n" not in str(caught.value)


def test_endpoint_forms_and_bad_urls(monkeypatch):
    monkeypatch.setenv("PHOENIX_COLLECTOR_ENDPOINT", "http://127.0.0.1:6006/v1/traces")
    assert phoenix_url() == "http://127.0.0.1:6006"
    assert phoenix_url("http://localhost:7000/") == "http://localhost:7000"
    monkeypatch.delenv("PHOENIX_COLLECTOR_ENDPOINT")
    assert phoenix_url() is None
    with pytest.raises(PhoenixError, match="http"):
        phoenix_url("127.0.0.1:6006")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda rows: rows.clear(), "no rows"),
        (lambda rows: rows[0].update(seed="0"), "seed"),
        (lambda rows: rows[0].update(seed=True), "seed"),
        (lambda rows: rows[0].pop("version"), "version"),
        (lambda rows: rows.append(dict(rows[0])), "twice"),
        (lambda rows: rows[0]["evaluations"].update(empty={"kind": "CODE"}), "needs a score"),
        (lambda rows: rows[0]["evaluations"]["judge"].update(kind="ROBOT"), "kind"),
    ],
)
def test_malformed_rows_are_refused_before_anything_is_sent(change, message):
    rows = _rows()
    change(rows)
    # An endpoint nothing listens on: a ValueError proves the rows were checked first.
    with pytest.raises(ValueError, match=message):
        log_suite_to_phoenix(rows, endpoint=f"http://127.0.0.1:{free_port()}")


# --------------------------------------------------------------------------- a real server


def _get(url: str) -> dict | list:
    session = requests.Session()
    session.trust_env = False
    response = session.get(url, timeout=30)
    response.raise_for_status()
    return response.json()


@pytest.mark.slow
@pytest.mark.phoenix
def test_results_read_back_from_phoenix_per_scenario_version_and_seed(phoenix_url, monkeypatch):
    monkeypatch.setenv("PHOENIX_COLLECTOR_ENDPOINT", phoenix_url)  # what `make lab` sets
    rows = _rows()
    logged = log_suite_to_phoenix(rows, dataset_name="suite-readback")
    assert logged["url"] == phoenix_url
    assert (logged["examples"], logged["runs"]) == (2, 12)
    assert logged["evaluations"] == 36
    assert sorted(logged["experiments"]) == ["v1", "v2"]

    # The dataset: one example per scenario, with the first row's input, expected, metadata.
    examples = _get(f"{phoenix_url}/v1/datasets/{logged['dataset_id']}/examples")["data"][
        "examples"
    ]
    stored = {ex["input"]["scenario"]: ex for ex in examples}
    assert sorted(stored) == ["sd-0001", "sd-0002"]
    assert stored["sd-0001"]["input"] == {"scenario": "sd-0001", "message": "message of sd-0001"}
    assert stored["sd-0001"]["output"] == {"trajectory": [{"name": "lookup_order", "args": {}}]}
    assert stored["sd-0002"]["metadata"] == {"scenario": "sd-0002", "family": "shipping"}

    # The experiments, listed on the dataset, one per version with three repetitions.
    listed = _get(f"{phoenix_url}/v1/datasets/{logged['dataset_id']}/experiments")["data"]
    by_name = {e["name"]: e for e in listed}
    assert sorted(by_name) == ["v1", "v2"]
    for version in ("v1", "v2"):
        e = by_name[version]
        assert e["id"] == logged["experiments"][version]["id"]
        assert e["repetitions"] == 3 and e["successful_run_count"] == 6

    # Every run, with its three evaluations, read back through Phoenix's JSON export.
    want = {(r["version"], r["scenario"], r["seed"]): r["evaluations"] for r in rows}
    got = {}
    for version in ("v1", "v2"):
        exp_id = logged["experiments"][version]["id"]
        for run in _get(f"{phoenix_url}/v1/experiments/{exp_id}/json"):
            seed = run["output"]["seed"]
            assert run["repetition_number"] == seed + 1
            scenario = run["input"]["scenario"]
            assert run["output"]["answer"] == f"{version}/{scenario}/{seed}"
            got[version, scenario, seed] = {
                a["name"]: (a["score"], a["label"], a["explanation"], a["annotator_kind"])
                for a in run["annotations"]
            }
    assert sorted(got) == sorted(want)
    for key, evaluations in want.items():
        expected = {
            name: (
                float(ev["score"]),
                ev.get("label"),
                ev.get("explanation"),
                ev.get("kind", "CODE"),
            )
            for name, ev in evaluations.items()
        }
        assert got[key] == expected, key


@pytest.mark.slow
@pytest.mark.phoenix
def test_logging_again_adds_experiments_to_the_same_dataset(phoenix_url):
    first = log_suite_to_phoenix(
        _rows(versions=("v1",)), dataset_name="suite-again", endpoint=phoenix_url
    )
    # Fewer seeds and another version the second time: a new experiment, same dataset.
    second = log_suite_to_phoenix(
        _rows(versions=("v2",), seeds=(7,)),
        dataset_name="suite-again",
        experiment_prefix="nightly ",
        endpoint=phoenix_url,
    )
    assert second["dataset_id"] == first["dataset_id"]
    listed = _get(f"{phoenix_url}/v1/datasets/{first['dataset_id']}/experiments")["data"]
    names = {e["name"]: e for e in listed}
    assert sorted(names) == ["nightly v2", "v1"]
    assert names["nightly v2"]["repetitions"] == 1
    runs = _get(f"{phoenix_url}/v1/experiments/{second['experiments']['v2']['id']}/json")
    assert sorted((r["input"]["scenario"], r["output"]["seed"]) for r in runs) == [
        ("sd-0001", 7),
        ("sd-0002", 7),
    ]


@pytest.mark.slow
@pytest.mark.phoenix
def test_a_server_that_refuses_is_reported_not_crashed(phoenix_url):
    # A path under which Phoenix has no API: it serves its web app there, and refuses the POST.
    with pytest.raises(PhoenixError, match="refused") as caught:
        log_suite_to_phoenix(_rows(), endpoint=f"{phoenix_url}/no-such-prefix")
    assert "HTTP 405" in str(caught.value) and "\n" not in str(caught.value)
