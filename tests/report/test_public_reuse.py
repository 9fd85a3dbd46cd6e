"""A new version reuses the files of every election that did not change (issue 12: with two
stored elections of 60k precincts each, every change rendered both again)."""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from electoral import api
from electoral.report import public as public_mod
from electoral.report.public import MANIFEST, versions
from electoral.server.owner import _night_extra
from tests.server.night import COUNTIES, county_file, make_store

NOW = dt.datetime(2026, 11, 3, 20, 0, tzinfo=dt.UTC)
NEW, OLD = "2020-DE-president", "2016-DE-president"


class Counting:
    """A store that says which elections were loaded from it."""

    def __init__(self, store: api.NightStore) -> None:
        self.store, self.loaded = store, []

    def load(self, election: str):
        self.loaded.append(election)
        return self.store.load(election)

    def load_many(self, elections):
        self.loaded.extend(elections)
        return self.store.load_many(elections)

    def __getattr__(self, name: str):
        return getattr(self.store, name)


@pytest.fixture
def night(tmp_path: Path) -> Iterator[tuple[api.NightStore, dict[str, str]]]:
    tokens = make_store(tmp_path / "night.duckdb")
    with api.open_night_store(tmp_path / "night.duckdb", write=True) as store:
        yield store, {name: f"Bearer {secret}" for name, secret in tokens.items()}


def _ingest(store, tokens, election: str, fips: str, biden: int, *, precincts: int = 0,
            replace: bool = False) -> None:
    data = county_file(fips, biden, 1000 - biden, precincts=precincts, election=election)
    api.ingest(store, data, f"{election}-{fips}.csv", election, authorization=tokens["desk"],
               replace=replace)


def _files(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (hidden ones too) by relative name."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _inodes(folder: Path, election: str) -> set[int]:
    return {p.stat().st_ino for p in (folder / election).iterdir()}


def test_each_incremental_version_equals_one_published_from_scratch(night, tmp_path) -> None:
    store, tokens = night
    steps = [
        lambda: _ingest(store, tokens, NEW, "10001", 600, precincts=3),
        *[lambda fips=fips, n=n: _ingest(store, tokens, OLD, fips, 400 + n)
          for n, fips in enumerate(COUNTIES)],
        lambda: api.call_race(store, NEW, "Biden", "all units reporting",
                              authorization=tokens["caller"]),
        lambda: api.certify(store, OLD, authorization=tokens["board"]),
        lambda: _ingest(store, tokens, NEW, "10001", 700, precincts=3, replace=True),
    ]
    # which elections each step changes the figures of (a call or certification changes none)
    changed = [{NEW}, {OLD}, {OLD}, {OLD}, set(), set(), {NEW}]
    incremental = tmp_path / "public"
    for n, (step, touched) in enumerate(zip(steps, changed, strict=True)):
        step()
        before = versions(incremental)
        stamp = NOW + dt.timedelta(seconds=n)
        made = api.publish(store, incremental, extra=_night_extra(store), now=stamp)
        whole = api.publish(store, tmp_path / f"scratch-{n}", extra=_night_extra(store), now=stamp)
        assert made == whole == str(int(stamp.timestamp() * 1000))
        assert _files(incremental / made) == _files(tmp_path / f"scratch-{n}" / whole), n
        if before:  # an unchanged election's files are the previous version's, linked
            last = incremental / before[-1]
            for election in json.loads((last / MANIFEST).read_text())["elections"]:
                shared = _inodes(last, election) == _inodes(incremental / made, election)
                assert shared == (election not in touched), (n, election)
    summary = json.loads((incremental / made / "summary.json").read_text())
    entries = {e["id"]: e for e in summary["elections"]}
    assert entries[OLD]["status"] == "certified" and entries[NEW]["call"]["candidate"] == "Biden"


def test_an_unchanged_election_is_not_loaded_and_a_changed_one_is_rendered_again(
        night, tmp_path) -> None:
    store, tokens = night
    _ingest(store, tokens, NEW, "10001", 600, precincts=3)
    _ingest(store, tokens, OLD, "10003", 450)
    counting, public = Counting(store), tmp_path / "public"
    first = api.publish(counting, public)
    assert sorted(counting.loaded) == [OLD, NEW]

    counting.loaded.clear()
    again = api.publish(counting, public)
    assert counting.loaded == [] and _files(public / again) != {}
    assert (public / again / "summary.json").read_text() != \
        (public / first / "summary.json").read_text()  # its own version and stamp

    _ingest(store, tokens, NEW, "10001", 700, precincts=3, replace=True)
    counting.loaded.clear()
    changed = api.publish(counting, public)
    assert counting.loaded == [NEW]
    totals = [json.loads((public / v / NEW / "state.json").read_text())["total"]
              for v in (again, changed)]
    assert [t["candidates"][0]["votes"] for t in totals] == [3 * 600, 3 * 700]
    assert (public / changed / OLD / "county.json").stat().st_ino == \
        (public / again / OLD / "county.json").stat().st_ino


def test_a_file_removed_from_the_current_version_is_rendered_again(night, tmp_path) -> None:
    store, tokens = night
    _ingest(store, tokens, OLD, "10003", 450)
    public = tmp_path / "public"
    first = api.publish(store, public)
    (public / first / OLD / "county.csv").unlink()
    counting = Counting(store)
    second = api.publish(counting, public)
    assert counting.loaded == [OLD]
    scratch = api.publish(store, tmp_path / "scratch", now=dt.datetime.fromtimestamp(
        int(second) / 1000, dt.UTC))
    assert _files(public / second) == _files(tmp_path / "scratch" / scratch)


def test_files_are_copied_where_they_cannot_be_linked(night, tmp_path, monkeypatch) -> None:
    store, tokens = night
    _ingest(store, tokens, OLD, "10003", 450)
    public = tmp_path / "public"
    first = api.publish(store, public)

    def cannot(source, target, **_options):
        raise OSError(errno.EXDEV, os.strerror(errno.EXDEV))

    monkeypatch.setattr(public_mod.os, "link", cannot)
    counting = Counting(store)
    second = api.publish(counting, public)
    assert counting.loaded == []
    for name in (public / first / OLD).iterdir():
        copy = public / second / OLD / name.name
        assert copy.read_bytes() == name.read_bytes()
        assert copy.stat().st_ino != name.stat().st_ino


def test_a_planted_link_or_a_path_out_of_the_version_is_never_taken(night, tmp_path) -> None:
    store, tokens = night
    _ingest(store, tokens, OLD, "10003", 450)
    public = tmp_path / "public"
    first = api.publish(store, public)
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the public", encoding="utf-8")
    planted = public / first / OLD / "county.csv"
    planted.unlink()
    planted.symlink_to(secret)
    counting = Counting(store)
    second = api.publish(counting, public)
    assert counting.loaded == [OLD]  # rendered again, not linked
    assert not (public / second / OLD / "county.csv").is_symlink()
    assert "not for the public" not in (public / second / OLD / "county.csv").read_text()
    manifest = json.loads((public / second / MANIFEST).read_text(encoding="utf-8"))
    entry = manifest["elections"][OLD]
    entry["files"] = [*entry["files"], f"{OLD}/../../../secret.txt", "/etc/hostname"]
    (public / second / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    third = api.publish(store, public)
    assert not any(p.name in ("secret.txt", "hostname") for p in (public / third).rglob("*"))
