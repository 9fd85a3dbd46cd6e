"""The public read path (issue 12): immutable version folders behind current_ver.txt."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from electoral import api
from electoral.demo import replay_night
from electoral.io.outfile import OutputError
from electoral.report import public as public_mod
from electoral.report.public import Publication, current_version, publish_version, versions
from electoral.store import MEMORY, Store
from tests.report.test_hostile_names import HOSTILE, hostile_returns


@pytest.fixture
def night(tmp_path: Path) -> tuple[Path, list[str]]:
    """A replayed night of 2004-MO-president in three batches."""
    public = tmp_path / "public"
    with Store(MEMORY) as store:
        batches = replay_night(store, public, batches=3, interval=0)
    return public, [b.version for b in batches]


def test_each_batch_is_a_whole_version_and_the_pointer_names_the_last(night) -> None:
    public, made = night
    assert versions(public) == made and made == sorted(made, key=int)
    assert current_version(public) == made[-1]
    for version in made:
        folder = public / version
        summary = json.loads((folder / "summary.json").read_text())
        assert summary["version"] == version
        (entry,) = summary["elections"]
        for level in entry["levels"]:
            document = json.loads((folder / entry["id"] / f"{level}.json").read_text())
            assert document["election"] == entry["id"] and document["level"] == level
            assert (folder / entry["id"] / f"{level}.csv").read_text().count("\n") > 1
        nist = json.loads((folder / entry["id"] / "nist-1500-100.json").read_text())
        assert nist["@type"] == "ElectionResults.ElectionReport"
        assert (folder / entry["map"]).read_text().startswith("<svg")
    assert not list(public.glob(".*.tmp-*"))


def test_partial_versions_report_coverage_and_name_no_winner(night) -> None:
    public, made = night
    first = json.loads((public / made[0] / "summary.json").read_text())["elections"][0]
    assert first["status"] == "partial" and first["winner"] is None
    assert first["reporting"] == "38 of 115 counties reporting"
    assert first["coverage"] == {"level": "county", "reporting": 38, "expected": 115,
                                 "missing": first["coverage"]["missing"]}
    assert len(first["coverage"]["missing"]) == 77
    county = json.loads((public / made[0] / first["id"] / "county.json").read_text())
    assert len(county["rows"]) == 38 and county["total"]["total"] == first["total"]["total"]
    last = json.loads((public / made[-1] / "summary.json").read_text())["elections"][0]
    assert last["status"] == "all units reporting"
    assert last["winner"]["candidate"] == "George W. Bush" and last["winner"]["electors"] == 11
    assert last["total"]["total"] == 2731364  # the bundled article's total, all counted


def test_a_version_file_equals_the_report_command(tmp_path: Path) -> None:
    with Store(MEMORY) as store:
        api.load_samples(store)
        version = api.publish(store, tmp_path)
        expected = json.loads(api.report(store, "2004-MA-president", "county", fmt="json"))
    written = json.loads((tmp_path / version / "2004-MA-president" / "county.json").read_text())
    assert written == expected


def test_versions_rise_and_old_ones_are_pruned_after_the_pointer_moves(tmp_path: Path) -> None:
    returns = hostile_returns()
    made = [publish_version(tmp_path, [Publication(returns)], keep=3) for _ in range(5)]
    assert [int(v) for v in made] == sorted({int(v) for v in made})  # strictly rising
    assert versions(tmp_path) == made[-3:] and current_version(tmp_path) == made[-1]
    # an emptied folder never reuses an id (a browser may cache a version for a year)
    for version in versions(tmp_path):
        for path in sorted((tmp_path / version).rglob("*"), reverse=True):
            path.rmdir() if path.is_dir() else path.unlink()
        (tmp_path / version).rmdir()
    assert int(publish_version(tmp_path, [Publication(returns)])) > int(made[-1])


def test_a_publish_that_fails_half_way_leaves_the_last_version_named(tmp_path, monkeypatch) -> None:
    returns = hostile_returns()
    first = publish_version(tmp_path, [Publication(returns)])
    written: list[str] = []

    def failing(path, data, *, within=None):
        written.append(str(path))
        if len(written) == 3:
            raise OutputError(f"cannot write {path}: the disk is full")
        return original(path, data, within=within)

    original = public_mod.write_file
    monkeypatch.setattr(public_mod, "write_file", failing)
    with pytest.raises(OutputError, match="disk is full"):
        publish_version(tmp_path, [Publication(returns)])
    assert current_version(tmp_path) == first and versions(tmp_path) == [first]
    assert not list(tmp_path.glob(".*.tmp-*"))  # the half-written folder is gone


def test_hostile_names_stay_data_in_every_published_file(tmp_path: Path) -> None:
    version = publish_version(tmp_path, [Publication(hostile_returns())])
    summary = json.loads((tmp_path / version / "summary.json").read_text())
    names = [c["name"] for c in summary["elections"][0]["total"]["candidates"]]
    assert sorted(names) == sorted(HOSTILE)  # JSON carries the names as they are
    election = summary["elections"][0]["id"]
    csv_text = (tmp_path / version / election / "county.csv").read_text()
    assert '=HYPERLINK' not in csv_text.replace("'=HYPERLINK", "")  # neutralised in CSV
    svg = (tmp_path / version / election / "map.svg").read_text()
    assert "<script>" not in svg
    page = (tmp_path / "live.js").read_text()
    assert "innerHTML" not in page and "insertAdjacentHTML" not in page and "eval(" not in page


def test_extra_keys_reach_the_summary(tmp_path: Path) -> None:
    with Store(MEMORY) as store:
        api.load_samples(store)
        call = {"candidate": "John Kerry", "by": "desk", "at": "2004-11-02T21:00:00Z",
                "basis": "all units reporting"}
        version = api.publish(store, tmp_path, extra={"2004-MA-president": {"call": call}})
    entries = json.loads((tmp_path / version / "summary.json").read_text())["elections"]
    assert [e["call"] for e in entries if e["id"] == "2004-MA-president"] == [call]
    assert all(e["call"] is None for e in entries if e["id"] != "2004-MA-president")
