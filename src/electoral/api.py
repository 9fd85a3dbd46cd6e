"""The library's front door: each operation the CLI and the server offer, as one function.

Each takes plain values and a store (anything with the ``ResultsStore`` methods; ``open_store``
opens the DuckDB one) and returns results: never prints, never exits. Only this module touches a
store; report, analyze and tabulate get loaded ``Returns``. Heavy modules (DuckDB, pyarrow, the
renderers) are imported inside the functions that use them, so importing ``electoral.api`` is
cheap and a command pays only for what it uses.

Every function may raise ``electoral.errors.ElectoralError`` subclasses; each says which.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from electoral.errors import NotFoundError, Problem, ValidationError
from electoral.formats import (
    ElectorsFormat,
    ExportFormat,
    ForecastFormat,
    MapKind,
    MapLevel,
    OutputFormat,
    Palette,
    PollsFormat,
    RcvFormat,
    TextOrJson,
)
from electoral.model import Candidate, Election, Returns, Unit, UnitKind

# The ranked-choice choices the CLI takes as option types (light modules: no reader, no numba).
from electoral.rcv.cvr.provider import Provider as Provider
from electoral.rcv.rules import OvervoteRule as OvervoteRule
from electoral.rcv.rules import Tiebreak as Tiebreak

if TYPE_CHECKING:
    from types import TracebackType

    from electoral.analyze.compare import Comparison
    from electoral.analyze.forecast import Forecast, StateResult
    from electoral.analyze.forecast_backtest import Backtest
    from electoral.analyze.history import Flips, History
    from electoral.analyze.polls import PollAverages
    from electoral.check import Discrepancy
    from electoral.columns import ReturnsTable
    from electoral.importing import ImportReport, Staged
    from electoral.importing_polls import PollFileReport
    from electoral.io import Format
    from electoral.model import Poll, Unit
    from electoral.night import Answer, Verdict
    from electoral.published import Article
    from electoral.report.tables import ResultsView
    from electoral.rla.compare import Comparison as AuditComparison
    from electoral.rla.compare import Planned
    from electoral.rla.macro import BatchCount, Batches
    from electoral.rla.sampler import Manifest
    from electoral.store import Addition, ElectionSummary, ImportRecord, StoredUnit
    from electoral.store_night import NightStore as NightStore
    from electoral.store_night import TokenRow
    from electoral.store_polls import PollFile, PollImport
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
    def save_polls(self, files: Sequence[PollFile]) -> list[PollImport]: ...
    def polls(self) -> list[tuple[str, list[Poll]]]: ...
    def poll_ids(self) -> dict[str, str]: ...
    def poll_imports(self) -> list[PollImport]: ...


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
                 dry_run: bool = False, encoding: str | None = None,
                 admit: Callable[[Sequence[Addition]], None] | None = None) -> ImportReport:
    """Read every file, run the import stage's rules over each of its elections (``io.stage``),
    put the files of one election together (per-county files add up; ``electoral.importing``
    says when a file may add to what is stored), and store everything in one transaction: a
    problem in any file stores nothing. ``dry_run`` (``audit-import``) stores nothing at all.
    ``aliases``: a ``spelling,candidate`` CSV of merges the user states; ``contest``: the contest
    title to read where a file has several; ``encoding``: the files' text encoding where it is
    not UTF-8 or UTF-16 with a BOM (``io.decode``). ``admit`` sees what is about to be stored
    and may refuse it by raising (``night.ingest``: a county-scoped token's counties).

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
    options = reading_options(election, aliases, contest, encoding)
    report = ImportReport(dry_run=dry_run)
    read = [one for path in paths for one in read_staged(path, chosen, options, report)]
    additions = _plan(store, read, report, replace=replace, skip_existing=skip_existing,
                      aliases=options.aliases)
    if dry_run or report.failed or not additions:
        return report
    if admit is not None:
        admit(additions)
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
            if decision.again:
                entry.notes.append({"file": one.file, "lines": [], "kind": "note", "detail": (
                    f"{one.file} was imported before (same name and sha256): its figures "
                    "replace the ones it stored then, they are not added again")})
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


def group(store: ResultsStore, election: str, path: Path | str
          ) -> tuple[Returns, dict[UnitKind, tuple[Unit, ...]]]:
    """Place a stored election's units in the counties, councils of government or districts a
    groupings CSV (``unit,kind,group[,fips]``) names, store the result, and return it with the
    units of the kinds it grouped that it left in no group, per group kind
    (``io.groupings.ungrouped``: a partial file leaves their votes in no county's row).

    Raises:
        NotFoundError: the election is not stored, or the file does not exist.
        ValidationError: the groupings file has problems (located by line and field).
        StoreError: the store could not write; nothing is changed.
    """
    from electoral.io import open_source
    from electoral.io.groupings import apply_groupings, read_groupings, ungrouped

    source = open_source(path)
    rows = read_groupings(source.stream(), source.name)
    before = store.load(election)
    grouped = apply_groupings(before, rows, source.name)
    store.save(grouped, source=f"{grouped.source} + {source.name}", sha256=source.sha256,
               format="groupings")
    return grouped, ungrouped(before, grouped, rows)


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
               progress: Progress | None = None, assume_complete: bool = False,
               forecast: Forecast | None = None) -> Path:
    """Write ``out/index.html`` (and its maps and data files) for a stored election; return the
    page's path. ``compare_with`` names an earlier election, ``"auto"`` picks the latest earlier
    stored one of the same state and office, ``None`` none. ``article``: the published figures
    of the election, for its ranked-choice round tables. ``assume_complete``: declare the winner
    and electors although units are missing. ``forecast``: an Electoral College forecast
    (``forecast``) the page shows in its own section, with its pictures and tables.

    Raises:
        NotFoundError: the election (or the one to compare with) is not stored.
        OutputError: a file of the page cannot be written.
    """
    from electoral.report.page import write_page as write

    returns = store.load(election)
    earlier_id = latest_earlier(store, returns) if compare_with == "auto" else compare_with
    earlier = store.load(earlier_id) if earlier_id else None
    return write(returns, out, earlier=earlier, article=article,
                 college=_national_college(store, returns), progress=progress,
                 assume_complete=assume_complete, forecast=forecast)


def publish(store: ResultsStore, public_dir: Path | str, *, keep: int = 20,
            extra: Mapping[str, Mapping[str, object]] | None = None) -> str:
    """Publish every stored election as a new immutable version under ``public_dir`` and point
    ``current_ver.txt`` at it (``report.public``: per election and level the report JSON with
    its ``sources``, CSV, the NIST SP 1500-100 JSON report, a map, and ``summary.json``);
    return the version id. The newest ``keep`` versions stay. ``extra``: per election id, keys
    added to its ``summary.json`` entry (a race call, a certified status).

    Raises:
        OutputError: a file cannot be written; the pointer still names the last whole version.
        ValueError: ``keep`` is below 1.
    """
    from electoral.importing import row_sources
    from electoral.report.public import Publication, publish_version
    from electoral.tabulate.rollup import available_levels

    publications = []
    for summary in store.elections():
        returns = store.load(summary.id)
        files = store.unit_sources(summary.id)
        updated = max((r.imported_at for r in store.imports(summary.id)), default=None)
        sources = {level: row_sources(returns, files, level) for level in available_levels(returns)}
        publications.append(Publication(returns, updated, sources, (extra or {}).get(summary.id, {})))
    return publish_version(Path(public_dir), publications, keep=keep)


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
    whose returns lack units unless ``assume_complete``, and every other kind draws such a state
    as incomplete, never won, unless ``assume_complete``. For a ``YEAR-US-office`` id not stored,
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
    return draw_map(_map_table(store, election, by), kind, earlier=earlier, palette=palette,
                    assume_complete=assume_complete)


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
            swing: str | None = None, *, assume_complete: bool = False) -> CollegeAnalysis:
    """The Electoral College of ``year`` from the stored state returns, with ``flip`` (``OH,FL``
    or ``NE-02``: those electors to the runner-up) and a uniform ``swing`` (``D+2``) applied.
    ``assume_complete`` declares a state's electors although units of it are missing (a source
    without a unit, as MEDSL's 2000 county file lacks Clifton Forge city, VA).

    Raises:
        NotFoundError: no apportionment covers ``year``, or a state's election is not stored.
        ValidationError: ``flip`` or ``swing`` cannot be read.
    """
    from electoral.tabulate.apportion import electors_for
    from electoral.tabulate.scenarios import Scenario, analyse, parse_flips, parse_swing

    electors_for(year)
    scenario = Scenario(parse_flips(flip), parse_swing(swing))
    return analyse(load_states(store, year, assume_complete=assume_complete), year, scenario)


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


# ---- polls ---------------------------------------------------------------------------------------


def import_polls(store: ResultsStore, paths: Sequence[Path], *, replace: bool = False,
                 skip_existing: bool = False) -> list[PollFileReport]:
    """Read 538 poll files (``read_polls``) and store their polls in one transaction
    (``electoral.importing_polls`` says what a file may replace): a bad row in any file, or a poll
    id another file holds without ``replace`` or ``skip_existing``, stores nothing.

    Returns:
        One ``PollFileReport`` per file, in order: polls and answers stored, whether the file
        replaced its own earlier import, the poll ids it replaced or skipped.

    Raises:
        NotFoundError: a file that is not there.
        ValidationError: every bad row of every file, located (file, line, column); every poll id
            already held by another file (``duplicate-poll``, at the poll's line); both
            ``replace`` and ``skip_existing``.
        StoreError: the store could not write; nothing is changed.
    """
    from electoral.importing_polls import plan_polls
    from electoral.io import open_source
    from electoral.io.polls import poll_file_format, read_poll_file
    from electoral.store_polls import PollFile

    read: list[tuple[str, tuple[Poll, ...], str, str]] = []
    problems: list[Problem] = []
    for path in paths:
        source = open_source(path)
        try:
            fmt = poll_file_format(source.stream().readline())
            read.append((source.name, read_poll_file(source.stream(), source.name), source.sha256,
                         fmt))
        except ValidationError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ValidationError(problems)
    planned = plan_polls([(name, polls) for name, polls, _sha, _fmt in read], store.poll_ids(),
                         replace=replace, skip_existing=skip_existing)
    store.save_polls([PollFile(p.source, sha, fmt, p.polls, p.drop)
                      for p, (_n, _polls, sha, fmt) in zip(planned, read, strict=True)])
    return [p.report for p in planned]


def stored_polls(store: ResultsStore, state: str | None = None, pollster: str | None = None,
                 as_of: dt.date | None = None) -> list[Poll]:
    """The stored polls, file by file in the order first imported, each file's in its order:
    only those of ``state`` (a USPS code or a district such as ``ME-02``), of a ``pollster`` whose
    name contains the text given (any case), and ending by ``as_of``, where given.

    Raises:
        NotFoundError: no poll is stored, or none passes the filters (the message says which).
    """
    files = store.polls()
    polls = [p for _source, of_file in files for p in of_file]
    if not polls:
        raise NotFoundError("no poll is stored; `electoral polls import FILE` stores a 538 poll "
                            "file (president_polls.csv or raw-polls.csv)")
    wanted = state.upper() if state else None
    chosen = [p for p in polls if (wanted is None or p.geography == wanted)
              and (pollster is None or pollster.casefold() in p.pollster.name.casefold())
              and (as_of is None or p.end <= as_of)]
    if not chosen:
        said = ", ".join(f"{k} {v}" for k, v in (("state", state), ("pollster", pollster),
                                                ("ending by", as_of)) if v is not None)
        raise NotFoundError(f"no stored poll with {said} ({len(polls):,} polls stored)")
    return chosen


def render_poll_list(polls: Sequence[Poll], fmt: PollsFormat | str = "text") -> str:
    """Polls one row per question (``electoral.report.polls.render_poll_list``): text, json, csv, md.

    Raises:
        ValueError: for a format ``PollsFormat`` does not name.
    """
    from electoral.report.polls import render_poll_list as render

    return render(polls, fmt)


def poll_averages(paths: Sequence[Path], state: str | None = None,
                  as_of: dt.date | None = None, *,
                  store: ResultsStore | None = None) -> PollAverages:
    """Each geography's weighted poll average and each pollster's house effect
    (``electoral.analyze.polls.poll_averages``) from 538 poll files (``president_polls.csv`` or
    ``raw-polls.csv``, told apart by their header), or, with no ``paths``, from the polls in
    ``store``: the polls of one presidential election, the one ``as_of`` (default: the last poll's
    end) looks to, from the first file (given or stored) with any (``_one_election``). With
    ``state`` (a USPS code or a district such as ``ME-02``) only that geography and the pollsters
    that polled it are kept; house effects are still estimated from every poll of the election.

    Raises:
        NotFoundError: a file that is not there, no poll stored (no ``paths``), no poll of
            ``state``, or no poll ending by ``as_of`` with both a Democratic and a Republican share.
        ValidationError: every bad row of every file, located (file, line, column).
    """
    from dataclasses import replace

    from electoral.analyze.polls import poll_averages as average

    if paths or store is None:
        files = read_poll_files(paths)
    else:
        files = [polls for _source, polls in store.polls()]
        if not files:
            stored_polls(store)  # raises: nothing stored, and what to do
    polls = _one_election(files, as_of)
    try:
        result = average(polls, as_of)
    except ValueError as exc:
        raise NotFoundError(f"{exc}: nothing to average") from None
    if state is None:
        return result
    wanted = state.upper()
    states = tuple(s for s in result.states if s.geography == wanted)
    if not states:
        raise NotFoundError(f"no poll of {state} (geographies polled: "
                            f"{', '.join(s.geography for s in result.states)})")
    pollsters = {w.pollster for w in states[0].weights}
    return replace(result, states=states,
                   house_effects=tuple(h for h in result.house_effects if h.pollster in pollsters))


def _one_election(files: Sequence[Sequence[Poll]], as_of: dt.date | None) -> list[Poll]:
    """The polls of one presidential election, the one ``as_of`` (default: the last poll's end)
    looks to (``analyze.forecast_fit.presidential_year``), from the first of ``files`` with any
    poll of it — as ``forecast`` takes a year's polls. raw-polls (and a store) hold 2000–2020:
    an earlier election's polls would count among a state's polls and skew the house effects,
    though their recency weight is nil; and a poll of two files (538 keeps one id) would count
    twice."""
    from electoral.analyze.forecast_fit import presidential_year

    ends = [p.end for polls in files for p in polls]
    if not ends:
        return []
    cycle = presidential_year(as_of or max(ends))
    for polls in files:
        chosen = [p for p in polls if presidential_year(p.end) == cycle]
        if chosen:
            return chosen
    return []


def render_polls(averages: PollAverages, fmt: PollsFormat | str = "text") -> str:
    """Poll averages as ``electoral.report.polls.render_polls`` renders them (text, json, csv).

    Raises:
        ValueError: for a format ``PollsFormat`` does not name.
    """
    from electoral.report.polls import render_polls as render

    return render(averages, fmt)


# ---- forecast ------------------------------------------------------------------------------------


def read_polls(paths: Sequence[Path]) -> list[Poll]:
    """Every poll of 538 poll files (``president_polls.csv`` or ``raw-polls.csv``, told apart by
    their header), in file order.

    Raises:
        NotFoundError: a file that is not there.
        ValidationError: every bad row of every file, located (file, line, column).
    """
    return [poll for polls in read_poll_files(paths) for poll in polls]


def read_poll_files(paths: Sequence[Path]) -> list[list[Poll]]:
    """The polls of each of ``paths`` (as ``read_polls``), file by file.

    Raises:
        NotFoundError, ValidationError: as ``read_polls``: every bad row of every file.
    """
    from electoral.io import open_source
    from electoral.io.polls import read_poll_file

    files: list[list[Poll]] = []
    problems: list[Problem] = []
    for path in paths:
        source = open_source(path)
        try:
            files.append(list(read_poll_file(source.stream(), source.name)))
        except ValidationError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ValidationError(problems)
    return files


class StoredPast:
    """The forecast's ``PastElections`` over a results store and poll files: a year's results are
    the stored presidential returns of its 51 elections (Democratic and Republican tickets as
    ``electoral.tabulate.electors.unify`` finds them); a year's polls come from the first file
    that has any poll for that year (so a year's own poll file wins over raw-polls' rows of it)."""

    def __init__(self, store: ResultsStore, files: Sequence[Sequence[Poll]]) -> None:
        from electoral.analyze.forecast_fit import presidential_year

        self._store = store
        self._polls: dict[int, list[Poll]] = {}
        for polls in files:
            by_year: dict[int, list[Poll]] = {}
            for poll in polls:
                by_year.setdefault(presidential_year(poll.end), []).append(poll)
            for year, found in by_year.items():
                self._polls.setdefault(year, found)
        self._results: dict[int, dict[str, StateResult]] = {}
        self._years: list[int] | None = None

    def years(self) -> list[int]:
        from electoral.tabulate.nation import state_ids

        if self._years is None:
            stored = {e.id for e in self._store.elections()}
            self._years = [y for y in range(1976, 2101, 4) if stored.issuperset(state_ids(y))]
        return self._years

    def polls(self, year: int) -> list[Poll]:
        return self._polls.get(year, [])

    def poll_years(self) -> list[int]:
        return sorted(self._polls)

    def results(self, year: int) -> dict[str, StateResult]:
        from electoral.analyze.forecast import StateResult
        from electoral.tabulate.electors import require_stored, state_votes, unify
        from electoral.tabulate.nation import state_ids

        if year not in self._results:
            ids = state_ids(year)
            if year not in self.years():
                require_stored(year, [i for i in ids if not self._store.has(i)])
            states = unify(state_votes(r) for r in self._store.load_many(ids))
            self._results[year] = {
                sv.state: StateResult(int(sv.votes.get("democratic", 0)),
                                      int(sv.votes.get("republican", 0)), sv.total)
                for sv in states}
        return self._results[year]


def _poll_files(store: ResultsStore, paths: Sequence[Path]) -> tuple[list[list[Poll]], str]:
    """The polls of each of ``paths``, or with none, of each file stored (in the order first
    imported), and how to name where they came from.

    Raises:
        NotFoundError, ValidationError: as ``read_polls``; no path given and no poll stored.
    """
    if paths:
        return read_poll_files(paths), ", ".join(map(str, paths))
    stored = store.polls()
    if not stored:
        raise NotFoundError("no poll file given (--polls) and no poll stored; `electoral polls "
                            "import FILE` stores one")
    return [polls for _source, polls in stored], f"the stored polls ({', '.join(s for s, _ in stored)})"


def _college_shape(year: int) -> tuple[dict[str, int], dict[str, int]]:
    """Electors per state and the districts of each district-method state, for ``year``."""
    from electoral.tabulate.apportion import electors_for
    from electoral.tabulate.electors import AT_LARGE, uses_district_method

    electors = electors_for(year)
    return electors, {s: n - AT_LARGE for s, n in electors.items() if uses_district_method(s, year)}


def forecast(store: ResultsStore, paths: Sequence[Path], year: int | None = None,
             as_of: dt.date | None = None, simulations: int = 100_000, seed: int = 0) -> Forecast:
    """The Electoral College forecast of ``year`` (default: the latest year the poll files cover)
    from its polls ending by ``as_of`` (the poll files ``paths``, or with none the polls stored by
    ``import_polls``, file by file in the order first imported: a year's polls come from the first
    file with any for it), the prior from the stored results of the election before,
    and parameters fit on the stored results and polls of earlier elections
    (``electoral.analyze.forecast_fit``).

    Raises:
        NotFoundError: a file that is not there, no poll of ``year``, no apportionment for
            ``year``, or a stored election the forecast needs is missing.
        ValidationError: a bad row of a poll file, or too little past data to fit on (the
            message says what is missing).
    """
    from electoral.analyze.forecast_fit import forecast_year

    files, where = _poll_files(store, paths)
    past = StoredPast(store, files)
    year = year or max(past.poll_years(), default=0)
    polls = past.polls(year)
    if not polls:
        raise NotFoundError(f"no poll of the {year} election in {where}")
    electors, districts = _college_shape(year)
    try:
        return forecast_year(past, year, polls, electors, districts, as_of=as_of,
                             simulations=simulations, seed=seed)
    except ValueError as exc:
        raise ValidationError([Problem("forecast", f"{year}: {exc}")]) from None


def election_forecast(store: ResultsStore, election: str, as_of: dt.date | None = None,
                      simulations: int = 100_000, seed: int = 0) -> Forecast:
    """The forecast (``forecast``, from the stored polls) of a presidential election's year, for
    its page.

    Raises:
        ValidationError: ``election`` is not an election id, or not a presidential election (the
            forecast is of the Electoral College); as ``forecast``.
        NotFoundError: as ``forecast``.
    """
    chosen = Election.from_id(election)
    if chosen.office != "president":
        raise ValidationError([Problem("forecast", f"{election} is not a presidential election: "
                                       "the forecast is of the Electoral College", field="forecast")])
    return forecast(store, [], chosen.year, as_of, simulations, seed)


def backtest(store: ResultsStore, paths: Sequence[Path], years: Sequence[int] = (2008, 2012, 2016, 2020),
             as_of: Mapping[int, dt.date] | None = None, simulations: int = 100_000,
             seed: int = 0) -> Backtest:
    """Each of ``years`` forecast from its polls (ending by ``as_of[year]``, default election day)
    with parameters fit on earlier years only, scored against the stored results with the plain
    baseline beside it (``electoral.analyze.forecast_backtest``).

    Raises:
        NotFoundError: as ``forecast``; a year without polls.
        ValidationError: as ``forecast``.
    """
    from electoral.analyze.forecast_backtest import backtest as pooled
    from electoral.analyze.forecast_backtest import score_year
    from electoral.analyze.forecast_fit import election_day

    files, where = _poll_files(store, paths)
    past = StoredPast(store, files)
    scores = []
    for year in years:
        polls = past.polls(year)
        if not polls:
            raise NotFoundError(f"no poll of the {year} election in {where}")
        electors, districts = _college_shape(year)
        day = (as_of or {}).get(year) or election_day(year)
        try:
            scores.append(score_year(past, year, polls, electors, districts, day,
                                     simulations=simulations, seed=seed))
        except ValueError as exc:
            raise ValidationError([Problem("backtest", f"{year}: {exc}")]) from None
    return pooled(scores)


def render_forecast(result: Forecast, fmt: ForecastFormat | str = "text") -> str:
    """A forecast as ``electoral.report.forecast.render_forecast`` renders it (text, json, csv, md).

    Raises:
        ValueError: for a format ``ForecastFormat`` does not name.
    """
    from electoral.report.forecast import render_forecast as render

    return render(result, fmt)


def render_backtest(result: Backtest, fmt: ForecastFormat | str = "text") -> str:
    """A back-test as ``electoral.report.forecast.render_backtest`` renders it.

    Raises:
        ValueError: for a format ``ForecastFormat`` does not name.
    """
    from electoral.report.forecast import render_backtest as render

    return render(result, fmt)


def backtest_figures(result: Backtest, out: Path) -> list[Path]:
    """Write the back-test's calibration chart into the folder ``out`` (SVG, and PNG when cairo is
    installed); returns the files written."""
    from electoral.report.forecast_charts import write_calibration

    return write_calibration(result, out)


def forecast_figures(result: Forecast, paths: Sequence[Path], out: Path,
                     states: Sequence[str] = (), *, store: ResultsStore | None = None) -> list[Path]:
    """Write the forecast's pictures into the folder ``out`` (made if missing): the electoral-vote
    histogram, the state probability map and, for each of ``states`` (default: the five closest),
    its poll average over time with the polls behind it (from ``paths``, or with none the polls
    in ``store``). SVG, and PNG beside each when cairo is installed. Returns the files written.

    Raises:
        NotFoundError, ValidationError: as ``read_polls``; as ``stored_polls``.
    """
    from electoral.analyze.forecast_fit import presidential_year
    from electoral.report.forecast_charts import write_figures

    polls = [p for p in (read_polls(paths) if paths or store is None else stored_polls(store))
             if presidential_year(p.end) == result.year]
    return write_figures(result, polls, out, states)


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
               level: UnitKind = UnitKind.COUNTY) -> Flips:
    """``(earlier, later, comparison)`` for each pair of consecutive stored presidential
    elections of ``state`` with units at ``level`` (iterate the result), and the years skipped
    for having none (``skipped``)."""
    from electoral.analyze.history import every_flip as pairs
    return pairs(_presidential(store, state.upper()), level)


def render_history(found: History, fmt: str = "text") -> str:
    """``found`` as text or json."""
    from electoral.report.history import render_history as render
    return render(found, fmt)


def render_flips(state: str, pairs: Flips, fmt: str = "text") -> str:
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


# ---- election night (issue 12; the work is in electoral.night and electoral.night_view) ----------


def open_night_store(path: Path | str | None = None, *, write: bool = False) -> NightStore:
    """``open_store`` with the election-night tables (tokens, audit log, uploads, versions,
    calls, certifications): made on a write open, read as empty from an older store.

    Raises:
        NotFoundError, StoreError: as ``open_store``.
    """
    from electoral.store import default_path
    from electoral.store_night import NightStore

    return NightStore(Path(path) if path is not None else default_path(), read_only=not write)


def store_path(path: Path | str | None = None) -> Path:
    """``path``, or the default store's (``$ELECTORAL_DB``, else ``./electoral.duckdb``)."""
    from electoral.store import default_path
    return Path(path) if path is not None else default_path()


def served_by(path: Path | str | None) -> str | None:
    """The address of the ``electoral serve`` that holds the store at ``path``, from the note it
    leaves beside the store while it serves (``None``: no note)."""
    from electoral.night import served_by as note
    return note(store_path(path))


def add_token(store: NightStore, name: str, role: str, scope: Sequence[str] = ()) -> str:
    """``night.add_token``: a new token, returned once; only its argon2id hash is stored.

    Raises:
        ValidationError: an unknown role, a bad scope or name, or a name already taken.
    """
    from electoral.night import add_token as add
    return add(store, name, role, scope)


def tokens(store: NightStore) -> list[TokenRow]:
    """Every token (name, role, scope, when made, when revoked); never a secret."""
    return store.tokens()


def revoke_token(store: NightStore, name: str) -> None:
    """``night.revoke_token``.

    Raises:
        NotFoundError: no live token has that name.
    """
    from electoral.night import revoke_token as revoke
    revoke(store, name)


def authenticate(store: NightStore, authorization: str | None, need: str, *, action: str,
                 election: str | None = None) -> str:
    """``night.authenticate``: the name of the live token of an ``Authorization: Bearer``
    header whose role is ``need`` (or admin); a refusal is logged first. The server calls it
    before it reads an upload's body, so a stranger's upload costs nothing but its headers.

    Raises:
        NightError: Unauthorized (no, unknown, wrong or revoked token), Forbidden (other role).
    """
    from electoral.night import authenticate as check
    return check(store, authorization, need, action=action, election=election).name


def ingest(store: NightStore, data: bytes | None, name: str | None, election: str | None = None,
           *, authorization: str | None, key: str | None = None, replace: bool = False,
           limit: int | None = None, size: int | None = None) -> Answer:
    """``night.ingest`` of one uploaded returns file through ``import_paths``.

    Raises:
        NightError (Unauthorized, Forbidden, Conflict, TooLarge, Rejected), ValidationError:
            as ``night.ingest``; nothing is changed but the audit log's refusal entry.
    """
    from electoral.night import MAX_UPLOAD
    from electoral.night import ingest as take
    return take(store, data, name, election, authorization=authorization, key=key,
                replace=replace, importer=import_paths,
                limit=MAX_UPLOAD if limit is None else limit, size=size)


def call_race(store: NightStore, election: str, candidate: str, basis: str, *,
              authorization: str | None) -> Answer:
    """``night.call_race``: record who called ``election`` for ``candidate``, when, on what basis.

    Raises:
        NightError, NotFoundError, ValidationError: as ``night.call_race``.
    """
    from electoral.night import call_race as call
    return call(store, election, candidate, basis, authorization=authorization)


def certify(store: NightStore, election: str, *, authorization: str | None) -> Answer:
    """``night.certify``: certify an election every unit of which reports.

    Raises:
        NightError, NotFoundError: as ``night.certify``.
    """
    from electoral.night import certify as sign
    from electoral.tabulate.coverage import coverage

    return sign(store, election, authorization=authorization,
                missing=lambda e: coverage(store.load(e)).line())


def set_expected(store: NightStore, election: str, data: bytes, name: str | None, *,
                 authorization: str | None, limit: int | None = None) -> Answer:
    """``night.set_expected``: the expected vote of ``election`` from a ``unit,votes`` CSV.

    Raises:
        NightError, NotFoundError, ValidationError: as ``night.set_expected``.
    """
    from electoral.night import MAX_UPLOAD
    from electoral.night import set_expected as expect
    return expect(store, election, data, name, authorization=authorization,
                  limit=MAX_UPLOAD if limit is None else limit)


def night_status(store: NightStore, election: str) -> dict[str, object]:
    """The race on election night (``night_view.night_document``): status, units reporting of
    expected, vote types, expected vote (stored, else the latest earlier stored election's
    votes) and share counted, call, certification, and a winner only once called or complete.

    Raises:
        ValidationError: ``election`` is not an election id.
        NotFoundError: the election is not stored.
    """
    from electoral.night_view import Call, Certified, expected_from, night_document

    Election.from_id(election)
    returns = store.load(election)
    expected, source = store.expected(election)
    if not expected and (earlier := latest_earlier(store, returns)) is not None:
        expected, source = expected_from(store.load(earlier), returns), earlier
    called, signed = store.call(election), store.certification(election)
    return night_document(
        returns, version=store.version(), expected=expected, expected_source=source,
        call=None if called is None else Call(called.candidate_id, called.basis, called.called_by,
                                              called.called_at),
        certified=None if signed is None else Certified(signed.certified_by, signed.certified_at,
                                                        signed.results))


def called_results(store: NightStore, election: str, level: UnitKind | str = UnitKind.STATE,
                   earlier: str | None = None) -> dict[str, object]:
    """``results_document`` of ``results``, where a race call declares the winner that missing
    units withhold (``winner.called`` true).

    Raises:
        ValidationError, NotFoundError: as ``results``.
    """
    from electoral.night_view import Call, winner

    tabulation, view = _results(store, election, level, earlier, "all", False)
    document = results_document(view)
    called = store.call(election)
    if document.get("winner") is None and called is not None:
        document["winner"] = winner(tabulation.returns, tabulation, Call(
            called.candidate_id, called.basis, called.called_by, called.called_at))
    return document


def audit_verify(store: NightStore, rebuild: bool = False) -> Verdict:
    """Check the audit chain (``night.verify``); with ``rebuild``, also re-import every logged
    upload into a scratch store in memory and compare the results (``night.rebuild``)."""
    from electoral.night import rebuild as again
    from electoral.night import verify
    from electoral.store import MEMORY
    from electoral.store_night import NightStore

    verdict = verify(store.audit_rows())
    if not verdict.ok or not rebuild:
        return verdict
    scratch = NightStore(MEMORY)
    try:
        return again(store, scratch, import_paths)
    finally:
        scratch.close()


def audit_log(store: NightStore, fmt: TextOrJson | str = "text") -> str:
    """The audit log as text (one line an entry) or json (the entries, each with its hash)."""
    import json

    entries = [json.loads(text) | {"hash": digest} for _, text, digest in store.audit_rows()]
    if str(fmt) == "json":
        return json.dumps(entries, indent=2, ensure_ascii=False) + "\n"
    return "".join(f"{e['seq']:>5} {e['time']} {e['token'] or '-':<12} {e['action']:<16} "
                   f"{e['election'] or '-'} {(e['file_sha256'] or '')[:12]} {e['hash'][:12]}\n"
                   for e in entries)


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


def rcv_rankings(paths: Sequence[Path | str], *, provider: Provider | str | None = None
                 ) -> tuple[tuple[str, ...], dict[tuple[int, ...], int]]:
    """The CVR files of one contest as a quick count reads them (format from each name unless
    ``provider`` says): the candidates, and each distinct ballot's meaning in a single-winner
    count under the default rules — the candidates it ranks, in order, each once, cut at its first
    overvote — as indices into the candidates, with how many ballots have it.

    Raises:
        ValidationError: no files, an unknown format, or every problem in every file (file,
            ballot/line, field).
        NotFoundError: a file is missing or unreadable.
    """
    from electoral.rcv import QuickOptions, read_rankings

    return read_rankings([Path(p) for p in paths], QuickOptions(provider=provider))


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


# ---- risk-limiting audits: rla (electoral.rla takes values; these read files and the store) ----

def rla_stored_contest(store: ResultsStore, election: str) -> tuple[dict[str, int], int | None]:
    """The statewide votes of a stored election for an audit (candidate name → votes) and the
    ballots cast in the state when its returns say (else None: the caller must be told them, as
    an audit's margins are diluted over every ballot, undervotes included).

    Raises:
        ValidationError: the election id is malformed, or a count is withheld (an audit needs
            exact votes).
        NotFoundError: the election is not stored.
    """
    return _statewide(tabulate(store, election, UnitKind.STATE), election)


def _statewide(table: Tabulation, election: str) -> tuple[dict[str, int], int | None]:
    if not table.total.exact:
        raise ValidationError([Problem("withheld_counts", f"{election}: some counts are withheld; "
                                       "an audit needs every vote", field="election")])
    names = {c.id: c.name or c.id for c in table.columns}
    states = {u.id for u in table.returns.units if u.kind is UnitKind.STATE}
    cast = [f.ballots_cast for f in table.returns.facts if f.unit in states and f.ballots_cast]
    return {names[cid]: table.total.of(cid) for cid in names}, (cast[0] if len(cast) == 1 else None)


# The geographic levels that can serve as MACRO batches, finest first.
_BATCH_LEVELS = (UnitKind.PRECINCT, UnitKind.TOWN, UnitKind.COUNTY)


def rla_election_contests(store: ResultsStore, election: str, *, ballots: int | None = None,
                          winners: int = 1, counties: bool = True
                          ) -> tuple[list[Planned], list[tuple[str, str]]]:
    """A stored election's contests for the planner comparison, and those left out with why.

    The statewide contest first, then with ``counties`` each county's own result as a contest.
    Batches for MACRO are the finest stored geographic units (precinct, town, county) whose
    counts are exact and that hold no adjustment row, within the contest; a batch's ballots are
    its ballots cast when every batch's are stored (and cover its votes), else its votes counted.
    A county with no votes is skipped; one without finer units has no batches. A contest's
    ballots (``ballots_from``): ``ballots`` when given (statewide), else the unit's stored ballots
    cast, else the sum of its batches' ballots cast, else its votes counted (an audit then
    understates the undervotes, and says so).

    Raises:
        ValidationError: a malformed election id, a withheld statewide count, or bad ``winners``.
        NotFoundError: the election is not stored.
    """
    from electoral.rla.compare import Planned
    from electoral.rla.contest import make_contest
    from electoral.tabulate.rollup import roll_up

    Election.from_id(election)
    returns = store.load(election)
    state = roll_up(returns, UnitKind.STATE)
    votes, cast = _statewide(state, election)
    names = {c.id: c.name or c.id for c in state.columns}
    tables = {}
    for kind in _BATCH_LEVELS:
        try:
            tables[kind] = roll_up(returns, kind)
        except NotFoundError:
            continue
    finest = next((k for k in _BATCH_LEVELS if k in tables and all(
        r.exact and not r.unit.adjustment and min(r.votes.values(), default=0) >= 0
        for r in tables[k].rows)), None)
    batches, batch_cast = _batches(tables[finest], names) if finest else ({}, False)
    by_county = _by_county(returns, tables[finest], batches) if finest else {}

    def cast_in(stored: int | None, held: Mapping[str, BatchCount], total: int) -> tuple[int, str]:
        if stored:
            return stored, "ballots cast"
        if held and batch_cast:
            return sum(c.ballots or 0 for c in held.values()), f"ballots cast ({finest} sum)"
        return total, "votes counted"

    counted, source = (ballots, "given") if ballots else cast_in(cast, batches,
                                                                  sum(votes.values()))
    planned = [Planned(make_contest(votes, counted, winners, state.total.unit.name), "state",
                       source, batches or None, finest.value if finest else None)]
    skipped: list[tuple[str, str]] = []
    if counties and UnitKind.COUNTY in tables:
        facts = {f.unit: f.ballots_cast for f in returns.facts if f.ballots_cast}
        for row in tables[UnitKind.COUNTY].rows:
            if not row.total or not row.exact:
                skipped.append((row.unit.name, "no votes" if row.exact else "withheld counts"))
                continue
            held = by_county.get(row.unit.id, {})
            counted, source = cast_in(facts.get(row.unit.id), held, row.total)
            planned.append(Planned(
                make_contest({names[c]: row.of(c) for c in names}, counted, winners,
                             row.unit.name),
                "county", source, held or None, finest.value if held and finest else None))
    return planned, skipped


def _by_county(returns: Returns, table: Tabulation, batches: Mapping[str, BatchCount]
               ) -> dict[str, dict[str, BatchCount]]:
    """County id → the batches (``table``'s rows, named as ``_batches`` names them) inside it;
    empty when the batches are the counties themselves."""
    if table.level is UnitKind.COUNTY:
        return {}
    units = {u.id: u for u in returns.units}
    level_names = [r.unit.name for r in table.rows]
    found: dict[str, dict[str, BatchCount]] = {}
    for row in table.rows:
        at: str | None = row.unit.parent
        while at is not None and at in units and units[at].kind is not UnitKind.COUNTY:
            at = units[at].parent
        if at is not None:
            name = _batch_name(row.unit, level_names)
            found.setdefault(at, {})[name] = batches[name]
    return found


def _batches(table: Tabulation, names: Mapping[str, str]) -> tuple[dict[str, BatchCount], bool]:
    """Each row of ``table`` as a batch (by name), and whether their ballots are ballots cast."""
    from electoral.rla.macro import BatchCount

    facts = {f.unit: f.ballots_cast for f in table.returns.facts if f.ballots_cast}
    cast = all((facts.get(r.unit.id) or -1) >= r.total for r in table.rows)
    seen = [r.unit.name for r in table.rows]
    return {_batch_name(r.unit, seen): BatchCount({names[c]: r.of(c) for c in names},
                                                  facts[r.unit.id] if cast else r.total, 0)
            for r in table.rows}, cast


def _batch_name(unit: Unit, names: Sequence[str]) -> str:
    """A unit's name as a batch, with its id where another unit of the level has the name."""
    return unit.name if names.count(unit.name) == 1 else f"{unit.name} ({unit.id})"


def rla_compare(store: ResultsStore, election: str, risk_limit: float, *,
                ballots: int | None = None, winners: int = 1, counties: bool = True,
                gamma: float | None = None,
                rates: Sequence[float] | None = None) -> AuditComparison:
    """The planner comparison (``electoral.rla.compare``) of every contest of a stored election
    (``rla_election_contests``) at ``risk_limit``; γ and the discrepancy rates default to
    SuperSimple's (1.03905; 0.001, 0.0001, 0.001, 0.0001).

    Raises:
        ValidationError: as ``rla_election_contests``, a risk limit outside (0, 1), or γ not
            above 1.
        NotFoundError: the election is not stored.
    """
    from electoral.rla import comparison
    from electoral.rla.compare import compare

    planned, skipped = rla_election_contests(store, election, ballots=ballots, winners=winners,
                                             counties=counties)
    return compare(planned, risk_limit, gamma=gamma or comparison.GAMMA,
                   rates=rates or comparison.DEFAULT_RATES, source=election, skipped=skipped)


def rla_compare_chart(found: AuditComparison, out: Path | str) -> Path:
    """Write the chart of ballots to audit against margin (``electoral.report.rla_chart``) for
    ``found`` to ``out`` (SVG). The curves are for a contest of the largest contest's ballots
    and, when that contest has batches, batches of its mean ballots per batch.

    Raises:
        OutputError: ``out`` cannot be written.
    """
    from electoral.io.outfile import write_file
    from electoral.report.rla_chart import sample_size_chart
    from electoral.rla.compare import curves

    largest = max(found.rows, key=lambda r: r.planned.contest.ballots)
    held = largest.planned.batches
    per_batch = None
    if held:
        per_batch = max(1, round(sum(c.ballots or 0 for c in held.values()) / len(held)))
    ballots = largest.planned.contest.ballots
    margins = [float(r.margin) for r in found.rows if r.margin > 0]
    lowest = max(min([*margins, 0.01]) / 2, 1 / ballots)
    drawn = curves(found.risk_limit, ballots, batch_ballots=per_batch, gamma=found.gamma,
                   rates=found.rates, lowest=lowest)
    path = Path(out)
    write_file(path, sample_size_chart(found, drawn, ballots=ballots, batch_ballots=per_batch))
    return path


def rla_manifest(path: Path | str) -> Manifest:
    """A ballot manifest read from ``path`` (``electoral.rla.sampler.Manifest``).

    Raises:
        ValidationError: the file cannot be read, or bad rows (file, line, field).
    """
    from electoral.rla.sampler import read_manifest

    return read_manifest(_read_bytes(Path(path)), str(path))


def rla_batches(path: Path | str, *, with_ballots: bool = True) -> Batches:
    """A MACRO batch file (``batch,contest,candidate,votes,ballots``), or with ``with_ballots``
    False the hand counts of audited batches (no ``ballots`` column).

    Raises:
        ValidationError: the file cannot be read, or bad rows (file, line, field).
    """
    from electoral.rla.macro import read_batches

    return read_batches(_read_bytes(Path(path)), str(path), with_ballots=with_ballots)


def rla_record(path: Path | str, *, check: bool) -> dict[str, object] | list[str]:
    """An audit record from ``path`` (JSON): with ``check``, verify every derived field and return
    what was checked; else return the record with its derived fields filled in. Manifests named
    in the record are read relative to the record's folder.

    Raises:
        ValidationError: the file cannot be read or is not JSON, a malformed record, or (``check``)
            the first derived field that disagrees, named by its path in the record.
    """
    import json

    from electoral.rla import record

    where = Path(path)
    try:
        document = json.loads(_read_bytes(where))
    except ValueError as exc:
        raise ValidationError([Problem("not_json", f"not JSON: {exc}", source=str(path))]) from None
    if not isinstance(document, dict):
        raise ValidationError([Problem("not_record", "an audit record is a JSON object",
                                       source=str(path))])

    def read(name: str) -> bytes:
        return _read_bytes(where.parent / name)

    return record.verify(document, read) if check else record.complete(document, read)


def rla_raire(inputs: Sequence[Path | str], *, audit: str | None = None,
              risk_limit: float | None = None, gamma: float | None = None,
              total: int | None = None, winner: str | None = None,
              provider: Provider | str | None = None) -> dict[str, object]:
    """RAIRE's assertions and difficulty (``electoral.rla.raire``; Blom, Stuckey and Teague 2019)
    for RAIRE problem files (JSON, one contest each) or the CVR files of one contest, read as
    ``electoral rcv`` reads them (format from each name unless ``provider`` says; the default
    rules: overvotes exhaust, skipped ranks are passed over). The options override what a
    problem file says; defaults OneOnMargin, α 0.05, γ 1.03905, N the ballots read. One contest
    gives its document; several problem files ``{"contests": [{"source": …, …}, …]}``.

    Raises:
        ValidationError: no input, problem files mixed with CVRs, a malformed problem (file and
            field), a CVR problem (file, ballot, field), an unknown audit type, a risk limit
            outside (0, 1), γ not above 0, or a declared winner the count does not elect (both
            named), or a winner that rests on a tie.
        NotFoundError: a CVR file is missing or unreadable.
    """
    from electoral.rla import raire

    paths = [Path(p) for p in inputs]
    if not paths:
        raise ValidationError([Problem("no_input", "name a RAIRE problem or CVR files",
                                       field="INPUT")])
    kind = _choice(audit.lower(), raire.AuditType, "audit") if audit is not None else None
    if risk_limit is not None and not 0 < risk_limit < 1:
        raise ValidationError([Problem("bad_risk_limit", f"risk limit {risk_limit} must be a "
                                       "fraction between 0 and 1", field="risk-limit")])
    if gamma is not None and not gamma > 0:
        raise ValidationError([Problem("bad_gamma", f"γ {gamma} must be above 0", field="gamma")])

    def settle(contest: raire.Contest, file: raire.RaireProblem | None,
               source: str) -> dict[str, object]:
        chosen = raire.Audit(
            kind or (file.kind if file and file.kind else raire.AuditType.ONE_ON_MARGIN),
            risk_limit or (file.risk_limit if file and file.risk_limit else raire.ALPHA),
            gamma or (file.gamma if file and file.gamma else raire.GAMMA),
            total or (file.total if file else None))
        if winner is not None:
            contest = raire.contest_of(contest.candidates, dict(zip(contest.ballots,
                                                                    contest.counts, strict=True)),
                                       winner, source)
        return raire.document(contest, raire.solve(contest, chosen, source), chosen)

    if provider is None:
        datas = [_read_bytes(p) if p.suffix.lower() == ".json" else None for p in paths]
        problems = [d for d in datas if d and raire.looks_like_problem(d)]
        if problems and len(problems) < len(paths):
            raise ValidationError([Problem("mixed_inputs", "give RAIRE problem files or the CVR "
                                           "files of one contest, not both", field="INPUT")])
        if problems:
            found = []
            for path, data in zip(paths, problems, strict=True):
                read = raire.read_problem(data, str(path))
                found.append({"source": str(path), **settle(read.contest, read, str(path))})
            if len(found) == 1:
                found[0].pop("source")
                return found[0]
            return {"contests": found}
    names, rankings = rcv_rankings(paths, provider=provider)
    source = ", ".join(p.name for p in paths)
    return settle(raire.contest_of(names, rankings, None, source), None, source)


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ValidationError([Problem("unreadable", f"cannot read: {exc.strerror}",
                                       source=str(path))]) from None
