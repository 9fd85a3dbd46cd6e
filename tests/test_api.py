"""``api`` against its store seam: an in-memory double of ``ResultsStore`` gives the same results
as the DuckDB store, so everything above the seam is tested without a database file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pytest

from electoral import api
from electoral.columns import ReturnsTable
from electoral.errors import NotFoundError, StoreError, ValidationError
from electoral.model import Candidate, Poll, Returns
from electoral.store import Addition, ElectionSummary, ImportRecord, StoredUnit
from electoral.store_polls import PollFile, PollImport


class MemoryStore:
    """A ``ResultsStore`` holding returns in a dict: the test double of the DuckDB store."""

    path = Path(":memory:")

    def __init__(self) -> None:
        self.stored: dict[str, tuple[Returns, ImportRecord]] = {}
        self.poll_files: dict[str, list[Poll]] = {}  # source → its polls, first imported first
        self.poll_records: list[PollImport] = []

    def __enter__(self) -> MemoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def elections(self) -> list[ElectionSummary]:
        rows = [ElectionSummary(r.election.id, r.election.year, r.election.state, r.election.office,
                                len(r.units), len(r.counts), i.source)
                for r, i in self.stored.values()]
        return sorted(rows, key=lambda s: (s.year, s.state, s.office))

    def imports(self, election_id: str | None = None) -> list[ImportRecord]:
        return [i for eid, (_, i) in self.stored.items() if election_id in (None, eid)]

    def has(self, election_id: str) -> bool:
        return election_id in self.stored

    def load(self, election_id: str) -> Returns:
        return self.load_many([election_id])[0]

    def load_many(self, election_ids: Sequence[str]) -> list[Returns]:
        missing = [i for i in election_ids if i not in self.stored]
        if missing:
            raise NotFoundError(f"no election {missing[0]!r}")
        return [self.stored[i][0] for i in election_ids]

    def provenance(self, election_ids: Sequence[str]) -> dict[str, list[StoredUnit]]:
        counted = {eid: {c.unit for c in r.counts} for eid, (r, _) in self.stored.items()}
        return {eid: [StoredUnit(u.id, u.name, str(u.kind), u.parent, u.id in counted[eid], i.id,
                                 i.source, i.format) for u in r.units]
                for eid, (r, i) in self.stored.items() if eid in election_ids}

    def candidates(self, election_id: str) -> list[Candidate]:
        return list(self.stored[election_id][0].candidates) if election_id in self.stored else []

    def unit_sources(self, election_id: str) -> dict[str, str]:
        returns, record = self.stored[election_id]
        return {u.id: record.source for u in returns.units}

    def add(self, additions: Sequence[Addition]) -> list[ImportRecord]:
        """Whole elections only: the double keeps one import per election."""
        assert all(a.whole or a.table.election_id not in self.stored for a in additions)
        return [r for a in additions
                for r in self.save(a.table, source=a.source, sha256=a.sha256, format=a.format)]

    def save_polls(self, files: Sequence[PollFile]) -> list[PollImport]:
        records = []
        for file in files:
            for source, polls in self.poll_files.items():
                self.poll_files[source] = [p for p in polls if p.id not in file.drop]
            self.poll_files[file.source] = list(file.polls)  # keeps its first place when again
            records.append(PollImport(len(self.poll_records) + 1, file.source, file.sha256,
                                      file.format, dt.datetime(2026, 1, 1), len(file.polls),
                                      sum(len(q.answers) for p in file.polls for q in p.questions)))
            self.poll_records.append(records[-1])
        return records

    def polls(self) -> list[tuple[str, list[Poll]]]:
        return [(source, list(polls)) for source, polls in self.poll_files.items() if polls]

    def poll_ids(self) -> dict[str, str]:
        return {p.id: source for source, polls in self.poll_files.items() for p in polls}

    def poll_imports(self) -> list[PollImport]:
        return list(self.poll_records)

    def save(self, *elections: ReturnsTable | Returns, source: str, sha256: str,
             format: str) -> list[ImportRecord]:
        loaded = [e.materialized() if isinstance(e, ReturnsTable) else e for e in elections]
        records = []
        for one in loaded:
            record = ImportRecord(len(self.stored) + 1, one.election.id, source, sha256, format,
                                  dt.datetime(2026, 1, 1), len(one.counts))
            self.stored[one.election.id] = (one, record)
            records.append(record)
        return records


@pytest.fixture
def both(db: Path) -> tuple[api.ResultsStore, api.ResultsStore]:
    memory = MemoryStore()
    api.load_samples(memory)
    real = api.open_store(db, write=True)
    api.load_samples(real)
    yield memory, real
    real.__exit__(None, None, None)


@pytest.mark.parametrize("fmt", ["text", "csv", "json"])
def test_the_double_and_the_store_give_the_same_tables(both, fmt: str) -> None:
    memory, real = both
    for election, level, earlier in [("2004-MO-president", "county", None),
                                     ("2024-CT-president", "county", "2004-CT-president"),
                                     ("2004-MA-president", "state", None)]:
        assert (api.report(memory, election, level, earlier, fmt)
                == api.report(real, election, level, earlier, fmt))


def test_results_document_is_the_json_report(both) -> None:
    import json

    memory, _real = both
    view = api.results(memory, "2004-MO-president", "county")
    assert api.results_document(view) == json.loads(api.render_results(view, "json"))
    boone = next(r for r in api.results_document(view)["rows"] if r["unit"] == "Boone")
    assert boone["margin"] == {"votes": 158, "percent": "0.21"}


def test_the_double_and_the_store_keep_the_same_polls(both, tmp_path: Path) -> None:
    from tests.test_store_polls import two_polls

    first, second = two_polls(tmp_path, "a.csv"), two_polls(tmp_path, "b.csv", first="11", second="12")
    for store in both:
        api.import_polls(store, [first])
        with pytest.raises(ValidationError, match="already stored from a.csv"):
            api.import_polls(store, [second])
        api.import_polls(store, [second], replace=True)
        api.import_polls(store, [first], skip_existing=True)
    memory, real = both
    assert memory.polls() == real.polls() and [p.id for p in api.stored_polls(real)] == ["10", "11", "12"]
    assert [(r.source, r.polls) for r in memory.poll_imports()] == [
        (r.source, r.polls) for r in real.poll_imports()]


def test_elections_and_missing_ones(both) -> None:
    memory, real = both
    assert [e.id for e in api.elections(memory)] == [e.id for e in api.elections(real)]
    with pytest.raises(NotFoundError):
        api.report(memory, "1999-CT-president")


def test_a_reimport_that_drops_a_level_says_so(tmp_path: Path) -> None:
    memory = MemoryStore()
    api.load_samples(memory)
    state_only = tmp_path / "2004-CT-president.csv"
    state_only.write_text("election,unit,candidate,votes\n2004-CT-president,CT,Kerry,12\n"
                          "2004-CT-president,CT,Bush,10\n")
    # issue 10: another source of a stored election is refused unless --replace
    with pytest.raises(ValidationError, match="bundled:2004-CT-president"):
        api.import_path(memory, state_only)
    imported = api.import_path(memory, state_only, replace=True)
    notes = [n["detail"] for n in imported.elections[0].notes]
    assert any("county" in note and "bundled:2004-CT-president" in note for note in notes)


# ---- issue 11: reading opens read-only; an import without votes replaces nothing --------------

CLARITY = """<?xml version="1.0" encoding="utf-8"?>
<ElectionResult>
    <ElectionName>General Election 2020</ElectionName>
    <ElectionDate>11/3/2020</ElectionDate>
    <Region>Kent</Region>
    <Contest key="1" text="President of the United States" voteFor="1">
{choices}    </Contest>
</ElectionResult>
"""
CHOICES = """        <Choice key="{key}" text="{name}" party="{party}" totalVotes="{votes}">
            <VoteType name="Election Day" votes="{votes}">
                <Precinct name="Alder South" votes="{votes}" />
            </VoteType>
        </Choice>
"""


def clarity(path: Path, *choices: tuple[str, str, int]) -> Path:
    """A one-precinct Clarity detail.xml of Kent County's presidential contest."""
    path.write_text(CLARITY.format(choices="".join(
        CHOICES.format(key=i, name=name, party=party, votes=votes)
        for i, (name, party, votes) in enumerate(choices, 1))))
    return path


def test_open_store_reads_unless_told_to_write(db: Path) -> None:
    with pytest.raises(NotFoundError, match=f"no results database at {db}"):
        api.open_store(db)
    assert not db.exists()
    with api.open_store(db, write=True) as store:
        api.load_samples(store)
    with api.open_store(db) as store:
        assert len(api.elections(store)) == 4
        with pytest.raises(StoreError, match="it is open read-only"):
            api.load_samples(store)
        assert len(api.elections(store)) == 4


def test_an_audit_against_a_store_not_made_yet_makes_none(tmp_path: Path, db: Path) -> None:
    path = clarity(tmp_path / "detail.xml", ("Ada Marsh", "DEM", 700), ("Ben Ortiz", "REP", 500))
    with api.open_store(db, empty_if_missing=True) as store:
        report = api.import_paths(store, [path], election="2020-DE-president", dry_run=True)
    assert not report.failed and report.elections[0].complete is False
    assert not db.exists()


@pytest.mark.parametrize("replace", [False, True])
def test_an_import_without_votes_is_a_problem_and_replaces_nothing(tmp_path: Path, db: Path,
                                                                    replace: bool) -> None:
    full = clarity(tmp_path / "full.xml", ("Ada Marsh", "DEM", 700), ("Ben Ortiz", "REP", 500))
    empty = clarity(tmp_path / "empty.xml")
    with api.open_store(db, write=True) as store:
        api.import_paths(store, [full], election="2020-DE-president")
        report = api.import_paths(store, [empty], election="2020-DE-president", replace=replace)
        (entry,) = report.elections
        assert report.failed and not report.stored and entry.counts == 0
        assert entry.problems == [{
            "file": str(empty), "line": None, "lines": [], "kind": "no_votes",
            "election": "2020-DE-president", "contest": "president",
            "detail": "2020-DE-president: the file gives no count for any candidate of "
                      "'president'; nothing of it is stored, and what is stored of the election "
                      "stays as it is"}]
        (stored,) = api.elections(store)
        assert (stored.counts, stored.source) == (2, "full.xml")
        assert [r.source for r in api.imports(store)] == ["full.xml"]


def test_a_first_import_without_votes_stores_no_election(tmp_path: Path) -> None:
    memory = MemoryStore()
    empty = clarity(tmp_path / "empty.xml")
    with pytest.raises(ValidationError) as raised:
        api.import_path(memory, empty, election="2020-DE-president")
    assert [(p.code, p.source) for p in raised.value.problems] == [("no-votes", "empty.xml")]
    assert api.elections(memory) == []
