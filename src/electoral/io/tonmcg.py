"""tonmcg's county presidential results (github.com/tonmcg/US_County_Level_Election_Results_08-24):
party-level returns by county, scraped from news sites (the author calls them not authoritative).

Two layouts, told apart by the header:

* one year per file (2020, 2024): ``state_name,county_fips,county_name,votes_gop,votes_dem,
  total_votes,diff,per_gop,per_dem,per_point_diff``; the year comes from the file name or
  ``--election``;
* 2008–2016 side by side: ``fips_code,county,total_2008,dem_2008,gop_2008,oth_2008,…``.

One ``Returns`` per state-year with its counties (5-digit FIPS; Alaska's State House districts
as the pseudo-FIPS the files use; the 2024 file's District of Columbia wards, pseudo-codes
11001–11008, as towns of the District, 11001). The candidates are the two major parties' nominees
and "Other", an aggregate: ``total_votes`` minus the two where the file gives no third column.
The files name parties, not people: each nominee is named from the package's fact table
``data/nominees.csv`` (the major parties' presidential nominees 1976–2024, from the National
Archives' Electoral College pages), and called "Republican nominee" / "Democratic nominee" for a
year it does not cover — never left blank. ``diff`` and the percentages are derived figures and are not read.
Where a row's parts add up to less than its total, the rest is an exclusion (votes of no
candidate); where they add up to more (three 2008 rows), the parts are kept and a note says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import TextIO

from electoral.errors import Problem
from electoral.geography import county_of_part
from electoral.io import PROBES, Format, ReadOptions, register
from electoral.io.exclusions import Exclusion
from electoral.io.medsl import (
    ElectionBuilder,
    builder_for,
    finish,
    general_election_day,
    parse_count,
    records,
    wanted,
)
from electoral.io.medsl_county import county_unit
from electoral.io.pseudo import NO_CANDIDATE
from electoral.model import STATE_FIPS, Candidate, Election, Returns, Unit, UnitKind, VoteType, slug
from electoral.parties import DEMOCRATIC, REPUBLICAN, nominee

YEARLY = ("county_fips", "county_name", "votes_gop", "votes_dem", "total_votes")
WIDE = re.compile(r"^(total|dem|gop|oth)_(\d{4})$")
YEAR = re.compile(r"(?<!\d)(19|20)\d\d(?!\d)")
STATE_BY_FIPS = {code: po for po, code in STATE_FIPS.items()}
DEM, REP = DEMOCRATIC, REPUBLICAN  # the columns' gop / dem, as the canonical parties
OTHER = Candidate("other", "Other", aggregate=True)


def nominees(year: int) -> tuple[Candidate, ...]:
    """The candidates of a tonmcg state-year: the Republican and Democratic nominees of ``year``
    by name (``data/nominees.csv``; "Republican nominee" where the table has no such year) and
    "Other", an aggregate. Ids are the party ids, whatever the names."""
    return (*(Candidate(p.id, nominee(year, p.id) or f"{p.name} nominee", p.id)
              for p in (REP, DEM)), OTHER)


@register(Format.TONMCG)
def read_tonmcg(stream: TextIO, source: str, options: ReadOptions) -> list[Returns]:
    """Every state-year of a tonmcg county file (either layout), one ``Returns`` each, sorted by
    election id; a total below its parts is a note (``Returns.notes``), above them an
    exclusion.

    Raises:
        ValidationError: the file is not this format or has bad rows, every problem located by
            line and field (the file name is added by ``io.read_tables``).
        NotFoundError: ``options.election`` names an election the file does not have.
    """
    want = wanted(options)
    rows = records(stream, ("county",) if _wide(stream) else YEARLY)
    builders: dict[str, ElectionBuilder] = {}
    problems: list[Problem] = []
    for line, row in rows:
        for year, parts, total in _years(row, source, want, line, problems):
            _row(builders, row, line, year, parts, total, want, problems)
    # The builders know no candidates (the columns are parties): every state of a year has the
    # same three.
    return [replace(r, candidates=nominees(r.election.year), parties=(REP, DEM))
            for r in finish(builders, problems, source, want)]


def _wide(stream: TextIO) -> bool:
    start = stream.tell()
    header = stream.readline().lower()
    stream.seek(start)
    return "fips_code" in header


def _years(row: Mapping[str, str], source: str, want: Election | None, line: int,
           problems: list[Problem]) -> Iterator[tuple[int, dict[str, str], str]]:
    """``(year, party → column, total column)`` for each election a row holds."""
    if "fips_code" not in row:
        match = YEAR.search(source)
        year = want.year if want else int(match.group(0)) if match else 0
        if not year:
            problems.append(Problem("no-year", "the file name does not say the election year; "
                                    "pass --election YEAR-ST-president", line=line))
            return
        yield year, {REP.id: "votes_gop", DEM.id: "votes_dem"}, "total_votes"
        return
    years = sorted({int(m.group(2)) for c in row if (m := WIDE.match(c))})
    for year in years:
        yield year, {REP.id: f"gop_{year}", DEM.id: f"dem_{year}",
                     "other": f"oth_{year}"}, f"total_{year}"


def _row(builders: dict[str, ElectionBuilder], row: Mapping[str, str], line: int, year: int,
         parts: Mapping[str, str], total_column: str, want: Election | None,
         problems: list[Problem]) -> None:
    column = "fips_code" if "fips_code" in row else "county_fips"
    fips = row[column].strip().zfill(5)
    state = STATE_BY_FIPS.get(fips[:2])
    if not fips.isdigit() or len(fips) != 5 or state is None:
        problems.append(Problem("bad-fips", f"{row[column]!r} is not a county FIPS code",
                                line=line, field=column))
        return
    builder = builder_for(builders, Election(year, state, "president",
                                             general_election_day(year)), want)
    if builder is None:
        return
    seen = len(problems)
    votes = {cid: parse_count(row, col, line, problems, point_zero=False)
             for cid, col in parts.items()}
    total = parse_count(row, total_column, line, problems, point_zero=False)
    # A county's parties and total are one row: with a part missing (``NA``) or withheld (``*``)
    # neither the rest nor the total is known, so the row is refused, never skipped.
    if len(problems) == seen:
        given = {**{parts[k]: n for k, n in votes.items()}, total_column: total}
        problems += [Problem("bad-votes", f"{row[col].strip() or 'empty'}: a county row needs "
                             "every count", line=line, field=col)
                     for col, n in given.items() if n is None]
    if len(problems) > seen or total is None or None in votes.values():
        return
    name = row.get("county_name") or row.get("county") or ""
    district = county_of_part(state, name)
    if district is not None:  # a ward: its code is a pseudo-code, the District's own among them
        builder.units.setdefault(district, county_unit(district, state, ""))
        unit = builder.units.setdefault(f"{state}-ward-{slug(name)}",
                                        Unit(f"{state}-ward-{slug(name)}", " ".join(name.split()),
                                             UnitKind.TOWN, parent=district))
    else:
        unit = builder.units.setdefault(fips, county_unit(fips, state, name))
    rest = total - sum(v or 0 for v in votes.values())
    if rest < 0:  # the file's total is a derived figure: the parts are the votes
        builder.notes.append(f"line {line}: {total_column}={total} is {-rest} less than the parties' "
                     f"votes in {unit.name}; the parties' votes are kept")
        rest = 0
    if "other" not in votes:
        votes["other"], rest = rest, 0
    for cid, n in votes.items():
        builder.votes[(unit.id, cid, VoteType.TOTAL)] += n or 0
        builder.lines.setdefault((unit.id, cid, VoteType.TOTAL), line)
    if rest:
        builder.exclusions.append(Exclusion(line, f"{total_column} exceeds its parts: votes "
                                            "of no candidate", rest, unit.name,
                                            kind=NO_CANDIDATE, unit=(("county", unit.name),)))


def probe_tonmcg(name: str, head: str) -> bool:
    first = head.splitlines()[0].lower() if head else ""
    return first.startswith("state_name,county_fips,county_name,votes_gop") or (
        first.startswith("fips_code,county,total_"))


PROBES[Format.TONMCG] = probe_tonmcg
