"""MEDSL precinct presidential returns (``president_precinct_2024_medsl.csv``, 1.48M rows).

Columns: ``state_po,state_fips,county_name,county_fips,jurisdiction_name,jurisdiction_fips,precinct,
district,candidate,party_detailed,party_simplified,mode,writein,votes``, all text. One ``Returns``
per state: the state, its counties (5-digit FIPS), New England and Wisconsin towns (the file's
jurisdictions, ``CT-town-hartford``) and the precincts (``{parent}/{slug}``). The file is too big
for a row-at-a-time Python loop, so it is parsed by pyarrow and grouped by DuckDB; Python sees only
the distinct units and candidates.

The folder README's caveats: mode rows are kept as vote types and ``rollup`` prefers a unit's TOTAL
row where one exists (CT, DE, OK, RI give both); ``*`` (suppressed small counts, NM, NV and KS) is a
withheld count (``votes`` null: unknown, never 0; a figure summed from several rows one of which is
withheld is withheld as a whole); a count that is not one (``io.counts``) is a located problem; rows
without a count (``NA``), over/under/blank/void rows and total lines are exclusions with their
reason; negative counts (Michigan's ``{Statistical Adjustments}`` precincts) are passed on, for the
import stage to keep as adjustments (``io.rules_numbers``) or refuse; ``TOTAL BALLOTS CAST`` (ME)
becomes the precinct's ballots cast; rows without a county FIPS (AK district tallies, LA, RI, GA)
are precincts of the state.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import TextIO

import duckdb
import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]
import pyarrow.csv as pacsv  # type: ignore[import-untyped]

from electoral.columns import SCHEMA, CountTable, ReturnsTable
from electoral.errors import NotFoundError, Problem, ValidationError
from electoral.io import PROBES, Format, ReadOptions, Source, register_table
from electoral.io.counts import parse_count_column
from electoral.io.medsl import (
    NOT_GIVEN,
    candidate_key,
    clean_label,
    general_election_day,
    is_true,
    party_of,
    records,
    state_unit,
    vote_type,
    wanted,
)
from electoral.io.medsl_county import PARTS_OF_COUNTIES, county_unit
from electoral.io.pseudo import KIND_KEYS, NO_COUNT, Check, PseudoKind, is_total_unit, pseudo_kind
from electoral.model import (
    STATE_FIPS,
    Candidate,
    Election,
    Exclusion,
    Note,
    Party,
    Returns,
    Unit,
    UnitFacts,
    UnitKind,
    slug,
)
from electoral.parties import DEMOCRATIC, REPUBLICAN

COLUMNS = ("state_po", "county_name", "county_fips", "jurisdiction_name", "jurisdiction_fips",
           "precinct", "candidate", "party_detailed", "party_simplified", "mode", "writein", "votes")
# Pseudo rows whose count is the unit's ballots cast (``UnitFacts.ballots_cast``).
BALLOTS_CAST = (PseudoKind.BALLOTS_CAST, PseudoKind.TIMES_COUNTED)
TOWN_STATES = frozenset({"CT", "MA", "ME", "NH", "RI", "VT", "WI"})
YEAR = re.compile(r"(?<!\d)(19|20)\d\d(?!\d)")
# Up to this many problems are reported; a file with more is surely not this format.
MAX_PROBLEMS = 200


def read_medsl_precinct(stream: TextIO, source: str, options: ReadOptions) -> list[Returns]:
    """Every state of a MEDSL precinct presidential file, one ``Returns`` each, its counts made
    ``Count`` objects (for code that wants them; ``electoral import`` reads the columns).
    Raises as ``read_medsl_precinct_columns``."""
    text = stream.getvalue() if isinstance(stream, io.StringIO) else stream.read()
    return [table.materialized() for table in _read(text, source, options)]


@register_table(Format.MEDSL_PRECINCT)
def read_medsl_precinct_columns(source: Source, options: ReadOptions) -> list[ReturnsTable]:
    """Every state of the file, in file order of states (sorted by USPS code), as a
    ``ReturnsTable``: never 1.35M ``Count`` objects.

    Raises:
        ValidationError: a column is missing, or rows are unreadable (up to ``MAX_PROBLEMS``,
            each with its line and field); the file name gives no year and no election is given.
        NotFoundError: ``options.election`` names a state the file does not have.
    """
    return _read(source.text, source.name, options)


def _read(text: str, source: str, options: ReadOptions) -> list[ReturnsTable]:
    want = wanted(options)
    year = want.year if want else _year(source)
    table = _arrow(text)
    # in memory, with no extension fetched or loaded and no progress bar (DuckDB draws one on
    # stdout for a query past two seconds: into `import --format json`'s output)
    db = duckdb.connect(config={"autoinstall_known_extensions": False,
                                "autoload_known_extensions": False})
    db.execute("SET enable_progress_bar = false")
    try:
        db.register("raw", table)
        # a view (its rows are read a few times; stored only as the table ``rows`` when a shape
        # rule sets some aside: ``_shapes``); the state is a checked USPS code
        db.execute(_ROWS.replace("$STATE", f"'{want.state}'" if want else "NULL::VARCHAR"))
        problems = _problems(db)
        if problems:
            raise ValidationError(problems)
        shaped = _shapes(db)
        states = [r[0] for r in db.execute("SELECT DISTINCT state FROM rows ORDER BY 1").fetchall()]
        if want is not None and not states:
            raise NotFoundError(f"{source} has no rows for {want.id}; check the election id")
        places = _places(db)
        candidates = _candidates(db)
        counts = _counts(db)
        facts, exclusions, disagree = _set_aside(db, places, source)
        for st, (left_out, notes) in _shaped(db, shaped, source).items():
            exclusions.setdefault(st, []).extend(left_out)
            exclusions[st].sort(key=lambda e: e.line)
            disagree[st] = disagree.get(st, ()) + notes
        for st, note in _missing_modes(db, source).items():
            disagree[st] = disagree.get(st, ()) + (note,)
    finally:
        db.close()
    none: tuple[tuple[Candidate, ...], tuple[Party, ...]] = ((), ())  # only non-vote rows
    return [ReturnsTable(Returns(Election(year, st, "president", general_election_day(year)),
                                 candidates.get(st, none)[0], tuple(places[st].values()), (),
                                 parties=candidates.get(st, none)[1], facts=facts.get(st, ()),
                                 source=source, exclusions=tuple(exclusions.get(st, ())),
                                 notes=disagree.get(st, ())),
                         counts.get(st) or CountTable(SCHEMA.empty_table()))
            for st in states]


def _year(source: str) -> int:
    match = YEAR.search(source)
    if match is None:
        raise ValidationError([Problem(
            "no-year", "the file name does not say the election year; pass --election "
            "YEAR-ST-president", source=source)])
    return int(match.group(0))


def _arrow(text: str) -> pa.Table:
    """The whole file as an Arrow table of strings (parsed in parallel by pyarrow)."""
    data = text.encode("utf-8")
    header = text.partition("\n")[0].strip().lower().split(",")
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ValidationError([Problem("missing-column", f"no column {c!r}; is this a MEDSL "
                                       "precinct file?", line=1, field=c) for c in missing])
    twice = sorted({c for c in header if header.count(c) > 1})
    if twice:  # pyarrow would keep both, and no column could be told by its name
        raise ValidationError([Problem("duplicate-column", f"column {c!r} appears twice in the "
                                       "header", line=1, field=c) for c in twice])
    # Dictionary-encoded text: few distinct states, counties, candidates and modes, so each
    # distinct value is cleaned once (``_cleaned``), not once per row.
    types = {c: pa.string() if c == "votes" else pa.dictionary(pa.int32(), pa.string())
             for c in header}
    try:
        table = pacsv.read_csv(
            pa.BufferReader(data),  # bytes: pyarrow's threads never read a Python object
            # one thread: pyarrow's threaded reader with dictionary columns crashed the process
            # on hostile files (rcv.cvr.ranks, tests/rcv/test_cvr_fuzz.py)
            read_options=pacsv.ReadOptions(column_names=header, skip_rows=1, use_threads=False),
            convert_options=pacsv.ConvertOptions(column_types=types, strings_can_be_null=False,
                                                 quoted_strings_can_be_null=False))
    except pa.ArrowInvalid as exc:
        # pyarrow does not say where: the row-at-a-time parser finds the record (rare path).
        for _ in records(io.StringIO(text), COLUMNS):
            pass
        raise ValidationError([Problem("malformed-file", f"unreadable CSV: {exc}",
                                       line=1)]) from exc
    for column, clean in CLEAN.items():
        table = table.set_column(table.schema.get_field_index(column), column, pa.chunked_array(
            [_cleaned(chunk, clean) for chunk in table.column(column).chunks],
            pa.dictionary(pa.int32(), pa.string())))
    # Counts by the one rule (``io.counts``), in columns: MEDSL writes pandas' floats (module
    # ``io.medsl``'s ``parse_count``), and negative counts are the stage's to judge.
    votes, readable = parse_count_column(table.column("votes"), signed=True, point_zero=True)
    table = table.set_column(table.schema.get_field_index("votes"), "votes",
                             pc.utf8_trim(table.column("votes"), " \t\r\n"))
    table = table.append_column("parsed", votes).append_column("readable", readable)
    return table.append_column("line", pa.array(np.arange(2, table.num_rows + 2)))


def _fips(text: str) -> str:
    """Unpadded (``1001``) and float-formatted (``44001.0``) codes are the same FIPS code."""
    text = text.strip()
    whole, _, fraction = text.partition(".")
    if whole.isdigit() and len(whole) <= 5 and set(fraction) <= {"0"}:
        return whole.zfill(5)
    return text


CLEAN: dict[str, Callable[[str], str]] = {
    "state_po": lambda t: t.strip().upper(), "mode": lambda t: t.strip().upper(),
    "county_fips": _fips, "county_name": str.strip, "jurisdiction_name": str.strip,
    "jurisdiction_fips": str.strip, "precinct": str.strip,
}


def _cleaned(chunk: pa.DictionaryArray, clean: Callable[[str], str]) -> pa.DictionaryArray:
    """A dictionary column chunk with ``clean`` applied to each distinct value."""
    values = pa.array([clean(v) for v in chunk.dictionary.to_pylist()], pa.string())
    return pa.DictionaryArray.from_arrays(chunk.indices, values)


_ROWS = """
CREATE TEMP VIEW all_rows AS
SELECT *,
    -- One integer key per unit and per candidate label, to join on instead of five text
    -- columns (_places and _candidates check that no two names share a key).
    hash(state, county_fips, county_name, jurisdiction_name, precinct) AS ukey,
    hash(state, candidate, party_detailed, party_simplified, writein) AS ckey
FROM (
    SELECT
        line, state_po AS state, county_fips, county_name, jurisdiction_name,
        jurisdiction_fips, precinct,
        candidate, party_detailed, party_simplified, writein,
        mode,
        votes AS votes_text, parsed AS votes, readable
    FROM raw)
WHERE $STATE IS NULL OR state = $STATE
"""


def _problems(db: duckdb.DuckDBPyConnection) -> list[Problem]:
    """Rows that are wrong: unknown states, FIPS codes of another state, counts that are not
    counts (``io.counts``; ``NOT_GIVEN`` is a row without one, set aside by ``_set_aside``)."""
    known = list(STATE_FIPS)
    prefixes = [STATE_FIPS[s] for s in known]
    parts = [f"{st}:{name}" for st, name in PARTS_OF_COUNTIES]
    rows = db.execute(f"""
        SELECT line, 'state_po', 'unknown state code ' || state FROM all_rows
            WHERE NOT list_contains(?, state)
        UNION ALL
        SELECT line, 'county_fips', county_fips || ' is not a county FIPS code of ' || state
            FROM all_rows WHERE county_fips <> '' AND list_contains(?, state)
                AND NOT list_contains(?, state || ':' || upper(county_name)) AND (
                NOT regexp_full_match(county_fips, '\\d{{5}}')
                OR county_fips[1:2] <> list_extract(?, list_position(?, state)))
        UNION ALL
        SELECT line, 'votes', '''' || votes_text || ''' is not a vote count (a whole number '
                || 'of ASCII digits, thousands separated by commas, or * for a withheld count)'
            FROM all_rows WHERE NOT readable AND NOT list_contains(?, votes_text)
        ORDER BY line LIMIT {MAX_PROBLEMS}""", [known, known, parts, prefixes, known,
                                                sorted(NOT_GIVEN)]).fetchall()
    return [Problem("bad-row", str(message), line=int(line), field=str(column))
            for line, column, message in rows]


# Each unit's votes per candidate and mode, read once for every shape rule (the rows view hashes
# its keys on every read); pseudo labels and withheld counts take no part.
_UNIT_MODES = """
CREATE TEMP TABLE _unit_modes AS
SELECT any_value(state) AS state, any_value(county_fips) AS county_fips,
       any_value(county_name) AS county_name, any_value(jurisdiction_name) AS jurisdiction_name,
       any_value(precinct) AS precinct, ukey, ckey, CAST(mode AS VARCHAR) AS mode,
       sum(votes) AS votes
FROM all_rows r ANTI JOIN _pseudo_labels p ON CAST(r.candidate AS VARCHAR) = p.candidate
WHERE votes IS NOT NULL
-- the names are the unit's key's (ukey hashes them): grouped by the key alone
GROUP BY ukey, ckey, mode
"""
# A unit's candidate figures (its TOTAL rows where it has them, else its modes).
_FIGURES = """
CREATE TEMP TABLE _figures AS
SELECT state, county_fips, county_name, jurisdiction_name, ukey, ckey,
       CASE WHEN bool_or(mode = 'TOTAL') THEN sum(votes) FILTER (WHERE mode = 'TOTAL')
            ELSE sum(votes) END AS votes
FROM _unit_modes GROUP BY ALL
"""
# A unit that is its county's (or town's) total: for every candidate twice its figure is the
# county's sum (it equals the sum of the others), with at least two others beside it.
_COUNTY_TOTALS = """
WITH units AS (
    SELECT state, county_fips, county_name, jurisdiction_name, ukey, sum(votes) AS votes
    FROM _figures GROUP BY ALL),
sizes AS (
    SELECT state, county_fips, county_name, jurisdiction_name, count(*) AS units,
           sum(votes) AS votes
    FROM units GROUP BY ALL HAVING count(*) >= 3),
-- a necessary condition first, on one figure per unit: twice the unit's votes are the county's
maybe AS (SELECT u.ukey, s.units FROM units u JOIN sizes s
          USING (state, county_fips, county_name, jurisdiction_name)
          WHERE 2 * u.votes = s.votes AND u.votes > 0),
groups AS (
    SELECT f.state, f.county_fips, f.county_name, f.jurisdiction_name, f.ckey,
           sum(f.votes) AS votes
    FROM _figures f SEMI JOIN (SELECT DISTINCT state, county_fips, county_name, jurisdiction_name
                               FROM _figures JOIN maybe USING (ukey)) g
        USING (state, county_fips, county_name, jurisdiction_name)
    GROUP BY ALL)
SELECT f.ukey, any_value(m.units) - 1
FROM _figures f JOIN maybe m USING (ukey)
JOIN groups g USING (state, county_fips, county_name, jurisdiction_name, ckey)
GROUP BY f.ukey
HAVING bool_and(2 * f.votes = g.votes)
"""
# A unit equal to the sum of the units named after it ("Allendale" = "Allendale 1" + "Allendale 2"
# + "Allendale Provisional"), candidate by candidate (a candidate missing on one side is 0).
_SUBTOTALS = """
WITH parts AS (
    SELECT e.parent, e.variant, f.ckey, sum(f.votes) AS votes, count(DISTINCT e.child) AS n
    FROM _edges e JOIN _figures f ON f.ukey = e.child GROUP BY ALL),
sizes AS (SELECT parent, variant, count(DISTINCT child) AS n FROM _edges GROUP BY ALL),
own AS (SELECT f.ukey AS parent, v.variant, f.ckey, f.votes FROM _figures f
        JOIN (SELECT DISTINCT parent, variant FROM _edges) v ON v.parent = f.ukey)
SELECT coalesce(p.parent, o.parent) AS parent, any_value(s.n)
FROM parts p FULL JOIN own o ON o.parent = p.parent AND o.variant = p.variant AND o.ckey = p.ckey
JOIN sizes s ON s.parent = coalesce(p.parent, o.parent)
    AND s.variant = coalesce(p.variant, o.variant)
GROUP BY coalesce(p.parent, o.parent), coalesce(p.variant, o.variant)
HAVING bool_and(coalesce(p.votes, 0) = coalesce(o.votes, 0)) AND sum(o.votes) > 0
"""
# A county (or town) whose every unit without a TOTAL row gives each candidate one figure repeated
# under two or more vote modes (Indiana 2024: ABSENTEE = EARLY VOTING = ELECTION DAY in 12 counties, each the
# precinct's total): the modes are copies of one figure, not parts of it.
_COPIES = """
WITH units AS (
    -- _unit_modes has one row per mode
    SELECT state, county_fips, county_name, jurisdiction_name, ukey, ckey,
           count(*) AS modes, bool_or(mode = 'TOTAL') AS total,
           min(votes) AS low, max(votes) AS high
    FROM _unit_modes GROUP BY state, county_fips, county_name, jurisdiction_name, ukey, ckey)
SELECT state, county_fips, county_name, jurisdiction_name
FROM units WHERE NOT total GROUP BY ALL
HAVING bool_and(modes >= 2 AND low = high) AND max(high) > 0
    AND min(ukey) <> max(ukey)
"""


def _shapes(db: duckdb.DuckDBPyConnection) -> dict[int, tuple[str, int]]:
    """Rows that are totals or copies by their shape (issue 10 item 1: "a row whose votes equal the
    sum of the other rows of its unit is a total"), found before any unit is made, and the view
    ``rows`` of every other row. MEDSL's own codebook says a precinct that is "some type of total
    or aggregation of precinct results" should have been dropped; its 2024 file keeps some:

    * county totals: New Jersey's Gloucester "COUNTY TOTAL" precinct;
    * subtotals named after their parts: Bergen's 70 municipality rows ("Allendale" beside
      "Allendale 1", "Allendale 2", "Allendale Provisional");
    * vote modes that repeat one figure (Indiana's 12 counties whose ABSENTEE, EARLY VOTING and
      ELECTION DAY rows each give the precinct's total): the first mode is counted as the total,
      the others left out.

    Each rule compares every candidate exactly, so an ordinary precinct is never taken for one.

    Returns:
        ukey → (``"total"`` or ``"county_total"``, how many units it sums) for total units; the
        copies are marked in the table ``_copies`` (line of a left-out copy).
    """
    labels = [r[0] for r in db.execute("SELECT DISTINCT candidate FROM all_rows").fetchall()]
    pseudo = [label for label in labels if pseudo_kind(clean_label(label)) is not None]
    db.register("_pseudo_labels", pa.table({"candidate": pa.array(pseudo, pa.string())}))
    db.execute(_UNIT_MODES)
    db.execute(_FIGURES)
    edges = _edges(db.execute("""SELECT DISTINCT state, county_fips, county_name,
                                        jurisdiction_name, precinct, ukey
                                 FROM _unit_modes""").fetchall())
    db.register("_edges", pa.table({
        "parent": pa.array([e[0] for e in edges], pa.uint64()),
        "child": pa.array([e[1] for e in edges], pa.uint64()),
        "variant": pa.array([e[2] for e in edges], pa.int8())}))
    found: dict[int, tuple[str, int]] = {
        int(k): ("total", int(n)) for k, n in db.execute(_SUBTOTALS).fetchall()}
    # a county total sums the precincts, not the subtotals too
    db.register("_subtotal_units", pa.table({"ukey": pa.array(list(found), pa.uint64())}))
    db.execute("DELETE FROM _figures WHERE ukey IN (SELECT ukey FROM _subtotal_units)")
    for key, n in db.execute(_COUNTY_TOTALS).fetchall():
        found[int(key)] = ("county_total", int(n))
    copies = db.execute(_COPIES).fetchall()
    db.register("_copy_groups", pa.table({
        "state": pa.array([c[0] for c in copies], pa.string()),
        "county_fips": pa.array([c[1] for c in copies], pa.string()),
        "county_name": pa.array([c[2] for c in copies], pa.string()),
        "jurisdiction_name": pa.array([c[3] for c in copies], pa.string())}))
    # of a copied unit's modes, the first (by name) stands for the total
    db.execute("""CREATE TEMP TABLE _copies AS
        WITH kept AS (SELECT ukey, min(mode) AS mode
                      FROM _unit_modes JOIN _copy_groups
                      USING (state, county_fips, county_name, jurisdiction_name) GROUP BY ALL)
        SELECT r.line, CAST(r.mode AS VARCHAR) = k.mode AS kept
        FROM all_rows r JOIN kept k USING (ukey)""" if copies else
               "CREATE TEMP TABLE _copies (line BIGINT, kept BOOLEAN)")
    db.register("_shape_totals", pa.table({"ukey": pa.array(list(found), pa.uint64())}))
    # the rows the other queries read: the file's, unless a shape rule set some aside; made a
    # table once when it is, so the four reads after this one do not join (nor hash) again
    db.execute("""CREATE TEMP TABLE rows AS
        SELECT r.* REPLACE (CASE WHEN c.kept THEN 'TOTAL' ELSE CAST(r.mode AS VARCHAR) END AS mode)
        FROM all_rows r LEFT JOIN _copies c USING (line)
        WHERE r.ukey NOT IN (SELECT ukey FROM _shape_totals) AND coalesce(c.kept, true)"""
               if found or copies else "CREATE TEMP VIEW rows AS SELECT * FROM all_rows")
    return found


def _missing_modes(db: duckdb.DuckDBPyConnection, source: str) -> dict[str, Note]:
    """Per state, a note naming the counties that report by vote mode but lack a mode most such
    counties of the state give (New Jersey 2024: Mercer has no EARLY VOTING rows, Union no
    PROVISIONAL ones, and both come out below their certified figures). The file cannot say what
    is missing, only that the county's rows look short: a note, so the state's figures are not
    taken as the certified ones unread (issue 10, F6)."""
    rows = db.execute("""
        WITH counted AS (
            SELECT DISTINCT state, county_fips, county_name, mode
            FROM _unit_modes WHERE mode NOT IN ('TOTAL', '')),
        counties AS (SELECT state, county_fips, county_name, list(mode) AS modes
                     FROM counted GROUP BY ALL),
        usual AS (SELECT state, mode, count(*) AS n FROM counted GROUP BY ALL),
        sizes AS (SELECT state, count(*) AS n FROM counties GROUP BY ALL)
        SELECT c.state, c.county_name, u.mode, u.n, s.n
        FROM counties c JOIN usual u USING (state) JOIN sizes s USING (state)
        WHERE NOT list_contains(c.modes, u.mode) AND 2 * u.n >= s.n AND s.n >= 3
        ORDER BY 1, 2, 3""").fetchall()
    found: dict[str, list[str]] = {}
    for st, county, mode, n, of in rows:
        found.setdefault(st, []).append(f"{_title(county)} has no {mode} rows ({n} of the {of} "
                                        "counties that report by vote mode give them)")
    return {st: Note(f"{len(said)} vote mode(s) missing where most counties report them, so "
                     f"those counties' figures may be short of the certified ones: "
                     f"{'; '.join(said)}", "note", (), source)
            for st, said in found.items()}


def _edges(units: list[tuple[str, str, str, str, str, int]]) -> list[tuple[int, int, int]]:
    """(parent, child, variant) for every unit named as a word prefix of another unit of its county
    ("Englewood" of "Englewood W1 D1"): variant 0 lists the units under the parent that have no
    units of their own, variant 1 also the units named after the parent that do ("Englewood
    Cliffs" beside "Englewood"; which of the two a subtotal sums is for ``_SUBTOTALS`` to find)."""
    by_group: dict[tuple[str, str, str, str], dict[str, int]] = {}
    for st, fips, county, jurisdiction, precinct, key in units:
        by_group.setdefault((st, fips, county, jurisdiction), {})[precinct.upper()] = int(key)
    out: list[tuple[int, int, int]] = []
    for names in by_group.values():
        if len(names) < 3:
            continue
        parent_of: dict[str, str] = {}
        for name in names:
            # the longest other name of the county that this one starts with, up to a word break
            for cut in range(len(name) - 1, 0, -1):
                if not name[cut].isalnum() and name[:cut].rstrip() in names \
                        and name[:cut].rstrip() != name:
                    parent_of[name] = name[:cut].rstrip()
                    break
        parents = set(parent_of.values())
        for name, parent in parent_of.items():
            if name not in parents:
                out.append((names[parent], names[name], 0))
            out.append((names[parent], names[name], 1))
    return out


def _shaped(db: duckdb.DuckDBPyConnection, found: dict[int, tuple[str, int]], source: str
            ) -> dict[str, tuple[list[Exclusion], tuple[Note, ...]]]:
    """The rows ``_shapes`` set aside, per state, as left-out rows (kind ``total`` or
    ``county_total`` for a total unit's rows, ``mode_copy`` for a repeated mode) and one note per
    rule naming the units."""
    (copies,), = db.execute("SELECT count(*) FROM _copies").fetchall()
    if not found and not copies:
        return {}
    db.register("_shape_kinds", pa.table({
        "ukey": pa.array(list(found), pa.uint64()),
        "kind": pa.array([k for k, _ in found.values()], pa.string()),
        "parts": pa.array([n for _, n in found.values()], pa.int64())}))
    rows = db.execute("""
        SELECT r.state, r.line, r.votes, r.candidate, r.county_name, r.precinct,
               CAST(r.mode AS VARCHAR), coalesce(k.kind, 'mode_copy'), k.parts
        FROM all_rows r LEFT JOIN _shape_kinds k USING (ukey)
        LEFT JOIN _copies c USING (line)
        WHERE k.kind IS NOT NULL OR NOT c.kept ORDER BY r.line""").fetchall()
    out: dict[str, tuple[list[Exclusion], tuple[Note, ...]]] = {}
    units: dict[str, dict[str, dict[tuple[str, str], int]]] = {}
    for st, line, votes, label, county, precinct, mode, kind, parts in rows:
        where = (("county", _title(county)), ("precinct", precinct or "(unnamed)"))
        detail = (f"shape: {mode} row of a unit whose votes equal the sum of {parts} other "
                  f"unit(s) of its county" if kind != "mode_copy" else
                  f"shape: {mode} repeats the figure of the unit's other modes")
        out.setdefault(st, ([], ()))[0].append(Exclusion(
            line, "a total of other units, not votes of its own" if kind != "mode_copy" else
            "a vote mode that repeats the unit's total", votes, clean_label(label), kind=kind,
            unit=where, file=source, detail=detail))
        units.setdefault(st, {}).setdefault(kind, {}).setdefault(
            (_title(county), precinct if kind != "mode_copy" else ""), parts or 0)
    for st, kinds in units.items():
        notes = []
        for kind, named in kinds.items():
            shown = ", ".join(f"{c} {p!r}" + (f" (= {n} units)" if n else "") if p else c
                              for (c, p), n in list(named.items())[:5])
            more = f" and {len(named) - 5} more" if len(named) > 5 else ""
            what = ("unit(s) whose votes equal the sum of other units of their county left out "
                    "as totals" if kind != "mode_copy" else
                    "county(ies) whose vote modes each repeat the unit's total: counted once "
                    "(the other modes left out)")
            lines = tuple(e.line for e in out[st][0] if e.kind == kind)
            notes.append(Note(f"{len(named)} {what}: {shown}{more}", "note", lines, source))
        out[st] = (out[st][0], tuple(notes))
    return out


def _places(db: duckdb.DuckDBPyConnection) -> dict[str, dict[str, Unit]]:
    """Every state's units (state, counties, towns, precincts) in file order; registers the
    table ``_unit_ids`` mapping the file's names to unit ids."""
    units: dict[str, dict[str, Unit]] = {}
    ids: dict[int, str] = {}
    towns: dict[tuple[str, str], str] = {}  # (county FIPS, jurisdiction) → town id
    rows = db.execute("""SELECT ukey, state, county_fips, county_name, jurisdiction_name,
                                precinct, any_value(jurisdiction_fips)
                         FROM rows GROUP BY ALL ORDER BY min(line)""").fetchall()
    for key, st, fips, county, jurisdiction, precinct, jurisdiction_fips in rows:
        places = units.get(st) or units.setdefault(st, {st: state_unit(st)})
        parent = _parent(places, st, fips, county)
        if st in TOWN_STATES and jurisdiction and jurisdiction_fips not in ("", fips):
            parent = _town(places, towns, st, parent, jurisdiction)
        if parent != st and is_total_unit(precinct, (county, jurisdiction)):
            # a "COUNTY TOTAL" precinct (NJ Gloucester, OR Harney in 2024) is its county's row:
            # the stage checks it against the county's precincts and leaves it out, or, where
            # the county has no precinct rows (Harney), counts it as the county's figure
            _key(ids, key, parent)
            continue
        uid = base = f"{parent}/{slug(precinct) or 'unnamed'}"
        n = 1
        while uid in places:
            n += 1
            uid = f"{base}-{n}"
        places[uid] = Unit(uid, precinct or "(unnamed)", UnitKind.PRECINCT, parent=parent)
        _key(ids, key, uid)
    _register(db, "_unit_ids", ids, "ukey", "unit_id")
    return units


def _parent(places: dict[str, Unit], st: str, fips: str, county: str) -> str:
    """The county (or Kansas City, a town of one) a precinct belongs to, registered on first
    sight; the state for a row without a county."""
    if fips in places:  # the common case: a county seen before
        return fips
    part_of = PARTS_OF_COUNTIES.get((st, county.upper()))
    if part_of is None and not fips:
        return st
    if part_of is None:
        places[fips] = county_unit(fips, st, county)
        return fips
    # Kansas City's own board: a town of Jackson County
    if part_of not in places:
        places[part_of] = county_unit(part_of, st, "")
    town = f"{st}-town-{slug(county)}"
    if town not in places:
        places[town] = Unit(town, _title(county), UnitKind.TOWN, parent=part_of)
    return town


def _town(places: dict[str, Unit], towns: dict[tuple[str, str], str], st: str, county: str,
          name: str) -> str:
    """A New England or Wisconsin town (the file's jurisdiction) in its county. Wisconsin has
    towns of one name in several counties: the second and later get the county's FIPS."""
    known = towns.get((county, name))
    if known is None:
        known = f"{st}-town-{slug(name)}"
        if known in places:
            known = f"{known}-{county}"
        towns[(county, name)] = known
        places[known] = Unit(known, _title(name), UnitKind.TOWN, parent=county)
    return known


def _key(ids: dict[int, str], key: int, value: str) -> None:
    """Record a hashed key; two different names with one 64-bit hash would be merged, so that is
    refused (it has odds of about 1 in 10^9 for this file's 120,000 names)."""
    if key in ids:
        raise ValidationError([Problem("hash-collision", f"two names hash alike ({value!r} and "
                                       f"{ids[key]!r}); please report this file")])
    ids[key] = value


def _register(db: duckdb.DuckDBPyConnection, name: str, ids: dict[int, str], key_column: str,
              id_column: str) -> None:
    db.register(name, pa.table({key_column: pa.array(list(ids), pa.uint64()),
                                id_column: pa.array(list(ids.values()), pa.string())}))


def _candidates(db: duckdb.DuckDBPyConnection
                ) -> dict[str, tuple[tuple[Candidate, ...], tuple[Party, ...]]]:
    """Every state's candidates (file order) and parties; registers ``_candidate_ids`` mapping
    each raw label to its candidate id."""
    rows = db.execute("""SELECT ckey, state, candidate, party_detailed, party_simplified,
                                writein
                         FROM rows GROUP BY ALL ORDER BY min(line)""").fetchall()
    ids: dict[int, str] = {}
    found: dict[str, dict[str, tuple[str, bool, list[Party], bool]]] = {}
    for key, st, label, detailed, simplified, writein in rows:
        name = clean_label(label)
        if pseudo_kind(name) is not None:  # left out by ``_set_aside``
            continue
        party = party_of(detailed, simplified)
        cid, aggregate = candidate_key(name, party, is_true(writein))
        _key(ids, key, cid)
        _, _, known, write_in = found.setdefault(st, {}).setdefault(
            cid, (name, aggregate, [], True))
        if party is not None and party not in known:
            known.append(party)
        found[st][cid] = (name, aggregate, known, write_in and is_true(writein))
    _register(db, "_candidate_ids", ids, "ckey", "candidate_id")
    out = {}
    for st, by_id in found.items():
        candidates = tuple(Candidate(cid, name, party=_main(ps).id if ps else None, write_in=w,
                                     aggregate=agg) for cid, (name, agg, ps, w) in by_id.items())
        parties = {p.id: p for _, _, ps, _ in by_id.values() for p in ps}
        out[st] = (candidates, tuple(parties.values()))
    return out


def _main(parties: list[Party]) -> Party:
    for party in parties:
        if party.id in (DEMOCRATIC.id, REPUBLICAN.id):
            return party
    return parties[0]


def _counts(db: duckdb.DuckDBPyConnection) -> dict[str, CountTable]:
    """Votes per (unit, candidate, vote type), raw modes of one type and labels of one candidate
    added together, in file order, as one column table per state."""
    modes = [r[0] for r in db.execute("SELECT DISTINCT mode FROM rows").fetchall()]
    db.register("_modes", pa.table({"mode": modes, "vote_type": [str(vote_type(m))
                                                                  for m in modes]}))
    table = db.sql("""
        SELECT r.state, u.unit_id AS unit, c.candidate_id AS candidate, m.vote_type,
               -- a withheld part withholds the whole figure (its known parts are no total)
               CASE WHEN count(r.votes) = count(*) THEN sum(r.votes) END::BIGINT AS votes,
               min(r.line)::BIGINT AS line
        FROM rows r
        JOIN _unit_ids u USING (ukey)
        JOIN _candidate_ids c USING (ckey)
        JOIN _modes m USING (mode)
        WHERE r.votes IS NOT NULL OR r.votes_text = '*'
        GROUP BY ALL ORDER BY r.state, min(r.line)""").to_arrow_table()
    columns = table.select(["unit", "candidate", "vote_type", "votes", "line"]).cast(SCHEMA)
    # The rows come sorted by state: each state's counts are a slice (no copy).
    runs = pc.run_end_encode(table.column("state").combine_chunks())
    out, start = {}, 0
    for st, end in zip(runs.values.to_pylist(), runs.run_ends.to_pylist(), strict=True):
        out[st] = CountTable(columns.slice(start, end - start))
        start = end
    return out


def _set_aside(db: duckdb.DuckDBPyConnection, places: dict[str, dict[str, Unit]], source: str
               ) -> tuple[dict[str, tuple[UnitFacts, ...]], dict[str, list[Exclusion]],
                          dict[str, tuple[Note, ...]]]:
    """Every row that is not a vote for a candidate (by the one vocabulary, ``io.pseudo``), or has
    no readable count, as an ``Exclusion`` with its left-out kind, unit and line; ballots-cast
    rows also give their precinct's ballots cast (of two such labels in one precinct, the larger:
    NJ and OR write both)."""
    labels = [r[0] for r in db.execute("SELECT DISTINCT candidate FROM rows").fetchall()]
    kinds = {label: kind for label in labels if (kind := pseudo_kind(clean_label(label)))}
    db.register("_pseudo", pa.table({"candidate": pa.array(list(kinds), pa.string()),
                                     "kind": pa.array([str(k) for k in kinds.values()], pa.string())}))
    rows = db.execute("""
        SELECT r.state, r.line, r.votes, r.votes_text, r.candidate, x.kind, u.unit_id
        FROM rows r
        LEFT JOIN _pseudo x ON x.candidate = r.candidate
        LEFT JOIN _unit_ids u USING (ukey)
        WHERE x.kind IS NOT NULL OR (r.votes IS NULL AND r.votes_text <> '*')
        ORDER BY r.line""").fetchall()
    checked = _checked(db)
    ballots: dict[str, dict[str, dict[str, int]]] = {}
    exclusions: dict[str, list[Exclusion]] = {}
    for st, line, votes, text, label, kind, unit in rows:
        pseudo = PseudoKind(kind) if kind else None
        if pseudo in BALLOTS_CAST and votes is not None and votes >= 0:
            by_label = ballots.setdefault(st, {}).setdefault(unit, {})
            by_label[label] = by_label.get(label, 0) + votes
        reason, key = ((pseudo.reason, KIND_KEYS[pseudo]) if pseudo is not None
                       else (_unreadable(votes, text), NO_COUNT))
        exclusions.setdefault(st, []).append(Exclusion(
            line, reason, votes, clean_label(label), kind=key,
            unit=_names(places[st], unit), file=source, detail=checked.get(line, ("", False))[0]))
    facts = {st: tuple(UnitFacts(u, ballots_cast=max(n.values())) for u, n in by_unit.items())
             for st, by_unit in ballots.items()}
    return facts, exclusions, _disagreements(exclusions, checked, source)


def _checked(db: duckdb.DuckDBPyConnection) -> dict[int, tuple[str, bool]]:
    """Each total and ballots-cast row checked against its precinct's candidates (issue 10 item 1,
    as ``rules_labels.pseudo_rows`` does for the other readers): by line, the check made
    (``615 = candidates 615``, ``900 >= candidates 615``) and whether it failed. A total compares
    with the candidates' rows of its own mode; a TOTAL-mode row where the candidates give only
    modes, with the sum of their modes."""
    equal = [str(k) for k in PseudoKind if k.check is Check.EQUAL]
    at_least = [str(k) for k in PseudoKind if k.check is Check.AT_LEAST]
    found = db.execute("""
        WITH candidates AS (
            SELECT r.ukey, CAST(r.mode AS VARCHAR) AS mode, sum(r.votes) AS votes FROM rows r
            LEFT JOIN _pseudo x ON x.candidate = r.candidate
            WHERE x.kind IS NULL AND r.votes IS NOT NULL GROUP BY ALL),
        modes AS (SELECT ukey, sum(votes) AS votes FROM candidates WHERE mode <> 'TOTAL'
                  GROUP BY ALL)
        SELECT r.line, r.votes, list_contains(?, x.kind),
               coalesce(c.votes, CASE WHEN r.mode = 'TOTAL' THEN m.votes END, 0)
        FROM rows r JOIN _pseudo x ON x.candidate = r.candidate
        LEFT JOIN candidates c ON c.ukey = r.ukey AND c.mode = CAST(r.mode AS VARCHAR)
        LEFT JOIN modes m ON m.ukey = r.ukey
        WHERE (list_contains(?, x.kind) OR list_contains(?, x.kind)) AND r.votes IS NOT NULL
        """, [equal, equal, at_least]).fetchall()
    out: dict[int, tuple[str, bool]] = {}
    for line, votes, is_equal, total in found:
        if is_equal:
            out[int(line)] = (f"{votes} = candidates {total}" if votes == total
                              else f"{votes}, candidates add up to {total}", votes != total)
        else:
            out[int(line)] = (f"{votes} >= candidates {total}" if votes >= total
                              else f"{votes}, below the candidates' {total}", votes < total)
    return out


def _disagreements(exclusions: dict[str, list[Exclusion]], checked: dict[int, tuple[str, bool]],
                   source: str) -> dict[str, tuple[Note, ...]]:
    """Per state, one located note for the total and ballots-cast rows that disagree with their
    precinct's candidates. A note, not a refusal: MEDSL harmonises each state's own canvass files
    and keeps their totals as published (2024: NJ's and OR's contest totals disagree with their
    candidates in hundreds of precincts), while the candidates' rows are what add up to the
    certified figures; refusing the file would refuse those states' results."""
    notes: dict[str, tuple[Note, ...]] = {}
    for st, rows in exclusions.items():
        bad = [e for e in rows if checked.get(e.line, ("", False))[1]]
        if not bad:
            continue
        shown = "; ".join(f"line {e.line} {' '.join(n for _, n in e.unit[-1:])} {e.label} "
                          f"{e.detail}" for e in bad[:3])
        more = f"; and {len(bad) - 3} more" if len(bad) > 3 else ""
        notes[st] = (Note(f"{len(bad)} total or ballots-cast row(s) disagree with their "
                          f"precinct's candidates, as the source publishes them (left out, the "
                          f"candidates counted): {shown}{more}", "total_mismatch",
                          tuple(e.line for e in bad), source),)
    return notes


def _names(places: dict[str, Unit], unit: str | None) -> tuple[tuple[str, str], ...]:
    """A unit's names from the largest level below the state down to itself."""
    chain: list[tuple[str, str]] = []
    current = places.get(unit) if unit else None
    while current is not None and current.kind is not UnitKind.STATE:
        chain.append((str(current.kind), current.name))
        current = places.get(current.parent) if current.parent else None
    return tuple(reversed(chain))


def _unreadable(votes: int | None, text: str) -> str:
    if votes is not None:
        return "negative count (ballots cast cannot be negative)"
    if text == "*":
        return "suppressed count (*)"
    return f"no vote count given ({text or 'empty'})"


def _title(name: str) -> str:
    return " ".join(w.capitalize() for w in name.split())


def probe_precinct(name: str, head: str) -> bool:
    first = head.splitlines()[0].lower() if head else ""
    columns = {c.strip().strip('"') for c in first.split(",")}
    return {"state_po", "county_fips", "precinct", "candidate", "votes"} <= columns


PROBES[Format.MEDSL_PRECINCT] = probe_precinct
