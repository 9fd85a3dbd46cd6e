"""Issue 10 items 1 and 3 in every reader: rows that are not votes and party-label variants.

For each returns format, a small valid file is written twice: as it is, and with rows that are not
votes for a candidate added beside every unit's candidates ("Total Votes", "Registered Voters",
"Ballots Cast", over/under votes, blank, spoiled, unresolved and unassigned write-ins) and its
parties spelled as files spell them ("Democrat", "DEM", "D", "(Dem)", "LBT", "NPA", "(I)"). Both go
through the reader and the import stage, as ``electoral import`` does. Then (a) no candidate's
total changes, (b) every added row is left out with its kind key (docs/import-json.md
``left_out``), its unit and its line, and (c) every party is the canonical one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from electoral.io import Format, ReadOptions, detect_format, open_source, read_tables
from electoral.io.nist import write_nist_json
from electoral.io.stage import stage
from electoral.model import (
    Candidate,
    Count,
    Election,
    Exclusion,
    Party,
    Returns,
    Unit,
    UnitKind,
)
from electoral.parties import party_code
from electoral.tabulate.rollup import roll_up

# Rhode Island's counties (four of its five: coverage is not what these tests are about).
COUNTIES = {"Bristol": "44001", "Kent": "44003", "Newport": "44005", "Providence": "44007"}


@dataclass(frozen=True)
class Person:
    name: str
    parties: tuple[str, str, str, str]  # the label each county's row gives
    code: str | None  # the canonical party code expected
    votes: tuple[int, int, int, int]


PEOPLE = (
    Person("Ada Q. Marsh", ("Democrat", "DEM", "D", "(Dem)"), "DEM", (500, 410, 320, 230)),
    Person("Cole R. Dunmore", ("REP", "Republican", "REP", "R"), "REP", (400, 300, 200, 100)),
    Person("Lena Ortiz", ("LBT", "LBT", "Libertarian", "LBT"), "LIB", (30, 20, 10, 5)),
    Person("Ivo Vega", ("NPA", "NPA", "NPA", "NPA"), "IND", (20, 15, 10, 5)),
    Person("Sam Stone", ("(I)", "(I)", "(I)", "(I)"), None, (7, 6, 5, 4)),
)


def candidates_sum(i: int) -> int:
    return sum(p.votes[i] for p in PEOPLE)


# Rows that are not votes: label, votes in county i, the left_out kind.
PSEUDO: tuple[tuple[str, Callable[[int], int], str], ...] = (
    ("Total Votes", candidates_sum, "total"),
    ("Registered Voters", lambda i: 5000 + i, "registered_voters"),
    ("Ballots Cast", lambda i: candidates_sum(i) + 9, "ballots_cast"),
    ("Over Votes", lambda i: 3 + i, "overvotes"),
    ("Under Votes", lambda i: 6 + i, "undervotes"),
    ("Blank", lambda i: 2, "blank"),
    ("Spoiled", lambda i: 1, "spoiled"),
    ("Unresolved Write-In", lambda i: 4, "unresolved_write_ins"),
    ("Not Assigned", lambda i: 2, "unassigned_write_ins"),
)
# MEDSL writes its own markers in capitals; the kinds are the same.
MEDSL_PSEUDO = tuple((label.upper(), votes, kind) for label, votes, kind in PSEUDO) + (
    ("OVERVOTES", lambda i: 1, "overvotes"), ("UNDERVOTES", lambda i: 2, "undervotes"),
    ("TOTAL BALLOTS CAST", lambda i: candidates_sum(i) + 9, "ballots_cast"))

Left = set[tuple[str, str, str, int | None]]  # label, kind, county, line


@dataclass(frozen=True)
class Written:
    text: str
    left: Left  # every pseudo row written, with its line


def staged(path: Path, election: str | None = None) -> list[Returns]:
    """The file's elections as an import stores them: its reader (detected), then the stage."""
    source = open_source(path)
    tables = read_tables(source, None, ReadOptions(election=election))
    return [t.materialized() for t in stage(tables, source.name)]


def state_totals(returns: Returns) -> dict[str, int]:
    total = roll_up(returns, UnitKind.STATE).total
    return {c.name.upper(): total.of(c.id) for c in returns.candidates}  # MEDSL: capitals


def county_of(exclusion: Exclusion) -> str:
    """The county a left-out row is in, as the tests name it (MEDSL spells it in capitals,
    the county table with "County")."""
    names = dict(exclusion.unit)
    county = names.get("county", "")
    return next((c for c in COUNTIES if county.lower().startswith(c.lower())), county)


def left_out(returns: Returns, kinds: set[str]) -> Left:
    return {(e.label.upper(), e.kind, county_of(e), e.line or None)
            for e in returns.exclusions if e.kind in kinds}


def check(tmp_path: Path, name: str, write: Callable[[bool], Written],
          election: str | None = None, fmt: Format | None = None, lines: bool = True) -> None:
    """The three assertions of the module docstring, for one format."""
    plain, messy = tmp_path / "plain" / name, tmp_path / "messy" / name
    plain.parent.mkdir()
    messy.parent.mkdir()
    written = {False: write(False), True: write(True)}
    plain.write_text(written[False].text, encoding="utf-8")
    messy.write_text(written[True].text, encoding="utf-8")
    if fmt is not None:
        assert detect_format(open_source(messy)) is fmt
    (before,) = staged(plain, election)
    (after,) = staged(messy, election)
    # (a) no candidate's total changes, and no row that is not a vote became a candidate
    assert state_totals(after) == state_totals(before)
    assert {c.name.upper() for c in after.candidates} == {p.name.upper() for p in PEOPLE}
    assert all(roll_up(after, UnitKind.STATE).total.of(c.id) > 0 for c in after.candidates)
    # (b) each added row left out with its kind, unit and line
    kinds = {kind for _, _, kind in MEDSL_PSEUDO}
    for returns, pseudo in ((before, False), (after, True)):
        assert left_out(returns, kinds) == {(label.upper(), kind, county, line if lines else None)
                                            for label, kind, county, line in written[pseudo].left}
    # (c) parties canonical
    by_name = {c.name.upper(): party_code(c.party) for c in after.candidates}
    assert by_name == {p.name.upper(): p.code for p in PEOPLE}
    assert after.unknown_parties == ()


# ---- CSV formats ------------------------------------------------------------------------------


def csv_file(header: Sequence[str], rows: Sequence[tuple[Sequence[object], str, str] | None]
             ) -> Written:
    """``rows``: (cells, pseudo label or "", county); the written text and the pseudo rows'
    lines (the header is line 1)."""
    out = [",".join(header)]
    left: Left = set()
    for cells, label, county in (r for r in rows if r is not None):
        out.append(",".join(str(c) for c in cells))
        if label:
            kind = next(k for lab, _, k in MEDSL_PSEUDO if lab.upper() == label.upper())
            left.add((label, kind, county, len(out)))
    return Written("\n".join(out) + "\n", left)


def by_county(pseudo: bool, labels: Sequence[tuple[str, Callable[[int], int], str]] = PSEUDO
              ) -> list[tuple[str, int, str, str, int]]:
    """(county, county index, label, party label, votes) for every row, candidates first."""
    rows = []
    for i, county in enumerate(COUNTIES):
        rows += [(county, i, p.name, p.parties[i], p.votes[i]) for p in PEOPLE]
        if pseudo:
            rows += [(county, i, label, "", votes(i)) for label, votes, _ in labels]
    return rows


def is_pseudo(label: str) -> str:
    return "" if label in {p.name for p in PEOPLE} else label


def test_native_csv(tmp_path: Path) -> None:
    def write(pseudo: bool) -> Written:
        return csv_file(
            ("election", "unit", "unit_name", "unit_kind", "parent", "fips", "candidate", "party",
             "votes", "vote_type"),
            [((("2020-RI-president", COUNTIES[county], county, "county", "RI", COUNTIES[county],
                label, party, votes, "total")), is_pseudo(label), county)
             for county, _, label, party, votes in by_county(pseudo)])
    check(tmp_path, "ri.csv", write, fmt=Format.NATIVE)


def test_openelections(tmp_path: Path) -> None:
    def write(pseudo: bool) -> Written:
        return csv_file(("county", "office", "district", "party", "candidate", "votes"),
                        [((county, "President", "", party, label, votes), is_pseudo(label), county)
                         for county, _, label, party, votes in by_county(pseudo)])
    check(tmp_path, "20201103__ri__general__county.csv", write, fmt=Format.OPENELECTIONS)


def test_medsl_state(tmp_path: Path) -> None:
    """One row per candidate at the state; MEDSL gives its pseudo rows a party (Alaska's
    UNDERVOTES are DEMOCRAT in the 2024 precinct file), which changes nothing."""
    total = sum(candidates_sum(i) for i in range(len(COUNTIES)))

    def write(pseudo: bool) -> Written:
        rows = [((2020, "RHODE ISLAND", "RI", 44, "US PRESIDENT", p.name.upper(), p.parties[0],
                  "FALSE", sum(p.votes), total, p.parties[0].upper()), "", "") for p in PEOPLE]
        if pseudo:
            rows += [((2020, "RHODE ISLAND", "RI", 44, "US PRESIDENT", label, "DEMOCRAT", "FALSE",
                       sum(votes(i) for i in range(len(COUNTIES))), total, "DEMOCRAT"), label, "")
                     for label, votes, _ in MEDSL_PSEUDO]
        return csv_file(("year", "state", "state_po", "state_fips", "office", "candidate",
                         "party_detailed", "writein", "candidatevotes", "totalvotes",
                         "party_simplified"), rows)
    check(tmp_path, "1976-2020-president.csv", write, fmt=Format.MEDSL_STATE)


def test_medsl_county(tmp_path: Path) -> None:
    def write(pseudo: bool) -> Written:
        return csv_file(
            ("year", "state", "state_po", "county_name", "county_fips", "office", "candidate",
             "party", "candidatevotes", "totalvotes", "version", "mode"),
            [((2020, "RHODE ISLAND", "RI", county.upper(), COUNTIES[county], "US PRESIDENT",
               label.upper(), party or "NA", votes, candidates_sum(i), 20220315, "TOTAL"),
              is_pseudo(label).upper(), county)
             for county, i, label, party, votes in by_county(pseudo, MEDSL_PSEUDO)])
    check(tmp_path, "countypres_2000-2020.csv", write, "2020-RI-president",
          fmt=Format.MEDSL_COUNTY)


def test_medsl_precinct(tmp_path: Path) -> None:
    def write(pseudo: bool) -> Written:
        return csv_file(
            ("state_po", "state_fips", "county_name", "county_fips", "jurisdiction_name",
             "jurisdiction_fips", "precinct", "district", "candidate", "party_detailed",
             "party_simplified", "mode", "writein", "votes"),
            [(("RI", 44, county.upper(), COUNTIES[county], county.upper(), COUNTIES[county],
               "P1", "STATEWIDE", label.upper(), party, party.upper() if party else "", "TOTAL",
               "FALSE", votes), is_pseudo(label).upper(), county)
             for county, _, label, party, votes in by_county(pseudo, MEDSL_PSEUDO)])
    check(tmp_path, "president_precinct_2020_ri.csv", write, fmt=Format.MEDSL_PRECINCT)


# ---- Clarity -----------------------------------------------------------------------------------


def test_clarity(tmp_path: Path) -> None:
    """Parties as Clarity writes them: in the ``party`` attribute, or as a mark inside the
    choice's name ("Ada Q. Marsh (Dem)", "Sam Stone (I)", the incumbent mark, no party); the
    contest's own Undervotes / Overvotes and another contest left out too."""
    texts = {"Ada Q. Marsh": ("Ada Q. Marsh (Dem)", ""), "Cole R. Dunmore": ("Cole R. Dunmore", "REP"),
             "Lena Ortiz": ("Lena Ortiz", "LBT"), "Ivo Vega": ("Ivo Vega", "NPA"),
             "Sam Stone": ("Sam Stone (I)", "NP")}

    def write(pseudo: bool) -> Written:
        out = ['<?xml version="1.0"?>', "<ElectionResult>", "<ElectionName>General</ElectionName>",
               "<ElectionDate>11/3/2020</ElectionDate>", "<Region>RI</Region>",
               '<Contest key="1" text="President and Vice President">']
        left: Left = set()

        def choice(key: int, text: str, party: str, votes: Sequence[int], label: str) -> None:
            out.append(f'<Choice key="{key}" text="{text}" party="{party}" '
                       f'totalVotes="{sum(votes)}">')
            out.append(f'<VoteType name="Election Day" votes="{sum(votes)}">')
            for county, n in zip(COUNTIES, votes, strict=True):
                out.append(f'<County name="{county}" votes="{n}" />')
                if label:
                    left.add((label, next(k for lab, _, k in PSEUDO if lab == label), county,
                              len(out)))
            out.append("</VoteType>")
            out.append("</Choice>")

        for key, p in enumerate(PEOPLE):
            choice(key, *texts[p.name], p.votes, "")
        if pseudo:
            for key, (label, votes, _) in enumerate(PSEUDO, 10):
                choice(key, label, "", [votes(i) for i in range(len(COUNTIES))], label)
            for name, kind in (("Undervotes", "undervotes"), ("Overvotes", "overvotes")):
                out.append(f'<VoteType name="{name}" votes="40">')
                for county in COUNTIES:
                    out.append(f'<County name="{county}" votes="10" />')
                    left.add((name, kind, county, len(out)))
                out.append("</VoteType>")
        out.append("</Contest>")
        if pseudo:
            out += ['<Contest key="2" text="Question 1">',
                    '<Choice key="1" text="Yes" totalVotes="5">', '<VoteType name="Election Day" '
                    'votes="5">', '<County name="Kent" votes="5" />', "</VoteType>", "</Choice>",
                    "</Contest>"]
        out.append("</ElectionResult>")
        return Written("\n".join(out) + "\n", left)

    check(tmp_path, "detail.xml", write, fmt=Format.CLARITY)
    (returns,) = staged(tmp_path / "messy" / "detail.xml")
    (other,) = [e for e in returns.exclusions if e.kind == "other_contest"]
    text = (tmp_path / "messy" / "detail.xml").read_text(encoding="utf-8").splitlines()
    assert (other.label, other.votes, other.file) == ("Question 1", 5, "detail.xml")
    assert text[other.line - 1].startswith('<Contest key="2"')


# ---- formats without lines: NIST v2 JSON, the bundled-sample JSON -------------------------------


def _returns(pseudo: bool) -> Returns:
    """The file's returns as objects (for the writers of the formats that have no rows)."""
    labels = sorted({label for p in PEOPLE for label in p.parties})
    parties = tuple(Party(f"p{i}", label) for i, label in enumerate(labels))
    pid = {p.name: p.id for p in parties}
    candidates = [Candidate(f"c{i}", p.name, pid[p.parties[0]]) for i, p in enumerate(PEOPLE)]
    units = [Unit("RI", "Rhode Island", UnitKind.STATE, fips="44")] + [
        Unit(fips, county, UnitKind.COUNTY, "RI", fips=fips) for county, fips in COUNTIES.items()]
    counts = [Count(COUNTIES[county], f"c{k}", p.votes[i])
              for i, county in enumerate(COUNTIES) for k, p in enumerate(PEOPLE)]
    if pseudo:
        candidates += [Candidate(f"x{k}", label) for k, (label, _, _) in enumerate(PSEUDO)]
        counts += [Count(COUNTIES[county], f"x{k}", votes(i)) for i, county in enumerate(COUNTIES)
                   for k, (_, votes, _) in enumerate(PSEUDO)]
    return Returns(Election(2020, "RI"), tuple(candidates), tuple(units), tuple(counts), parties)


def _unlined(pseudo: bool) -> Left:
    return {(label, kind, county, None) for label, _, kind in PSEUDO for county in COUNTIES} \
        if pseudo else set()


def test_nist_json(tmp_path: Path) -> None:
    """NIST v2 JSON has no lines (a left-out row is located by its unit)."""
    check(tmp_path, "ri.json", lambda pseudo: Written(write_nist_json(_returns(pseudo)),
                                                      _unlined(pseudo)),
          fmt=Format.NIST_JSON, lines=False)


def test_sample_json(tmp_path: Path) -> None:
    def write(pseudo: bool) -> Written:
        returns = _returns(pseudo)
        document = {
            "format": "electoral-sample/1", "source": "ri.txt",
            "election": {"year": 2020, "state": "RI", "office": "president", "name": "",
                         "date": None},
            "parties": [{"id": p.id, "name": p.name} for p in returns.parties],
            "candidates": [{"id": c.id, "name": c.name, "party": c.party} for c in returns.candidates],
            "units": [{"id": u.id, "name": u.name, "kind": str(u.kind), "parent": u.parent,
                       "groups": [], "fips": u.fips} for u in returns.units],
            "counts": [[c.unit, c.candidate, c.votes] for c in returns.counts],
            "electors": [], "tables": []}
        return Written(json.dumps(document), _unlined(pseudo))
    check(tmp_path, "ri.sample.json", write, fmt=Format.SAMPLE, lines=False)


# ---- the article reader ------------------------------------------------------------------------


def test_article(tmp_path: Path) -> None:
    """An article's results table: a row per candidate at the state, party labels as written;
    added rows are candidates named by their label, left out by the stage. The article's own
    "Totals" line is left out as a total too (it is the article's figure, checked by ``check``)."""
    def write(pseudo: bool) -> Written:
        out = ["= 2020 United States presidential election in Rhode Island =", "", "Infobox",
               "- Nominee1: Ada Q. Marsh", "- Party1: Democratic Party (United States)",
               "- Nominee2: Cole R. Dunmore", "- Party2: Republican Party (United States)", "",
               "==Results==", "| Party | Candidate | Votes | Percentage | Electoral votes | |"]
        left: Left = set()
        for p in PEOPLE:
            out.append(f"| | {p.parties[0]} | {p.name} | {sum(p.votes):,} | 1% | 0 |")
        if pseudo:
            for label, votes, kind in PSEUDO:
                out.append(f"| | | {label} | {sum(votes(i) for i in range(4)):,} | 1% | 0 |")
                left.add((label, kind, "", len(out)))
        out.append(f"| Totals | {sum(sum(p.votes) for p in PEOPLE):,} | 100.00% | 4 | | |")
        left.add(("Totals", "total", "", len(out)))
        return Written("\n".join(out) + "\n", left)

    check(tmp_path, "ri.txt", write, fmt=Format.ARTICLE)


# ---- tonmcg: parties are columns, so there are no labels; its own total column ----------------


def test_tonmcg_total_column_is_never_a_candidate(tmp_path: Path) -> None:
    """The file's ``total_votes`` is no candidate: where it exceeds the parties' columns the rest
    is the "Other" aggregate, and in the wide layout (with its own ``oth_`` column) a rest above
    the three is left out with its line and county. The columns' parties are canonical."""
    path = tmp_path / "tonmcg_US_County_Level_Presidential_Results_08-16.csv"
    path.write_text("fips_code,county,total_2016,dem_2016,gop_2016,oth_2016\n"
                    "44001,Bristol County,1000,500,400,60\n44003,Kent County,700,410,290,0\n",
                    encoding="utf-8")
    (returns,) = staged(path)
    state = roll_up(returns, UnitKind.STATE).total
    assert {party_code(c.party): state.of(c.id) for c in returns.candidates} == {
        "DEM": 910, "REP": 690, None: 60}
    (rest,) = returns.exclusions
    assert (rest.line, rest.votes, rest.kind, county_of(rest)) == (2, 40, "no_candidate", "Bristol")
