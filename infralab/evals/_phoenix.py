"""Log an evaluation suite's results to Phoenix as a dataset and one experiment per version.

Phoenix's datasets and experiments are the place where people browse eval results: a
*dataset* holds the examples (here one per scenario: its message, the reference trajectory,
its family), an *experiment* holds one run of a system over the dataset (here one per agent
version, with one repetition per seed), and each run carries *evaluations* (annotations with a
score, a label and an explanation). Two experiments on one dataset can be compared side by
side in Phoenix's UI, which is what a regression review wants.

This talks to Phoenix's REST API (``/v1/datasets/upload``, ``/v1/datasets/{id}/experiments``,
``/v1/experiments/{id}/runs``, ``/v1/experiment_evaluations``), with the same payloads as
``phoenix.client``'s ``datasets.create_dataset``, ``experiments.create``, ``log_run`` and
``log_evaluation``. It does not import ``phoenix.client``: importing any ``phoenix.*`` module
runs the server package's ``phoenix/__init__.py`` (pandas, SQLAlchemy, several seconds and
hundreds of MB), which a kernel must not pay for (docs/architecture.md).

Introduced in lab ``b1-behaviour-evals``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit

__all__ = ["PhoenixError", "log_suite_to_phoenix", "phoenix_url"]

#: The environment variable ``make lab`` sets to Phoenix's base URL (see infralab/lab.py).
ENDPOINT_ENV = "PHOENIX_COLLECTOR_ENDPOINT"

_HOW_TO_SEE = "run `make lab` to start Phoenix beside JupyterLab and see these results there"
_KINDS = ("CODE", "LLM", "HUMAN")
# Runs are stamped at the virtual epoch (2026-01-01): the same suite gives the same records.
_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


class PhoenixError(RuntimeError):
    """Phoenix is not configured, not reachable, or refused a request.

    The message is one sentence a learner can act on (for a missing server it says to run
    ``make lab``).
    """


def phoenix_url(endpoint: str | None = None) -> str | None:
    """Phoenix's base URL: ``endpoint``, else ``PHOENIX_COLLECTOR_ENDPOINT``, else None.

    A trailing ``/v1/traces`` (the collector path) is dropped, so both forms work.

    Raises:
        PhoenixError: the URL is not an http(s) URL.
    """
    raw = endpoint if endpoint is not None else os.environ.get(ENDPOINT_ENV) or None
    if raw is None:
        return None
    url = str(raw).strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PhoenixError(f"Phoenix's address must be an http(s) URL, got {raw!r}")
    if url.endswith("/v1/traces"):
        url = url[: -len("/v1/traces")]
    return url


class _Api:
    """The few REST calls this module makes, with errors turned into :class:`PhoenixError`."""

    def __init__(self, url: str, timeout: float) -> None:
        self.url = url
        self.timeout = timeout
        # The session tracing exports with: a loopback Phoenix ignores HTTP(S)_PROXY variables.
        # Imported here, not at the top, so that importing infralab.evals stays light.
        from infralab.tracing import _session_for

        self.session = _session_for(url)

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        import requests

        try:
            response = self.session.request(
                method, f"{self.url}/{path}", timeout=self.timeout, **kwargs
            )
        except requests.RequestException as exc:
            raise PhoenixError(
                f"no Phoenix server answers at {self.url} ({type(exc).__name__}): {_HOW_TO_SEE}"
            ) from None
        if response.status_code >= 400:
            detail = response.text.strip().replace("\n", " ")[:300]
            raise PhoenixError(
                f"Phoenix at {self.url} refused {method} /{path}: "
                f"HTTP {response.status_code} {detail}"
            )
        if "json" not in response.headers.get("content-type", ""):
            return response.text
        return response.json()


def _check_rows(rows: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    out = list(rows)
    if not out:
        raise ValueError("log_suite_to_phoenix: no rows to log")
    seen: set[tuple[str, str, int]] = set()
    for i, row in enumerate(out):
        for key, kind in (("scenario", str), ("version", str), ("seed", int)):
            if not isinstance(row.get(key), kind) or isinstance(row.get(key), bool):
                raise ValueError(f"rows[{i}][{key!r}] must be a {kind.__name__}, got {row!r}")
        key3 = (row["scenario"], row["version"], row["seed"])
        if key3 in seen:
            raise ValueError(f"rows[{i}]: scenario, version and seed {key3} appear twice")
        seen.add(key3)
        for name, ev in dict(row.get("evaluations") or {}).items():
            if not isinstance(ev, Mapping) or not any(
                ev.get(k) is not None for k in ("score", "label", "explanation")
            ):
                raise ValueError(
                    f"rows[{i}] evaluation {name!r} needs a score, a label or an explanation"
                )
            if ev.get("kind", "CODE") not in _KINDS:
                raise ValueError(f"rows[{i}] evaluation {name!r}: kind must be one of {_KINDS}")
    return out


def log_suite_to_phoenix(
    rows: Iterable[Mapping[str, Any]],
    *,
    dataset_name: str = "b1-behaviour-evals suite",
    experiment_prefix: str = "",
    endpoint: str | None = None,
    timeout: float = 10.0,
) -> dict[str, Any]:
    """Upload a suite's results to Phoenix: one dataset, one experiment per agent version.

    Args:
        rows: one dict per run, with

            - ``scenario`` (str), ``version`` (str), ``seed`` (int): which run it is (each
              triple once);
            - ``input``, ``expected``, ``metadata`` (dicts, optional): the dataset example of
              the scenario (its first row's values are used): what the agent got, the
              reference output, and fields to filter on (e.g. the family);
            - ``output`` (dict, optional): what the run produced (trajectory, answer...);
            - ``evaluations`` (dict, optional): name -> ``{"score": float, "label": str,
              "explanation": str, "kind": "CODE" | "LLM" | "HUMAN"}`` (at least one of the
              first three), e.g. ``passed``, ``trajectory`` and ``judge``.

        dataset_name: the dataset to create or update (a new version when it exists).
        experiment_prefix: put before each version's name to name its experiment.
        endpoint: Phoenix's base URL; default ``PHOENIX_COLLECTOR_ENDPOINT`` (``make lab``
            sets it).
        timeout: seconds per HTTP request.

    Returns:
        ``{"url", "dataset_id", "dataset_url", "examples", "runs", "evaluations",
        "experiments": {version: {"id", "url", "runs"}}}`` (URLs open in Phoenix's UI).

    Raises:
        ValueError: a row is malformed (checked before anything is sent).
        PhoenixError: no endpoint is configured, no server answers (the message says to run
            ``make lab``), or the server refused a request.

    Example:
        >>> log_suite_to_phoenix(
        ...     [{"scenario": "sd-0001", "version": "v1", "seed": 0,
        ...       "evaluations": {"passed": {"score": 1.0, "label": "pass"}}}],
        ...     endpoint="http://127.0.0.1:6006")  # doctest: +SKIP
    """
    checked = _check_rows(rows)
    url = phoenix_url(endpoint)
    if url is None:
        raise PhoenixError(
            f"no Phoenix server is configured ({ENDPOINT_ENV} is not set): {_HOW_TO_SEE}"
        )
    api = _Api(url, timeout)
    # A cheap probe first: an unreachable server costs one short request, not a failed upload.
    api.call("GET", "healthz")

    scenarios: dict[str, Mapping[str, Any]] = {}
    for row in checked:
        scenarios.setdefault(row["scenario"], row)
    ids = sorted(scenarios)
    upload = api.call(
        "POST",
        "v1/datasets/upload",
        params={"sync": "true"},
        json={
            "action": "update",
            "name": dataset_name,
            "description": "Scenarios of an agent evaluation suite (infralab.evals)",
            "inputs": [{"scenario": sid, **dict(scenarios[sid].get("input") or {})} for sid in ids],
            "outputs": [dict(scenarios[sid].get("expected") or {}) for sid in ids],
            "metadata": [
                {"scenario": sid, **dict(scenarios[sid].get("metadata") or {})} for sid in ids
            ],
        },
    )["data"]
    dataset_id, version_id = upload["dataset_id"], upload["version_id"]
    listed = api.call(
        "GET",
        f"v1/datasets/{quote(dataset_id)}/examples",
        params={"version_id": version_id},
    )["data"]["examples"]
    example_of = {ex["input"]["scenario"]: ex["id"] for ex in listed}
    missing = sorted(set(ids) - set(example_of))
    if missing:
        raise PhoenixError(f"Phoenix's dataset {dataset_name!r} lacks the scenarios {missing}")

    by_version: dict[str, list[Mapping[str, Any]]] = {}
    for row in checked:
        by_version.setdefault(row["version"], []).append(row)
    experiments: dict[str, dict[str, Any]] = {}
    n_runs = n_evals = 0
    for version in sorted(by_version):
        version_rows = by_version[version]
        # Repetition r of a scenario is its r-th seed in ascending order (1-based, as Phoenix).
        seeds: dict[str, list[int]] = {}
        for row in version_rows:
            seeds.setdefault(row["scenario"], []).append(row["seed"])
        repetitions = max(len(s) for s in seeds.values())
        experiment = api.call(
            "POST",
            f"v1/datasets/{quote(dataset_id)}/experiments",
            json={
                "name": f"{experiment_prefix}{version}",
                "description": f"agent version {version}, {repetitions} seed(s) per scenario",
                "metadata": {"version": version},
                "version_id": version_id,
                "repetitions": repetitions,
            },
        )["data"]
        exp_id = experiment["id"]
        for row in sorted(version_rows, key=lambda r: (r["scenario"], r["seed"])):
            repetition = sorted(seeds[row["scenario"]]).index(row["seed"]) + 1
            run = api.call(
                "POST",
                f"v1/experiments/{quote(exp_id)}/runs",
                json={
                    "dataset_example_id": example_of[row["scenario"]],
                    "output": {"seed": row["seed"], **dict(row.get("output") or {})},
                    "repetition_number": repetition,
                    "start_time": _EPOCH.isoformat(),
                    "end_time": _EPOCH.isoformat(),
                },
            )["data"]
            n_runs += 1
            for name, ev in dict(row.get("evaluations") or {}).items():
                result = {
                    k: ev[k] for k in ("score", "label", "explanation") if ev.get(k) is not None
                }
                if "score" in result:
                    result["score"] = float(result["score"])
                api.call(
                    "POST",
                    "v1/experiment_evaluations",
                    json={
                        "experiment_run_id": run["id"],
                        "name": name,
                        "annotator_kind": ev.get("kind", "CODE"),
                        "start_time": _EPOCH.isoformat(),
                        "end_time": _EPOCH.isoformat(),
                        "result": result,
                        "error": None,
                        "metadata": {},
                        "trace_id": None,
                    },
                )
                n_evals += 1
        experiments[version] = {
            "id": exp_id,
            "url": f"{url}/datasets/{dataset_id}/compare?experimentId={exp_id}",
            "runs": len(version_rows),
        }
    return {
        "url": url,
        "dataset_id": dataset_id,
        "dataset_url": f"{url}/datasets/{dataset_id}/experiments",
        "examples": len(ids),
        "runs": n_runs,
        "evaluations": n_evals,
        "experiments": experiments,
    }
