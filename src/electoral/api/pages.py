"""Results pages, maps and the Electoral College."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from electoral.api.core import Progress, ResultsStore
from electoral.errors import Problem, ValidationError
from electoral.formats import (
    ElectorsFormat,
    MapKind,
    MapLevel,
    Palette,
)
from electoral.model import Election, Returns, UnitKind

if TYPE_CHECKING:
    from electoral.analyze.forecast import Forecast
    from electoral.published import Article
    from electoral.report.public import Publication
    from electoral.store import ElectionSummary
    from electoral.store_night import NightStore as NightStore
    from electoral.tabulate.electors import College, StateVotes
    from electoral.tabulate.rollup import Tabulation
    from electoral.tabulate.scenarios import CollegeAnalysis


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
            extra: Mapping[str, Mapping[str, object]] | None = None,
            now: dt.datetime | None = None) -> str:
    """Publish every stored election as a new immutable version under ``public_dir`` and point
    ``current_ver.txt`` at it (``report.public``: per election and level the report JSON with
    its ``sources``, CSV, the NIST SP 1500-100 JSON report, a map, and ``summary.json``);
    return the version id. An election whose imports are those the current version was made
    from keeps its files and is not loaded (``publication_digest``). The newest ``keep``
    versions stay. ``extra``: per election id, keys added to its ``summary.json`` entry (a race
    call, a certified status). ``now``: the moment the version is stamped with (default: now).

    Raises:
        OutputError: a file cannot be written; the pointer still names the last whole version.
        ValueError: ``keep`` is below 1.
    """
    from functools import partial

    from electoral.report.public import Stored, publish_version

    chosen = [Stored(s.id, publication_digest(store, s), partial(_publication, store, s.id),
                     (extra or {}).get(s.id, {})) for s in store.elections()]
    return publish_version(Path(public_dir), chosen, keep=keep, now=now)


def publication_digest(store: ResultsStore, summary: ElectionSummary) -> str:
    """sha256 (hex) of what an election's published files are made from: every import of it
    with its file's sha256 and time, its unit and count totals, and the electoral version that
    renders them. Every change to an election's stored results is a new import (``Store.add``,
    ``Store.save``: a fresh id from a sequence), and its row sources and ``updated`` time come
    from its imports, so an equal digest means equal files; reading the import rows costs
    milliseconds where loading 60,000 precincts costs seconds."""
    import hashlib
    import json

    from electoral import __version__

    imports = [[r.id, r.source, r.sha256, r.format, r.imported_at.isoformat(), r.rows]
               for r in store.imports(summary.id)]
    facts = [__version__, summary.id, summary.units, summary.counts, summary.source, imports]
    return hashlib.sha256(json.dumps(facts).encode("utf-8")).hexdigest()


def _publication(store: ResultsStore, election: str) -> Publication:
    """A stored election as a version carries it: its returns, last import time and the file
    each row of each level came from."""
    from electoral.importing import row_sources
    from electoral.report.public import Publication
    from electoral.tabulate.rollup import available_levels

    returns = store.load(election)
    files = store.unit_sources(election)
    updated = max((r.imported_at for r in store.imports(election)), default=None)
    sources = {level: row_sources(returns, files, level) for level in available_levels(returns)}
    return Publication(returns, updated, sources)


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


