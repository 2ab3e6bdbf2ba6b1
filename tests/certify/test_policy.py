"""grader/policy.yaml: loads, matches the course's labs, and a malformed policy is refused
with the file and the field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from infralab.grading.certify import PolicyError, load_policy

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "grader" / "policy.yaml"


def test_the_committed_policy_loads_and_each_track_is_the_labs_of_that_track():
    """Every lab in solutions/ counts for the track its notebook names (the orientation lab for
    track A, as its prerequisite), and the policy names no lab that does not exist."""
    policy = load_policy(POLICY)
    assert set(policy.tracks) == {"A", "B", "C"}
    expected: dict[str, set[str]] = {"A": set(), "B": set(), "C": set()}
    for source in sorted((ROOT / "solutions").glob("*/*.ipynb")):
        track = json.loads(source.read_text())["metadata"]["infralab"]["track"]
        expected["A" if track == "orientation" else track].add(source.parent.name)
    for track_id, track in policy.tracks.items():
        assert {r.lab for r in track.labs} == expected[track_id], track_id
    assert len(policy.sha256) == 64 and policy.version


def _broken(tmp_path: Path, edit) -> Path:
    data = yaml.safe_load(POLICY.read_text())
    edit(data)
    p = tmp_path / "policy.yaml"
    p.write_text(yaml.safe_dump(data))
    return p


@pytest.mark.parametrize(
    "edit,field",
    [
        (
            lambda d: d["tracks"]["A"]["labs"]["a1-topologies"].update(min_score=1.5),
            "tracks.A.labs.a1-topologies.min_score",
        ),
        (
            lambda d: d["tracks"]["A"]["labs"]["a1-topologies"].update(min_score="most"),
            "tracks.A.labs.a1-topologies.min_score",
        ),
        (lambda d: d["tracks"]["A"].update(min_overall=-0.1), "tracks.A.min_overall"),
        (lambda d: d["tracks"]["A"].pop("min_hidden"), "tracks.A.min_hidden"),
        (lambda d: d["tracks"]["A"].pop("name"), "tracks.A.name"),
        (lambda d: d["tracks"]["B"].update(labs=["b1"]), "tracks.B.labs"),
        (lambda d: d["tracks"]["A"].update(treshold=0.5), "tracks.A.treshold"),
        (lambda d: d.update(attempts=0), "attempts"),
        (lambda d: d.update(attempts=True), "attempts"),
        (lambda d: d.pop("validity_days"), "validity_days"),
        (lambda d: d.update(tracks={}), "tracks"),
        (lambda d: d["status_list"].update(size=1000), "status_list.size"),
        (lambda d: d["status_list"].update(url="revocation.json"), "status_list.url"),
        (lambda d: d["issuer"].pop("name"), "issuer.name"),
    ],
)
def test_a_malformed_policy_is_refused_naming_file_and_field(tmp_path, edit, field):
    path = _broken(tmp_path, edit)
    with pytest.raises(PolicyError) as err:
        load_policy(path)
    assert str(err.value).startswith(f"{path}: {field}"), str(err.value)


def test_not_yaml_and_missing_file(tmp_path):
    bad = tmp_path / "p.yaml"
    bad.write_text("tracks: [\n")
    with pytest.raises(PolicyError, match=str(bad)):
        load_policy(bad)
    with pytest.raises(PolicyError, match="cannot read"):
        load_policy(tmp_path / "none.yaml")


def test_unknown_track_is_named(tmp_path):
    with pytest.raises(PolicyError, match="no track 'Z'"):
        load_policy(POLICY).track("Z")
