"""The library's front door: each operation the CLI and the server offer, as one function.

Each takes plain values and a ``Store`` and returns results (never prints, never exits), so the
CLI stays a thin layer and the same call serves scripts, tests and the web API.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from electoral.analyze.compare import Comparison, compare
from electoral.check import Discrepancy, check_article
from electoral.errors import ValidationError
from electoral.io import (
    Format,
    ReadOptions,
    detect_format,
    open_source,
    read_tables,
)
from electoral.io.exclusions import by_reason
from electoral.io.stage import stage
from electoral.model import Election, Returns, UnitKind
from electoral.published import Article
from electoral.report.tables import OutputFormat, render, results_view
from electoral.store import ImportRecord, Store
from electoral.tabulate.rollup import Tabulation, roll_up


@dataclass(frozen=True, slots=True)
class Imported:
    path: str
    records: tuple[ImportRecord, ...]
    exclusions: dict[str, int]  # reason → rows left out, as the reader reported them, most first
    notes: tuple[str, ...] = ()  # what the reader did that a user should know


def import_path(store: Store, path: Path | str, fmt: Format | None = None,
                election: str | None = None) -> Imported:
    """Read one file, run the import stage's rules over every election in it (``io.stage``),
    and store them in one transaction: all or nothing.

    Raises:
        ValidationError: the file is unreadable or breaks a rule; every problem located.
        NotFoundError: no such file, or ``election`` is not in it.
        StoreError: the database refused the write; nothing was changed.
    """
    if election is not None:
        Election.from_id(election)
    source = open_source(path)
    fmt = fmt or detect_format(source)
    replaced = _levels_by_election(store)
    tables = stage(read_tables(source, fmt, ReadOptions(election=election)), source.name)
    records = store.save(*tables, source=source.name, sha256=source.sha256, format=str(fmt))
    elections = [table.returns for table in tables]
    notes = tuple(n for e in elections for n in e.notes)
    excluded = {reason: rows for reason, rows, _votes in by_reason(elections)}
    return Imported(str(path), tuple(records), excluded,
                    notes + _lost_levels(replaced, elections))


def _levels_by_election(store: Store) -> dict[str, tuple[set[str], str]]:
    """Each stored election's unit kinds and source, to tell what a re-import replaces."""
    found: dict[str, tuple[set[str], str]] = {}
    rows = store.sql("SELECT u.election_id, u.kind, i.source FROM units u "
                     "JOIN elections e ON e.id = u.election_id JOIN imports i ON i.id = e.import_id "
                     "GROUP BY ALL")
    for election_id, kind, source in rows:
        found.setdefault(str(election_id), (set(), str(source)))[0].add(str(kind))
    return found


def _lost_levels(before: dict[str, tuple[set[str], str]], elections: Iterable[Returns]) -> tuple[str, ...]:
    """A re-import replaces the election whole; say so where it had levels the new file lacks
    (a state file imported over a county file), since their detail is gone."""
    notes = []
    for returns in elections:
        kinds, source = before.get(returns.election.id, (set(), ""))
        lost = kinds - {str(u.kind) for u in returns.units}
        if lost:
            notes.append(f"{returns.election.id} replaced the import from {source}, whose "
                         f"{', '.join(sorted(lost))} units this file does not have; import that "
                         "file again to get them back")
    return tuple(notes)


def tabulate(store: Store, election: str, level: UnitKind | str) -> Tabulation:
    Election.from_id(election)
    return roll_up(store.load(election), _level(level))


def _level(level: UnitKind | str) -> UnitKind:
    try:
        return UnitKind(level)
    except ValueError:
        from electoral.errors import Problem
        raise ValidationError([Problem(
            "unknown-level", f"unknown level {level!r}; use one of "
            f"{', '.join(k.value for k in UnitKind if k != UnitKind.NATION)}", field="by")]) from None


def report(store: Store, election: str, level: UnitKind | str = UnitKind.STATE,
           earlier: str | None = None, fmt: OutputFormat | str = OutputFormat.TEXT) -> str:
    """A results table of ``election`` at ``level``, with flips and swing against ``earlier``."""
    tabulation = tabulate(store, election, level)
    comparison = compare_with(store, tabulation, earlier) if earlier else None
    return render(results_view(tabulation, comparison), fmt)


def compare_with(store: Store, later: Tabulation, earlier: str) -> Comparison:
    return compare(later, tabulate(store, earlier, later.level))


def read_published(path: Path | str) -> Article:
    """An article (or a bundled sample) with every figure it states."""
    source = open_source(path)
    return published_from_text(source.name, source.text, detect_format(source))


def published_from_text(name: str, text: str, fmt: Format) -> Article:
    from electoral.io.article import read_article
    from electoral.io.sample import read_sample
    readers = {Format.ARTICLE: read_article, Format.SAMPLE: read_sample}
    if fmt not in readers:
        from electoral.errors import Problem
        raise ValidationError([Problem("not-checkable", f"{fmt} files state no figures to check; "
                                       "check takes articles and samples", source=name)])
    try:
        return readers[fmt](io.StringIO(text), name)
    except ValidationError as exc:
        raise exc.located(name) from None


def check_paths(paths: Iterable[Path | str]) -> list[Discrepancy]:
    """Every disagreement in every file, in file order."""
    found: list[Discrepancy] = []
    for path in paths:
        found.extend(check_article(read_published(path)))
    return found


def load_samples(store: Store) -> list[Article]:
    """Store the bundled sample elections (each in its own transaction) and return them."""
    import hashlib

    from electoral.io.sample import bundled_samples
    articles = []
    for name, text in bundled_samples():
        article = published_from_text(name, text, Format.SAMPLE)
        store.save(article.returns, source=f"bundled:{name}",
                   sha256=hashlib.sha256(text.encode()).hexdigest(), format=str(Format.SAMPLE))
        articles.append(article)
    return articles
