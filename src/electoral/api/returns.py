"""Importing returns, what is stored, results tables and exports."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from electoral.api.checks import published_from_text
from electoral.api.core import ResultsStore, _choice, _level
from electoral.errors import Problem, ValidationError
from electoral.formats import (
    ExportFormat,
    OutputFormat,
)
from electoral.model import Election, Returns, Unit, UnitKind

if TYPE_CHECKING:
    from electoral.analyze.compare import Comparison
    from electoral.columns import ReturnsTable
    from electoral.importing import ImportReport, Staged
    from electoral.io import Format
    from electoral.model import Unit
    from electoral.published import Article
    from electoral.report.tables import ResultsView
    from electoral.store import Addition, ElectionSummary, ImportRecord
    from electoral.store_night import NightStore as NightStore
    from electoral.tabulate.rollup import Tabulation


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
    and may refuse it by raising (``night.ingest``: a county-scoped token's counties). In a
    store with an audit chain (``electoral.night_log``), a change is logged in its transaction
    as an ingest of token ``local:USER``, the files kept for ``audit verify --rebuild``.

    Returns:
        The ``ImportReport``: per election what was stored, left out, merged, flagged, replaced
        and skipped. Problems are in it (``failed``), not raised, so that a refused command
        still says everything it found.

    Raises:
        ValidationError: ``election`` is not an election id, ``fmt`` is unknown, both
            ``replace`` and ``skip_existing``, or an option the readers do not take; in a
            store with an audit chain, a file changed while it was being imported.
        CertifiedError: a file holds a certified election; nothing is stored, and the
            refusal is logged.
        StoreError: the store could not write; nothing is changed.
    """
    from electoral.night_log import local_change

    def run(admitted: Callable[[Sequence[Addition]], None] | None) -> ImportReport:
        return _import_paths(store, paths, fmt, election, aliases=aliases, contest=contest,
                             replace=replace, skip_existing=skip_existing, dry_run=dry_run,
                             encoding=encoding, admit=admitted)

    if dry_run:
        return run(admit)
    detail = {"election": election, "format": None if fmt is None else str(fmt),
              "contest": contest, "replace": replace, "skip_existing": skip_existing,
              "encoding": encoding}
    with local_change(store, "ingest", detail) as change:

        def keep(additions: Sequence[Addition]) -> None:
            if admit is not None:
                admit(additions)
            if change is not None:
                change.read(paths, aliases, [a.sha256 for a in additions])

        report = run(keep)
        if change is not None:
            change.elections = [r.election_id for r in report.records]
    return report


def _import_paths(store: ResultsStore, paths: Sequence[Path | str],
                  fmt: Format | str | None = None, election: str | None = None, *,
                  aliases: Path | str | None = None, contest: str | None = None,
                  replace: bool = False, skip_existing: bool = False,
                  dry_run: bool = False, encoding: str | None = None,
                  admit: Callable[[Sequence[Addition]], None] | None = None) -> ImportReport:
    """``import_paths`` without the audit entry: what ``night.ingest`` (which logs its own) and
    ``audit verify --rebuild`` run.

    Raises:
        CertifiedError: a file holds a certified election (``NightStore.unchanged``); nothing
            of any file is stored.
    """
    from electoral.importing import ImportReport, read_staged, reading_options
    from electoral.store_night import NightStore

    if election is not None:
        Election.from_id(election)
    if replace and skip_existing:
        raise ValidationError([Problem("usage", "--replace and --skip-existing exclude each other",
                                       field="replace")])
    chosen = input_format(str(fmt)) if fmt is not None else None
    options = reading_options(election, aliases, contest, encoding)
    report = ImportReport(dry_run=dry_run)
    read = [one for path in paths for one in read_staged(path, chosen, options, report)]
    if not dry_run and isinstance(store, NightStore):
        # a certified election is refused before what a file would do to it is worked out:
        # nothing it could say would be stored (NightStore.add refuses it again, at the write)
        store.unchanged((one.table.election_id for one in read), "its results")
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

    In a store with an audit chain the change is logged (action ``group``, the file kept).
    """
    from electoral.io import open_source
    from electoral.io.groupings import apply_groupings, read_groupings, ungrouped
    from electoral.night_log import local_change

    with local_change(store, "group", {"election": election}) as change:
        source = open_source(path)
        rows = read_groupings(source.stream(), source.name)
        before = store.load(election)
        grouped = apply_groupings(before, rows, source.name)
        store.save(grouped, source=f"{grouped.source} + {source.name}", sha256=source.sha256,
                   format="groupings")
        if change is not None:
            change.read([path], used=[source.sha256])
            change.elections = [election]
    return grouped, ungrouped(before, grouped, rows)


def load_samples(store: ResultsStore) -> list[Article]:
    """Store the bundled sample elections (each in its own transaction; in a store with an
    audit chain, all in one, logged as action ``samples`` with the sample files kept) and
    return them.

    Raises:
        StoreError: the store could not write.
    """
    from electoral.io.sample import bundled_samples
    from electoral.night_log import local_change

    samples = bundled_samples()
    with local_change(store, "samples", {}) as change:
        articles = save_samples(store, samples)
        if change is not None:
            change.files = [(name, _sha(text), text.encode()) for name, text in samples]
            change.elections = [a.returns.election.id for a in articles]
    return articles


def save_samples(store: ResultsStore, samples: Sequence[tuple[str, str]]) -> list[Article]:
    """Store each ``(name, text)`` sample election (``load_samples``; ``audit verify
    --rebuild`` redoes a logged ``samples`` change with it)."""
    from electoral.io import Format

    articles = []
    for name, text in samples:
        article = published_from_text(name, text, Format.SAMPLE)
        store.save(article.returns, source=f"bundled:{name}", sha256=_sha(text),
                   format=str(Format.SAMPLE))
        articles.append(article)
    return articles


def _sha(text: str) -> str:
    import hashlib
    return hashlib.sha256(text.encode()).hexdigest()


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


# ---- export ------------------------------------------------------------------------------------


def export(store: ResultsStore, election: str, fmt: ExportFormat | str = ExportFormat.CSV) -> str:
    """A stored election as NIST SP 1500-100 v2 JSON or XML, or as electoral's CSV.

    Raises:
        NotFoundError: the election is not stored.
        ValueError: ``fmt`` is not an ``ExportFormat``.
    """
    from electoral.io.export import export as export_returns
    return export_returns(store.load(election), fmt)


