"""The library's front door: each operation the CLI and the server offer, as one function.

Each takes plain values and a store (anything with the ``ResultsStore`` methods; ``open_store``
opens the DuckDB one) and returns results: never prints, never exits. Only this module touches a
store; report, analyze and tabulate get loaded ``Returns``. Heavy modules (DuckDB, pyarrow, the
renderers) are imported inside the functions that use them, so importing ``electoral.api`` is
cheap and a command pays only for what it uses.

Every function may raise ``electoral.errors.ElectoralError`` subclasses; each says which.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from electoral.errors import Problem, ValidationError
from electoral.formats import (
    ElectorsFormat,
    ExportFormat,
    MapKind,
    MapLevel,
    OutputFormat,
    Palette,
    RcvFormat,
)
from electoral.model import Candidate, Election, Returns, UnitKind

# The ranked-choice choices the CLI takes as option types (light modules: no reader, no numba).
from electoral.rcv.cvr.provider import Provider as Provider
from electoral.rcv.rules import OvervoteRule as OvervoteRule
from electoral.rcv.rules import Tiebreak as Tiebreak

if TYPE_CHECKING:
    from types import TracebackType

    from electoral.analyze.compare import Comparison
    from electoral.analyze.history import History
    from electoral.check import Discrepancy
    from electoral.columns import ReturnsTable
    from electoral.importing import ImportReport, Staged
    from electoral.io import Format
    from electoral.published import Article
    from electoral.report.tables import ResultsView
    from electoral.store import Addition, ElectionSummary, ImportRecord, StoredUnit
    from electoral.tabulate.electors import College, StateVotes
    from electoral.tabulate.rollup import Tabulation
    from electoral.tabulate.scenarios import CollegeAnalysis

E = TypeVar("E", bound=Enum)
Progress = Callable[[int, int], None]  # (done, total), told as work advances


class ResultsStore(Protocol):
    """What ``api`` asks of a results store: the seam where the DuckDB file meets the library
    (``electoral.store.Store`` is the real one; tests use an in-memory double)."""

    path: Path

    def __enter__(self) -> ResultsStore: ...
    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None: ...
    def elections(self) -> list[ElectionSummary]: ...
    def imports(self, election_id: str | None = None) -> list[ImportRecord]: ...
    def has(self, election_id: str) -> bool: ...
    def load(self, election_id: str) -> Returns: ...
    def load_many(self, election_ids: Sequence[str]) -> list[Returns]: ...
    def save(self, *elections: ReturnsTable | Returns, source: str, sha256: str,
             format: str) -> list[ImportRecord]: ...
    def add(self, additions: Sequence[Addition]) -> list[ImportRecord]: ...
    def provenance(self, election_ids: Sequence[str]) -> dict[str, list[StoredUnit]]: ...
    def unit_sources(self, election_id: str) -> dict[str, str]: ...
    def candidates(self, election_id: str) -> list[Candidate]: ...


def open_store(path: Path | str | None = None, *, write: bool = False,
               empty_if_missing: bool = False) -> ResultsStore:
    """The DuckDB results store at ``path`` (default: ``$ELECTORAL_DB``, else
    ``./electoral.duckdb``), to use as a context manager. Read-only unless ``write``: reading
    never makes or changes a file, works on read-only media, and does not lock other readers
    out. ``write`` makes a missing file a new store and upgrades one made by an older
    electoral. ``empty_if_missing`` (reading only): a missing file reads as an empty store held
    in memory (``audit-import`` against a store not made yet); nothing is created.

    Raises:
        NotFoundError: reading, and there is no file at ``path``.
        StoreError: the file is not a results store made by electoral (a CSV, Parquet, JSON or
            SQLite file, another DuckDB database), is damaged, is locked by another process,
            cannot be read or written, or needs an upgrade a read-only open cannot make; the
            message names the file and what to do.
    """
    from electoral.store import MEMORY, Store, default_path

    where = Path(path) if path is not None else default_path()
    if empty_if_missing and not write and not where.exists():
        return Store(MEMORY)
    return Store(where, read_only=not write)


# ---- importing ---------------------------------------------------------------------------------


def import_path(store: ResultsStore, path: Path | str, fmt: Format | str | None = None,
                election: str | None = None, *, aliases: Path | str | None = None,
                contest: str | None = None, replace: bool = False,
                skip_existing: bool = False) -> ImportReport:
    """``import_paths`` of one file.

    Raises:
        ValidationError: as ``import_paths``.
        NotFoundError: the file does not exist.
        StoreError: the store could not write; nothing is changed.
    """
    report = import_paths(store, [path], fmt, election, aliases=aliases, contest=contest,
                          replace=replace, skip_existing=skip_existing)
    if report.failed:
        raise ValidationError(_problems(report))
    return report


def import_paths(store: ResultsStore, paths: Sequence[Path | str],
                 fmt: Format | str | None = None, election: str | None = None, *,
                 aliases: Path | str | None = None, contest: str | None = None,
                 replace: bool = False, skip_existing: bool = False,
                 dry_run: bool = False) -> ImportReport:
    """Read every file, run the import stage's rules over each of its elections (``io.stage``),
    put the files of one election together (per-county files add up; ``electoral.importing``
    says when a file may add to what is stored), and store everything in one transaction: a
    problem in any file stores nothing. ``dry_run`` (``audit-import``) stores nothing at all.
    ``aliases``: a ``spelling,candidate`` CSV of merges the user states; ``contest``: the contest
    title to read where a file has several.

    Returns:
        The ``ImportReport``: per election what was stored, left out, merged, flagged, replaced
        and skipped. Problems are in it (``failed``), not raised, so that a refused command
        still says everything it found.

    Raises:
        ValidationError: ``election`` is not an election id, ``fmt`` is unknown, both
            ``replace`` and ``skip_existing``, or an option the readers do not take.
        StoreError: the store could not write; nothing is changed.
    """
    from electoral.importing import ImportReport, read_staged, reading_options

    if election is not None:
        Election.from_id(election)
    if replace and skip_existing:
        raise ValidationError([Problem("usage", "--replace and --skip-existing exclude each other",
                                       field="replace")])
    chosen = input_format(str(fmt)) if fmt is not None else None
    options = reading_options(election, aliases, contest)
    report = ImportReport(dry_run=dry_run)
    read = [one for path in paths for one in read_staged(path, chosen, options, report)]
    additions = _plan(store, read, report, replace=replace, skip_existing=skip_existing,
                      aliases=options.aliases)
    if dry_run or report.failed or not additions:
        return report
    report.records = store.add(additions)
    for record in report.records:
        entry = report.election(record.election_id)
        entry.stored = True
        entry.counts += record.rows
    return report


def _plan(store: ResultsStore, read: Sequence[Staged], report: ImportReport, *, replace: bool,
          skip_existing: bool, aliases: Mapping[str, str]) -> list[Addition]:
    """What to store from each file's election (``electoral.importing.decide``), in file order,
    each candidate one candidate across the files and the stored election
    (``electoral.importing.merge_across``); the problems found on the way go into ``report``."""
    from electoral.importing import (
        between_files,
        decide,
        fill_coverage,
        lost_levels,
        merge_across,
        without,
    )
    from electoral.store import Addition

    ids = list(dict.fromkeys(one.table.election_id for one in read))
    stored = store.provenance(ids)
    additions = []
    for eid in ids:
        entry = report.election(eid)
        mine = [one for one in read if one.table.election_id == eid]
        # another source's election is replaced whole or left alone: its candidates are no
        # spelling of this one's
        same_source = eid in stored and {u.format for u in stored[eid]} <= {o.format for o in mine}
        mine, renames = merge_across(entry, mine, store.candidates(eid) if same_source else [],
                                     aliases)
        entry.problems += between_files([(one.file, one.table) for one in mine])
        sha_of = {r.id: r.sha256 for r in store.imports(eid)} if eid in stored else {}
        first = True
        tables: list[ReturnsTable] = []
        dropped: set[str] = set()
        for one in mine:
            decision = decide(one, stored.get(eid, []), replace=replace,
                              skip_existing=skip_existing, sha_of=sha_of)
            entry.problems += decision.problems
            entry.replaced += [r for r in decision.replaced if r not in entry.replaced]
            entry.skipped += [r for r in decision.skipped if r not in entry.skipped]
            entry.notes += lost_levels(stored.get(eid, []), decision, one)
            table = without(one.table, set(decision.skip)) if decision.skip else one.table
            tables.append(table)
            dropped |= {u.id for u in stored.get(eid, [])} if decision.whole else set(decision.drop)
            if len(table.counts):
                additions.append(Addition(table, one.source, one.sha256, one.format,
                                          decision.drop, decision.whole and first,
                                          renames if first else ()))
                first = False
        fill_coverage(entry, tables, stored.get(eid, []), dropped)
    return additions


def _problems(report: ImportReport) -> list[Problem]:
    """The report's problems as located ``Problem``s (``import_path`` raises them)."""
    found = [*report.problems, *(p for e in report.elections for p in e.problems)]
    return [Problem(str(p["kind"]).replace("_", "-"), str(p["detail"]),
                    Path(str(p["file"])).name if p.get("file") else None, p.get("line"))
            for p in found]


def input_format(name: str) -> Format:
    """The reader format called ``name`` (``electoral import --format``).

    Raises:
        ValidationError: no format has that name; the problem lists the choices.
    """
    from electoral.io import Format
    return _choice(name, Format, "format")


def group(store: ResultsStore, election: str, path: Path | str) -> Returns:
    """Place a stored election's units in the counties, councils of government or districts a
    groupings CSV (``unit,kind,group[,fips]``) names, store the result, and return it.

    Raises:
        NotFoundError: the election is not stored, or the file does not exist.
        ValidationError: the groupings file has problems (located by line and field).
        StoreError: the store could not write; nothing is changed.
    """
    from electoral.io import open_source
    from electoral.io.groupings import apply_groupings, read_groupings

    source = open_source(path)
    grouped = apply_groupings(store.load(election), read_groupings(source.stream(), source.name),
                              source.name)
    store.save(grouped, source=f"{grouped.source} + {source.name}", sha256=source.sha256,
               format="groupings")
    return grouped


def load_samples(store: ResultsStore) -> list[Article]:
    """Store the bundled sample elections (each in its own transaction) and return them.

    Raises:
        StoreError: the store could not write.
    """
    import hashlib

    from electoral.io import Format
    from electoral.io.sample import bundled_samples
    articles = []
    for name, text in bundled_samples():
        article = published_from_text(name, text, Format.SAMPLE)
        store.save(article.returns, source=f"bundled:{name}",
                   sha256=hashlib.sha256(text.encode()).hexdigest(), format=str(Format.SAMPLE))
        articles.append(article)
    return articles


# ---- what is stored ----------------------------------------------------------------------------


def elections(store: ResultsStore) -> list[ElectionSummary]:
    """Every stored election (id, year, state, office, units, counts, source), oldest first."""
    return store.elections()


def imports(store: ResultsStore, election: str | None = None) -> list[ImportRecord]:
    """Where the stored figures came from: each import's source, sha256, format, time, rows."""
    return store.imports(election)


# ---- results tables ----------------------------------------------------------------------------


def tabulate(store: ResultsStore, election: str, level: UnitKind | str) -> Tabulation:
    """A stored election rolled up to ``level``.

    Raises:
        ValidationError: ``election`` is not an election id, or ``level`` is not a unit kind.
        NotFoundError: the election is not stored, or has no units at ``level``.
    """
    from electoral.tabulate.rollup import roll_up

    Election.from_id(election)
    return roll_up(store.load(election), _level(level))


def _level(level: UnitKind | str) -> UnitKind:
    try:
        return UnitKind(level)
    except ValueError:
        raise ValidationError([Problem(
            "unknown-level", f"unknown level {level!r}; use one of "
            f"{', '.join(k.value for k in UnitKind if k != UnitKind.NATION)}", field="by")]) from None


def compare_with(store: ResultsStore, later: Tabulation, earlier: str) -> Comparison:
    """Flips and swing from the stored ``earlier`` election to ``later``, at ``later``'s level.

    Raises:
        ValidationError: ``earlier`` is not an election id.
        NotFoundError: ``earlier`` is not stored, or has no units at that level.
    """
    from electoral.analyze.compare import compare
    return compare(later, tabulate(store, earlier, later.level))


COLUMNS = ("leaders", "all")


def results(store: ResultsStore, election: str, level: UnitKind | str = UnitKind.STATE,
            earlier: str | None = None, *, columns: str = "all",
            assume_complete: bool = False) -> ResultsView:
    """The figures of a results table of ``election`` at ``level`` (with flips and swing against
    ``earlier``): the one object the CLI's tables and the server's JSON are rendered from.
    ``columns``: ``"all"`` (every candidate with a count at the level) or ``"leaders"`` (the
    articles' layout: the two leading candidates per unit, the rest as "other").
    ``assume_complete``: declare the winner although units are missing (coverage still says so).

    Raises:
        ValidationError: a bad election id, level or columns.
        NotFoundError: an election is not stored, or has no units at ``level``.
    """
    return _results(store, election, level, earlier, columns, assume_complete)[1]


def _results(store: ResultsStore, election: str, level: UnitKind | str, earlier: str | None,
             columns: str, assume_complete: bool) -> tuple[Tabulation, ResultsView]:
    from electoral.report.tables import results_view

    if columns not in COLUMNS:
        raise ValidationError([Problem("unknown-choice", f"unknown columns {columns!r}; choose "
                                       f"from {', '.join(COLUMNS)}", field="columns")])
    tabulation = tabulate(store, election, level)
    comparison = compare_with(store, tabulation, earlier) if earlier else None
    return tabulation, results_view(tabulation, comparison, columns=columns,
                                    assume_complete=assume_complete)


def render_results(view: ResultsView, fmt: OutputFormat | str = OutputFormat.TEXT) -> str:
    """``view`` as text, md, wiki, html, csv or json.

    Raises:
        ValidationError: ``fmt`` is not an ``OutputFormat``.
    """
    from electoral.report.tables import render
    return render(view, _choice(fmt, OutputFormat, "format"))


def results_document(view: ResultsView) -> dict[str, object]:
    """``view`` as the JSON contract's document (what ``render_results(view, "json")`` prints)."""
    from electoral.report.tables import results_json
    return results_json(view)


def report(store: ResultsStore, election: str, level: UnitKind | str = UnitKind.STATE,
           earlier: str | None = None, fmt: OutputFormat | str = OutputFormat.TEXT, *,
           columns: str | None = None, assume_complete: bool = False) -> str:
    """A results table of ``election`` at ``level``, with flips and swing against ``earlier``.
    ``columns`` defaults to every candidate for json and csv, the articles' layout (leaders and
    "other") for text, md, wiki and html; ``assume_complete`` as in ``results``. The JSON
    document also says which file each row's figures came from (``sources``).

    Raises:
        ValidationError: a bad election id, level, format or columns.
        NotFoundError: an election is not stored, or has no units at ``level``.
    """
    import json

    from electoral.importing import row_sources

    chosen = _choice(fmt, OutputFormat, "format")
    if columns is None:
        columns = "all" if chosen in (OutputFormat.JSON, OutputFormat.CSV) else "leaders"
    tabulation, view = _results(store, election, level, earlier, columns, assume_complete)
    if chosen != OutputFormat.JSON:
        return render_results(view, chosen)
    sources = row_sources(tabulation.returns, store.unit_sources(election), tabulation.level)
    return json.dumps(results_document(view) | {"sources": sources}, indent=2,
                      ensure_ascii=False) + "\n"


# ---- pages and maps ----------------------------------------------------------------------------


def write_page(store: ResultsStore, election: str, out: Path | str, *,
               compare_with: str | None = "auto", article: Article | None = None,
               progress: Progress | None = None, assume_complete: bool = False) -> Path:
    """Write ``out/index.html`` (and its maps and data files) for a stored election; return the
    page's path. ``compare_with`` names an earlier election, ``"auto"`` picks the latest earlier
    stored one of the same state and office, ``None`` none. ``article``: the published figures
    of the election, for its ranked-choice round tables. ``assume_complete``: declare the winner
    and electors although units are missing.

    Raises:
        NotFoundError: the election (or the one to compare with) is not stored.
        OSError: ``out`` cannot be written.
    """
    from electoral.report.page import write_page as write

    returns = store.load(election)
    earlier_id = latest_earlier(store, returns) if compare_with == "auto" else compare_with
    earlier = store.load(earlier_id) if earlier_id else None
    return write(returns, out, earlier=earlier, article=article,
                 college=_national_college(store, returns), progress=progress,
                 assume_complete=assume_complete)


def latest_earlier(store: ResultsStore, returns: Returns) -> str | None:
    """The most recent stored election of the same state and office before this one."""
    e = returns.election
    earlier = [s for s in store.elections()
               if s.state == e.state and s.office == e.office and s.year < e.year]
    return max(earlier, key=lambda s: s.year).id if earlier else None


def _national_college(store: ResultsStore, returns: Returns) -> College | None:
    """The Electoral College of the election's year, when every state's returns are stored."""
    from electoral.errors import ElectoralError
    from electoral.tabulate.electors import count_college

    year = returns.election.year
    if returns.election.office != "president":
        return None
    try:
        return count_college(load_states(store, year), year)
    except ElectoralError:
        return None


def map_svg(store: ResultsStore, election: str, *, by: MapLevel | UnitKind | str = MapLevel.COUNTY,
            kind: MapKind | str = MapKind.WINNER, compare_with: str | None = None,
            palette: Palette | str = Palette.STANDARD, assume_complete: bool = False) -> str:
    """The SVG map of a stored election; a ``college`` map counts the electors of the election's
    year from every stored state (``electoral college`` does the same count), refusing a state
    whose returns lack units unless ``assume_complete``. For a ``YEAR-US-office`` id not stored,
    every stored state's returns are put together.

    Raises:
        ValidationError: a bad election id, level, kind or palette, or a flips/swing map without
            ``compare_with``.
        NotFoundError: an election (or, for a college map, any state of the year) is not stored.
    """
    from electoral.report.maps import draw_map

    if MapKind(kind) == MapKind.COLLEGE:
        from electoral.report.college_map import draw_college
        from electoral.tabulate.electors import count_college

        year = Election.from_id(election).year
        return draw_college(count_college(load_states(store, year, assume_complete=assume_complete),
                                          year), palette)
    earlier = _map_table(store, compare_with, by) if compare_with else None
    return draw_map(_map_table(store, election, by), kind, earlier=earlier, palette=palette)


def _map_table(store: ResultsStore, election: str, by: UnitKind | str) -> Tabulation:
    from electoral.tabulate.nation import national_table
    from electoral.tabulate.rollup import roll_up

    e = Election.from_id(election)
    if e.state == "US" and not store.has(election):
        return national_table(stored_states(store, e.year, e.office), by)
    return roll_up(store.load(election), by)


def stored_states(store: ResultsStore, year: int, office: str = "president") -> list[Returns]:
    """Every state's stored ``year`` ``office`` election; states not stored are simply absent.

    Raises:
        NotFoundError: no state's election of that year and office is stored.
    """
    from electoral.tabulate.nation import require_some, state_ids

    stored = [i for i in state_ids(year, office) if store.has(i)]
    require_some(stored, year, office)
    return store.load_many(stored)


def write_map(svg: str, out: Path) -> Path:
    """Write ``svg`` to ``out`` (.svg as is, .png rendered).

    Raises:
        ValidationError: ``out`` is neither .svg nor .png.
        ElectoralError: a .png needs the cairo library, and it is not installed.
    """
    from electoral.report.maps import write_map as write
    return write(svg, out)


# ---- electors ----------------------------------------------------------------------------------


def load_states(store: ResultsStore, year: int, *, assume_complete: bool = False) -> list[StateVotes]:
    """The votes of the 51 presidential elections of ``year`` that its Electoral College counts.

    Raises:
        NotFoundError: no apportionment covers ``year``, or any state's election is not stored
            (naming every one missing).
        ValidationError: a state's returns lack some of its units (``require_complete``), unless
            ``assume_complete``.
    """
    from electoral.tabulate.electors import college_ids, require_stored, state_votes

    ids = college_ids(year)
    require_stored(year, [i for i in ids if not store.has(i)])
    states = store.load_many(ids)
    if not assume_complete:
        require_complete(states)
    return [state_votes(r) for r in states]


def require_complete(states: Iterable[Returns]) -> None:
    """Refuse to count electors from a state whose returns lack some of its units.

    Raises:
        ValidationError: naming each such state and what it is missing (``tabulate.coverage``).
    """
    from electoral.tabulate.coverage import coverage

    short = [(r.election.id, coverage(r).line()) for r in states]
    problems = [Problem("incomplete", f"{election} declares no electors: {line}; import the "
                        "missing units, or pass --assume-complete", field="election")
                for election, line in short if line]
    if problems:
        raise ValidationError(problems)


def college(store: ResultsStore, year: int, flip: str | None = None,
            swing: str | None = None) -> CollegeAnalysis:
    """The Electoral College of ``year`` from the stored state returns, with ``flip`` (``OH,FL``
    or ``NE-02``: those electors to the runner-up) and a uniform ``swing`` (``D+2``) applied.

    Raises:
        NotFoundError: no apportionment covers ``year``, or a state's election is not stored.
        ValidationError: ``flip`` or ``swing`` cannot be read.
    """
    from electoral.tabulate.apportion import electors_for
    from electoral.tabulate.scenarios import Scenario, analyse, parse_flips, parse_swing

    electors_for(year)
    scenario = Scenario(parse_flips(flip), parse_swing(swing))
    return analyse(load_states(store, year), year, scenario)


def render_college(analysis: CollegeAnalysis, fmt: ElectorsFormat | str = ElectorsFormat.TEXT,
                   state: str | None = None) -> str:
    """The national count, or ``state``'s Electors section, as text, md, wiki or json.

    Raises:
        NotFoundError: ``state`` is not a state of the count.
    """
    from electoral.report.electors import electors_section
    from electoral.report.electors import render_college as render

    return electors_section(analysis, state.upper(), fmt) if state else render(analysis, fmt)


def apportion(census: int | None = None, populations: Path | None = None, seats: int = 435,
              fmt: ElectorsFormat | str = ElectorsFormat.TEXT) -> str:
    """House seats by the method of equal proportions (electors are seats + 2), rendered.

    Raises:
        ValidationError: both ``census`` and ``populations``, or a bad populations file.
        NotFoundError: no bundled populations for ``census``, or no populations file.
    """
    from electoral.report.electors import render_apportionment
    from electoral.tabulate.apportion import apportion_for

    if census is not None and populations is not None:
        raise ValidationError([Problem("usage", "give either a census or a populations file, "
                                       "not both", field="populations")])
    read = None
    if populations is not None:
        from electoral.io import open_source
        from electoral.io.populations import read_populations

        source = open_source(populations)
        read = read_populations(source.stream(), source.name)
    result, used, official = apportion_for(census, read, seats)
    return render_apportionment(result, fmt, used, official)


# ---- history -----------------------------------------------------------------------------------


def history(store: ResultsStore, query: str) -> History:
    """The record of a state or county (``MO``, ``29019``, ``Boone County, MO``) across every
    presidential election stored for its state.

    Raises:
        NotFoundError: no such state or county, or no presidential election of its state stored.
    """
    from electoral.analyze.history import find_place, national_ids
    from electoral.analyze.history import history as unit_history

    place = find_place(query)
    elections = _presidential(store, place.state)
    nations = {}
    for year in sorted({r.election.year for r in elections}):
        ids = national_ids(year)
        if all(store.has(i) for i in ids):
            nations[year] = store.load_many(ids)
    return unit_history(place, elections, nations)


def _presidential(store: ResultsStore, state: str) -> list[Returns]:
    """The stored presidential elections of ``state``, oldest first."""
    ids = [e.id for e in sorted(store.elections(), key=lambda e: e.year)
           if e.state == state and e.office == "president"]
    return store.load_many(ids)


def flips_between(store: ResultsStore, state: str, earlier: int, later: int,
                  level: UnitKind = UnitKind.COUNTY) -> Comparison:
    """Flips and swing of ``state``'s units from its ``earlier`` to its ``later`` presidential
    election.

    Raises:
        NotFoundError: either election is not stored, or has no units at ``level``.
    """
    from electoral.analyze.history import flips_between as between

    before, after = store.load_many([f"{earlier}-{state}-president", f"{later}-{state}-president"])
    return between(before, after, level)


def every_flip(store: ResultsStore, state: str,
               level: UnitKind = UnitKind.COUNTY) -> list[tuple[int, int, Comparison]]:
    """``(earlier, later, comparison)`` for each pair of consecutive stored presidential
    elections of ``state``.

    Raises:
        NotFoundError: an election has no units at ``level``.
    """
    from electoral.analyze.history import every_flip as pairs
    return list(pairs(_presidential(store, state.upper()), level))


def render_history(found: History, fmt: str = "text") -> str:
    """``found`` as text or json."""
    from electoral.report.history import render_history as render
    return render(found, fmt)


def render_flips(state: str, pairs: list[tuple[int, int, Comparison]], fmt: str = "text") -> str:
    """The flips of ``every_flip`` as text or json."""
    from electoral.report.history import render_flips as render
    return render(state.upper(), pairs, fmt)


# ---- export ------------------------------------------------------------------------------------


def export(store: ResultsStore, election: str, fmt: ExportFormat | str = ExportFormat.CSV) -> str:
    """A stored election as NIST SP 1500-100 v2 JSON or XML, or as electoral's CSV.

    Raises:
        NotFoundError: the election is not stored.
        ValueError: ``fmt`` is not an ``ExportFormat``.
    """
    from electoral.io.export import export as export_returns
    return export_returns(store.load(election), fmt)


# ---- checking published figures ----------------------------------------------------------------


def read_published(path: Path | str) -> Article:
    """An article (or a bundled sample) with every figure it states.

    Raises:
        NotFoundError: the file does not exist.
        ValidationError: the file is not an article or sample, or cannot be read (located).
    """
    from electoral.io import detect_format, open_source

    source = open_source(path)
    return published_from_text(source.name, source.text, detect_format(source))


def published_from_text(name: str, text: str, fmt: Format) -> Article:
    """The article or sample in ``text`` (named ``name`` in problems).

    Raises:
        ValidationError: ``fmt`` states no figures, or the text cannot be read (located).
    """
    import io

    from electoral.io import Format
    from electoral.io.article import read_article
    from electoral.io.sample import read_sample
    readers = {Format.ARTICLE: read_article, Format.SAMPLE: read_sample}
    if fmt not in readers:
        raise ValidationError([Problem("not-checkable", f"{fmt} files state no figures to check; "
                                       "check takes articles and samples", source=name)])
    try:
        return readers[fmt](io.StringIO(text), name)
    except ValidationError as exc:
        raise exc.located(name) from None


def check_article(article: Article) -> list[Discrepancy]:
    """Every figure of ``article`` that disagrees with the figures recomputed from its returns."""
    from electoral.check import check_article as check
    return check(article)


def check_paths(paths: Iterable[Path | str]) -> list[Discrepancy]:
    """Every disagreement in every file, in file order.

    Raises:
        NotFoundError: a file does not exist.
        ValidationError: a file cannot be read as an article or sample.
    """
    found: list[Discrepancy] = []
    for path in paths:
        found.extend(check_article(read_published(path)))
    return found


def list_checks(fmt: str = "text") -> str:
    """Every check ``electoral check`` runs, by the table kind it reads, with its rule: as text
    (one line a check) or json (a list of {name, table, rule})."""
    import json

    from electoral.check import list_checks as registered

    checks = registered()
    if fmt == "json":
        return json.dumps([{"name": c.name, "table": str(c.table), "rule": " ".join(c.rule.split())}
                           for c in checks], indent=2) + "\n"
    width = max(len(c.name) for c in checks)
    return "".join(f"{c.table:<10} {c.name:<{width}}  {' '.join(c.rule.split())}\n" for c in checks)


def render_check(found: Sequence[Discrepancy], fmt: str = "text") -> str:
    """The discrepancies as text or json."""
    from electoral.report.checks import render_check as render
    return render(found, fmt)


def has_errors(found: Sequence[Discrepancy]) -> bool:
    """Whether any discrepancy is worse than a rounding slip (the CLI then exits 1)."""
    from electoral.check import has_errors as worse
    return worse(found)


# ---- ranked choice -----------------------------------------------------------------------------


def rcv_config(config: Path | str, output: Path | str) -> list[Path]:
    """Count an RCTab contest config exactly as RCTab does and write its reports into
    ``output``; return the files written. Nothing is written unless the whole count succeeds.

    Raises:
        ValidationError: the config or a CVR file has problems (located by file and field).
    """
    from electoral.rcv import tabulate_config
    return tabulate_config(config, output)


def rcv_format(name: str) -> RcvFormat:
    """The round table format called ``name`` (text, md, wiki, html, csv, json or svg).

    Raises:
        ValidationError: no format has that name; the problem lists the choices.
    """
    return _choice(name, RcvFormat, "format")


def rcv_count(paths: Sequence[Path], *, seats: int | None = None,
              provider: Provider | str | None = None,
              overvote: OvervoteRule | str | None = None, tiebreak: Tiebreak | str | None = None,
              max_skipped: int | None = None, seed: int | None = None,
              contest: str | None = None, batch_elimination: bool | None = None,
              duplicate_rankings: str | None = None, continue_until_two: bool | None = None,
              rules: str | None = None, fmt: RcvFormat | str = RcvFormat.TEXT,
              audit: Path | None = None, save_config: Path | None = None,
              chart: Path | None = None) -> str:
    """A quick count of CVR files (layout found in each file unless ``provider`` says),
    rendered as a round-by-round table (``RcvFormat``: text, md, wiki, html, csv, json, svg).

    ``rules`` names a preset (``electoral.rcv.presets``); every other rule given here (not None)
    wins over it. ``duplicate_rankings`` is ``skip`` (the default) or ``exhaust``. With
    ``audit``, each ballot's path through the rounds is written there as Parquet; with
    ``save_config``, the RCTab config that counts the same way; with ``chart``, the SVG chart.
    ``seats`` above 1 count by STV; None takes a BLT file's own seat count (else 1).

    Raises:
        ValidationError: an unknown format, preset or rule value, a file with problems (file,
            ballot/line, field), or a count RCTab cannot re-run (``save_config``); nothing is
            written then.
    """
    from dataclasses import replace

    from electoral.rcv import QuickOptions, quick_count, render_rcv, write_audit

    form = rcv_format(str(fmt))
    options = QuickOptions(provider=provider, contest=contest, audit=audit is not None)
    if rules is not None:
        from electoral.rcv.presets import preset
        options = replace(options, **preset(rules).rules)
    given: dict[str, Any] = {"seats": seats, "max_skipped": max_skipped, "seed": seed,
             "batch_elimination": batch_elimination, "continue_until_two": continue_until_two,
             "overvote": None if overvote is None else _choice(overvote, OvervoteRule, "overvote"),
             "tiebreak": None if tiebreak is None else _choice(tiebreak, Tiebreak, "tiebreak")}
    if duplicate_rankings is not None:
        if duplicate_rankings not in ("skip", "exhaust"):
            raise ValidationError([Problem("unknown-choice", f"unknown duplicate-rankings rule "
                                           f"{duplicate_rankings!r}; choose skip or exhaust",
                                           field="duplicate_rankings")])
        given["exhaust_on_duplicate"] = duplicate_rankings == "exhaust"
    options = replace(options, **{k: v for k, v in given.items() if v is not None})
    result = quick_count(list(paths), options)
    text = render_rcv(result.tabulation, form, result.title, result.parties)
    if save_config is not None:  # (these modules load only when asked for: start-up counts)
        from electoral.rcv.session.save import save_config as write_config
        write_config(result, options, save_config)
    if chart is not None:
        from electoral.rcv.tables import render_svg
        _write_text(chart, render_svg(result.tabulation, result.title, result.parties))
    if audit is not None:
        write_audit(result, audit)
    return text


def _write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _choice(value: object, enum: type[E], field: str) -> E:
    """``enum(value)``, or a ``ValidationError`` listing the choices."""
    try:
        return enum(value)
    except ValueError:
        choices = ", ".join(str(m.value) for m in enum)
        raise ValidationError([Problem("unknown-choice", f"unknown {field} {value!r}; choose "
                                       f"from {choices}", field=field)]) from None
