"""Each real-data reader against an independent count of its raw file.

The raw files are summed here with the csv module alone, per state and candidate, applying only the
filters the readers and the data READMEs document (the office, rows that are not votes for anyone,
rows with no count, TOTAL rows over vote modes); the readers' output is rolled up to the state with
``roll_up``. Every state of every file must agree to the vote: a dropped or doubled row shows.
"""

from __future__ import annotations

import csv
import gzip
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from electoral.io import ReadOptions, open_source, read_tables
from electoral.io.medsl import STATE_FIPS
from electoral.io.stage import stage
from electoral.model import Returns, UnitKind
from electoral.tabulate.rollup import roll_up

Totals = dict[str, Counter[str]]  # election id → candidate label (upper case) → votes

# Labels the readers document as no one's votes: over/undervotes, blank and void ballots, and blank
# ballots merged with scattered write-ins (which cannot be split).
NOT_VOTES = {"OVER VOTE", "OVER VOTES", "OVERVOTES", "UNDERVOTES", "UNDER VOTES", "BLANK VOTE",
             "BLANK VOTES", "VOID", "VOID VOTE", "SPOILED", "BLANK VOTE/SCATTERING",
             "BLANK VOTE/VOID VOTE/SCATTERING"}


def staged(path: Path, options: ReadOptions | None = None) -> list[Returns]:
    """The file's elections as an import stores them: read, then through the import stage (the
    readers pass rows that are not votes and raw party labels through to it)."""
    source = open_source(path)
    return [t.materialized() for t in stage(read_tables(source, None, options), source.name)]


def rows(path: Path) -> Iterator[dict[str, str]]:
    if not path.is_file():
        pytest.skip(f"{path} is absent: these tests read the real data in ../shared")
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:  # type: ignore[operator]
        yield from csv.DictReader(handle)


def label(text: str) -> str:
    # MEDSL's doubled-quote artefacts and wrapped names (its README).
    return " ".join(text.replace('""', '"').split()).upper()


def by_name(all_returns: Iterable[Returns], key: str = "name") -> Totals:
    """Each election's state roll-up, as votes per candidate label (or ``key="id"``: id)."""
    out: Totals = {}
    for returns in all_returns:
        state = roll_up(returns, UnitKind.STATE).total
        votes: Counter[str] = Counter()
        for candidate in returns.candidates:
            if state.of(candidate.id):
                votes[label(getattr(candidate, key))] += state.of(candidate.id)
        out[returns.election.id] = votes
    return out


def medsl(path: Path, count: str, office: set[str]) -> Totals:
    """A MEDSL file summed per state-year and label: TOTAL rows where a unit has them, else its
    vote-mode rows; rows of no count (NA) and of no one's votes left out."""
    po: dict[str, str] = {}
    units: dict[tuple[str, str], list[dict[str, str]]] = {}
    for row in rows(path):
        if row["office"] not in office or row[count] == "NA" or label(row["candidate"]) in NOT_VOTES:
            continue
        if row.get("stage", "GEN") != "GEN" or row.get("special", "FALSE") == "TRUE":
            continue
        if row["state_po"] != "NA":
            po[row["state"]] = row["state_po"]
        units.setdefault((row["year"], row["state"] + row.get("county_name", "")), []).append(row)
    totals: Totals = {}
    for (year, _), unit in units.items():
        kept = [r for r in unit if r.get("mode", "TOTAL") in ("TOTAL", "NA")] or unit
        for row in kept:
            votes = totals.setdefault(f"{year}-{po[row['state']]}-president", Counter())
            votes[label(row["candidate"])] += int(row[count])
    return totals


def compare(expected: Totals, read: Totals) -> None:
    assert expected.keys() == read.keys()
    wrong = {e: (expected[e] - read[e], read[e] - expected[e]) for e in expected
             if +expected[e] != +read[e]}
    assert wrong == {}


def test_medsl_state_files(shared: Path) -> None:
    for name in ("1976-2020-president.csv", "2024-president-state.csv"):
        path = shared / "data/state_presidential" / name
        count = "votes" if name.startswith("2024") else "candidatevotes"
        compare(medsl(path, count, {"US PRESIDENT"}), by_name(staged(path)))


def test_medsl_county_file(shared: Path) -> None:
    path = shared / "data/county_presidential/countypres_2000-2020.csv.gz"
    compare(medsl(path, "candidatevotes", {"PRESIDENT", "US PRESIDENT"}), by_name(staged(path)))


def tonmcg(path: Path) -> Totals:
    """A tonmcg file per state-year and party. Its "other" is the oth_ column where the file has
    one, else the total less the two parties (none where the parts exceed the total: its README)."""
    state_of = {code: po for po, code in STATE_FIPS.items()}
    totals: Totals = {}
    for row in rows(path):
        fips = (row.get("fips_code") or row["county_fips"]).zfill(5)
        years = sorted({c[-4:] for c in row if c.startswith("total_") and c[-4:].isdigit()}) or [
            next(y for y in ("2020", "2024") if y in path.name)]
        for year in years:
            wide = f"_{year}" if "fips_code" in row else ""
            gop, dem = (int(row[f"gop{wide}"]), int(row[f"dem{wide}"])) if wide else (
                int(row["votes_gop"]), int(row["votes_dem"]))
            other = int(row[f"oth{wide}"]) if wide else max(0, int(row["total_votes"]) - gop - dem)
            votes = totals.setdefault(f"{year}-{state_of[fips[:2]]}-president", Counter())
            votes.update({"REPUBLICAN": gop, "DEMOCRATIC": dem, "OTHER": other})
    return totals


@pytest.mark.parametrize("name", ["tonmcg_2020_US_County_Level_Presidential_Results.csv",
                                  "tonmcg_2024_US_County_Level_Presidential_Results.csv",
                                  "tonmcg_US_County_Level_Presidential_Results_08-16.csv"])
def test_tonmcg_files(shared: Path, name: str) -> None:
    path = shared / "data/county_presidential" / name
    compare(tonmcg(path), by_name(staged(path), key="id"))


# OpenElections: the readers' documented pseudo rows (lower case): not votes, and ballots cast.
OE_NOT_VOTES = {"blank votes", "blanks", "no preference", "over votes", "overvotes", "under votes",
                "undervotes", "total votes cast", "ballots cast", "total ballots cast"}


@pytest.mark.parametrize("name", ["20041102__ma__general__precinct.csv.gz",
                                  "20161108__ct__general__precinct.csv.gz",
                                  "20201103__ia__general__precinct.csv.gz"])
def test_openelections_files(shared: Path, name: str) -> None:
    """The presidential rows' ``votes`` column (the vote-type columns are its parts), less the
    statewide TOTALS pseudo-town and the rows of no one's votes."""
    path = shared / "data/precinct/openelections" / name
    votes: Counter[str] = Counter()
    for row in rows(path):
        place = row.get("town") or row.get("county") or ""
        if "president" not in row["office"].lower() or place.upper() == "TOTALS":
            continue
        if row["candidate"].strip().lower() not in OE_NOT_VOTES:
            votes[label(row["candidate"])] += int(row["votes"].replace(",", ""))
    (election,) = by_name(staged(path)).values()
    assert +election == +votes


# county_detail.xml contradicts its own totals and is refused (test_clarity)
@pytest.mark.parametrize("name, election", [("precinct_detail.xml",
                                             "2014-KY-us-senator-republican")])
def test_clarity_samples(shared: Path, name: str, election: str | None) -> None:
    """Each choice's votes summed over its vote types' counties or precincts (votes placed in no
    unit are the reader's documented exclusion)."""
    path = shared / "standards/clarity" / name
    if not path.is_file():
        pytest.skip(f"{path} is absent: the Clarity samples are read from ../shared")
    root = ET.parse(path).getroot()
    expected: Totals = {}
    for contest in root.iter("Contest"):
        votes: Counter[str] = Counter()
        for choice in contest.iter("Choice"):
            for vote_type in choice.iter("VoteType"):
                for unit in vote_type:
                    votes[label(choice.get("text", ""))] += int(unit.get("votes", "0"))
        expected[contest.get("text", "")] = votes
    read = staged(path, options=ReadOptions(election=election) if election else ReadOptions())
    assert sorted(map(dict, by_name(read).values()), key=str) == \
        sorted((dict(+v) for v in expected.values()), key=str)


# The 2024 precinct file's rows that are no one's votes, as the file writes them (listed from the
# file itself, apart from the readers' vocabulary): over/under votes, blank and spoiled ballots,
# and its total and ballots-cast lines.
PRECINCT_NOT_VOTES = NOT_VOTES | {"UNDERVOTE", "BLANKS", "INVALID VOTES", "TOTAL VOTES CAST",
                                  "CONTEST TOTAL", "CAST VOTES", "TOTAL BALLOTS CAST"}


@pytest.mark.slow
def test_medsl_2024_precinct_file_every_state(shared: Path) -> None:
    """Issue 10's done-when line: every state of the 2024 precinct file, as imported (reader and
    stage), equals the file summed here: per precinct and candidate its TOTAL row where it has
    one, else its mode rows; negative counts (Michigan's statistical adjustments) included;
    suppressed counts ("*") add nothing known. Michigan is then the certified figure."""
    path = shared / "data/precinct/medsl_2024_president_precinct/president_precinct_2024_medsl.csv.gz"
    by_mode: dict[bool, dict[tuple[str, ...], int]] = {True: {}, False: {}}
    for row in rows(path):
        name = label(row["candidate"])
        if name in PRECINCT_NOT_VOTES or not row["votes"].strip().lstrip("-").isdigit():
            continue
        key = (row["state_po"], row["county_fips"], row["county_name"], row["jurisdiction_name"],
               row["precinct"], name)
        into = by_mode[row["mode"].strip().upper() in ("TOTAL", "", "NA")]
        into[key] = into.get(key, 0) + int(row["votes"])
    # A precinct named "COUNTY TOTAL" / "TOTAL" (NJ Gloucester, OR Harney) is its county's own
    # row: beside the county's precincts it repeats them (Gloucester: Harris 78,708 both ways);
    # alone (Harney) it is the county's figure.
    counties = Counter(k[:3] for mode in by_mode.values() for k in mode
                       if k[4].upper() not in ("TOTAL", "COUNTY TOTAL"))
    for mode in by_mode.values():
        for key in [k for k in mode if k[4].upper() in ("TOTAL", "COUNTY TOTAL")
                    and counties[k[:3]]]:
            del mode[key]
    imported = staged(path)
    # Spellings of one candidate the stage made one (issue 10 item 2: NJ's "ELIZABETH CHENEY" and
    # "LIZ CHENEY") are added under the name it lists them by.
    merged = {(r.election.id, label(s)): label(m.candidate) for r in imported for m in r.merged
              for s in m.spellings}
    expected: Totals = {}
    for key, votes in ({**by_mode[False], **by_mode[True]}).items():
        election = f"2024-{key[0]}-president"
        expected.setdefault(election, Counter())[merged.get((election, key[-1]), key[-1])] += votes
    # Units that are totals of other units and vote modes repeating one figure, found by shape
    # (NJ's municipality and county subtotals, IN's copied modes: test_medsl_precinct) are in the
    # sum above as if they were votes: the reader leaves them out, each listed with its votes.
    for returns in imported:
        election = returns.election.id
        for left in returns.exclusions:
            name = label(left.label)
            if left.detail.startswith("shape") and left.votes is not None \
                    and name not in PRECINCT_NOT_VOTES \
                    and (left.kind == "mode_copy" or "TOTAL row" in left.detail) \
                    and not (left.unit and left.unit[-1][1].upper() in ("TOTAL", "COUNTY TOTAL")):
                # (a unit named TOTAL was taken out of the sum above already)
                expected[election][merged.get((election, name), name)] -= left.votes
    read = by_name(imported)
    compare(expected, read)
    assert len(read) == 44 and "2024-MI-president" in read
    gloucester = roll_up(next(r for r in imported if r.election.id == "2024-NJ-president"),
                         UnitKind.COUNTY)
    row = next(r for r in gloucester.rows if r.unit.id == "34015")
    assert {label(gloucester.returns.candidate(c).name): v for c, v in row.votes.items()
            if v}["KAMALA D HARRIS"] == 78708
    michigan = read["2024-MI-president"]
    assert (michigan["DONALD J TRUMP"], michigan["KAMALA D HARRIS"]) == (2_816_636, 2_736_533)
