"""Properties of the returns path (issue 10, "Done when"): how a file is cut up or padded with rows
that are not votes must not change any figure.

(a) An OpenElections precinct file, split into per-county files and imported in any order (in one
    command or one after another), gives the same report JSON as the whole file.
(b) Adding pseudo-candidate rows with correct figures, and respelling the candidates (case changes,
    "Last, First"), changes no candidate's total.

Shrinking is left out to keep the run short
(every example imports files through the CLI); run with phases including Phase.shrink to minimise.
"""

from __future__ import annotations

import csv
import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from tests.cases.returns_cli import invoke

COUNTIES = ("Kent", "New Castle", "Sussex")  # Delaware's three, so coverage is a real state's
CANDIDATES = (("Ada Q. Marsh", "DEM"), ("Cole R. Dunmore", "REP"), ("Dara J. Finch", "LIB"))
HEADER = ("county", "precinct", "office", "district", "party", "candidate", "votes")
WHOLE = "20201103__de__general__precinct.csv"
ELECTION = "2020-DE-president"
QUICK = settings(max_examples=6, deadline=None, database=None,
                 phases=(Phase.explicit, Phase.reuse, Phase.generate))

Row = tuple[str, str, str, str, str, str, int]


@st.composite
def precinct_rows(draw: st.DrawFn, min_counties: int = 1) -> list[Row]:
    """Rows of a precinct file: some of the counties, 1-3 precincts each, every candidate."""
    counties = draw(st.lists(st.sampled_from(COUNTIES), min_size=min_counties, unique=True))
    rows: list[Row] = []
    for county in counties:
        for number in range(draw(st.integers(1, 3))):
            precinct = f"{county[:3]} {number + 1}"
            rows += [(county, precinct, "President", "", party, name, draw(st.integers(0, 5000)))
                     for name, party in CANDIDATES]
    return draw(st.permutations(rows))


def write(path: Path, rows: list[Row]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def imported(db: Path, *files: Path) -> None:
    result = invoke("import", *files, "--db", db)
    assert result.exit_code == 0, result.output


def import_in_any_order(db: Path, parts: list[Path], data: st.DataObject, together: bool) -> None:
    """The files in a drawn order, in one command or one command each."""
    order = data.draw(st.permutations(parts), label="order")
    if together:
        imported(db, *order)
    else:
        for part in order:
            imported(db, part)


def reports(db: Path) -> dict[str, Any]:
    """The report JSON at every level, less where the figures came from (the files differ)."""
    documents = {}
    for level in ("state", "county", "precinct"):
        result = invoke("report", ELECTION, "--by", level, "--format", "json", "--db", db)
        assert result.exit_code == 0, result.output
        document = json.loads(result.stdout)
        document.pop("sources", None)
        documents[level] = document
    return documents


@QUICK
@given(rows=precinct_rows(min_counties=2), data=st.data(), together=st.booleans())
def test_split_files_add_up_to_the_whole(rows: list[Row], data: st.DataObject, together: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        imported(base / "whole.duckdb", write(base / WHOLE, rows))
        parts = [write(base / f"20201103__de__general__{county.lower().replace(' ', '_')}__precinct.csv",
                       [r for r in rows if r[0] == county])
                 for county in sorted({r[0] for r in rows})]
        import_in_any_order(base / "split.duckdb", parts, data, together)
        assert reports(base / "split.duckdb") == reports(base / "whole.duckdb")


# Rows that are not votes for a candidate, with figures a real file would give them: each is a
# function of the precinct's candidate votes (their sum) and a drawn small number.
PSEUDO = {
    "Total Votes": lambda total, n: total,
    "TotalVotes": lambda total, n: total,
    "TOTAL": lambda total, n: total,
    "Registered Voters": lambda total, n: total * 2 + n,
    "Ballots Cast": lambda total, n: total + n,
    "Times Counted": lambda total, n: total + n,
    "Over Votes": lambda total, n: n,
    "Under Votes": lambda total, n: n,
    "Times Blank Voted": lambda total, n: n,
    "Spoiled": lambda total, n: n,
}


def spellings(name: str) -> list[str]:
    """The same person as files write them: as given, capitals, lower case, "Last, First M."."""
    *given_names, last = name.split()
    reversed_ = f"{last}, {' '.join(given_names)}"
    return [name, name.upper(), name.lower(), reversed_, reversed_.upper()]


@st.composite
def padded(draw: st.DrawFn, rows: list[Row]) -> list[Row]:
    out: list[Row] = []
    for row in rows:
        county, precinct, office, district, party, name, votes = row
        out.append((county, precinct, office, district, party, draw(st.sampled_from(spellings(name))), votes))
    for county, precinct in sorted({(r[0], r[1]) for r in rows}):
        total = sum(r[6] for r in rows if (r[0], r[1]) == (county, precinct))
        for label in draw(st.lists(st.sampled_from(sorted(PSEUDO)), unique=True, max_size=4)):
            figure = PSEUDO[label](total, draw(st.integers(1, 40)))
            out.append((county, precinct, "President", "", "", label, figure))
    return draw(st.permutations(out))


def totals_by_party(db: Path) -> dict[str, Any]:
    """Each candidate's total, statewide and per county, keyed by canonical party."""
    figures: dict[str, Any] = {}
    for level in ("state", "county"):
        result = invoke("report", ELECTION, "--by", level, "--format", "json", "--db", db)
        assert result.exit_code == 0, result.output
        document = json.loads(result.stdout)
        for row in [*document["rows"], document["total"]]:
            cells = [(c["party_id"], c["votes"]) for c in row["candidates"] if c["votes"]]
            figures[f"{level}:{row['unit']}"] = sorted(cells)
    return figures


@QUICK
@given(data=st.data(), rows=precinct_rows())
def test_pseudo_rows_and_respellings_change_no_total(data: st.DataObject, rows: list[Row]) -> None:
    noisy = data.draw(padded(rows), label="padded")
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        (base / "plain").mkdir()
        (base / "noisy").mkdir()
        imported(base / "plain.duckdb", write(base / "plain" / WHOLE, rows))
        imported(base / "noisy.duckdb", write(base / "noisy" / WHOLE, noisy))
        plain = totals_by_party(base / "plain.duckdb")
        assert totals_by_party(base / "noisy.duckdb") == plain
        assert all(party in {"DEM", "REP", "LIB"} for cells in plain.values() for party, _ in cells)


@settings(max_examples=30, deadline=None, database=None)
@given(rows=precinct_rows(), data=st.data())
def test_padding_keeps_every_candidate_row(rows: list[Row], data: st.DataObject) -> None:
    """The padded file still holds every candidate row, once, with its votes and a spelling of its
    name, so a difference in the property above can only come from how the rows are read."""
    noisy = data.draw(padded(rows))
    candidates = sorted((r[0], r[1], r[4], r[6]) for r in noisy if r[4])
    assert candidates == sorted((r[0], r[1], r[4], r[6]) for r in rows)
    names = {party: name for name, party in CANDIDATES}
    assert all(r[5] in spellings(names[r[4]]) for r in noisy if r[4])
    for row in (r for r in noisy if r[5] in ("Total Votes", "TotalVotes", "TOTAL")):
        assert row[6] == sum(r[6] for r in rows if r[:2] == row[:2])


@QUICK
@given(rows=precinct_rows(min_counties=2), data=st.data(), together=st.booleans())
def test_county_files_that_spell_names_their_own_way_add_up(rows: list[Row], data: st.DataObject,
                                                             together: bool) -> None:
    """Each county file spells each candidate one way of its own (issue 10: "one candidate became
    four because each county spelled the name differently"): imported together or one after
    another in any order, every candidate is one candidate with the whole file's figures."""
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        imported(base / "whole.duckdb", write(base / WHOLE, rows))
        parts = []
        for county in sorted({r[0] for r in rows}):
            spelled = {name: data.draw(st.sampled_from(spellings(name)), label=f"{county}: {name}")
                       for name, _ in CANDIDATES}
            mine = [(*r[:5], spelled[r[5]], r[6]) for r in rows if r[0] == county]
            slug = county.lower().replace(" ", "_")
            parts.append(write(base / f"20201103__de__general__{slug}__precinct.csv", mine))
        import_in_any_order(base / "split.duckdb", parts, data, together)
        assert totals_by_party(base / "split.duckdb") == totals_by_party(base / "whole.duckdb")
