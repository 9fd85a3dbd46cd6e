"""A self-contained results page: headline, maps, the statewide and unit tables (sortable, with
real headers), the comparison with an earlier election, the electors, any ranked-choice rounds,
the Electoral College forecast of its year when one is given (the electoral-vote histogram, the
state probability map, the ratings and state tables), and download links for the figures.
Everything the page needs is inline or beside it: no network at view time. Rendered with the
Jinja2 templates in ``report/templates``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from electoral.analyze.compare import Comparison, compare
from electoral.analyze.forecast import Forecast
from electoral.errors import ElectoralError, ValidationError
from electoral.io.export import export
from electoral.io.outfile import write_file
from electoral.model import STATE_NAMES, Returns, UnitKind
from electoral.numbers import percent
from electoral.published import Article, PublishedTable, TableKind
from electoral.report import maps
from electoral.report.college_map import draw_college
from electoral.report.forecast import (
    STATE_TABLE_HEADER,
    bands_note,
    ratings,
    render_forecast,
    state_table,
    summary_lines,
)
from electoral.report.forecast_charts import ev_histogram, probability_map
from electoral.report.geometry import ATTRIBUTION
from electoral.report.polls import lean
from electoral.report.tables import LEVEL_TITLES, render_csv, render_html, render_json, results_view
from electoral.tabulate.coverage import Coverage, area_title, coverage
from electoral.tabulate.electors import College
from electoral.tabulate.rollup import DEPTH, Tabulation, available_levels, roll_up

MAPPED_LEVELS = (UnitKind.COUNTY, UnitKind.STATE)
UNLISTED_LEVELS = (UnitKind.PRECINCT,)  # thousands of rows: downloads only
INLINE_ALTERNATIVE = 600_000  # characters: a larger colour-blind map is a download only


@dataclass(frozen=True, slots=True)
class MapView:
    id: str
    caption: str
    svg: str  # the standard-palette map, inlined
    files: tuple[tuple[str, str], ...]  # (label, file name) of the map files beside the page
    alternative: str = ""  # the colour-blind-safe map, inlined when small enough


@dataclass(frozen=True, slots=True)
class TableView:
    id: str
    heading: str
    note: str
    html: str


@dataclass(frozen=True, slots=True)
class ForecastView:
    """The forecast section: its heading, the national lines, the line of the page's own state
    (empty when the forecast has no such unit), the two pictures inlined (also files beside the
    page: ``files``), the ratings (label, units) and the state table."""

    heading: str
    lines: tuple[str, ...]
    own: str
    histogram: str
    map: str
    files: tuple[tuple[str, str], ...]
    bands: str
    ratings: tuple[tuple[str, str], ...]
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class Page:
    """What the page shows, and the files that go beside it (name → text)."""

    title: str
    headline: str
    source: str
    maps: tuple[MapView, ...]
    statewide: TableView
    units: tuple[TableView, ...]
    electors: tuple[str, ...]
    comparison: Comparison | None
    rounds: tuple[PublishedTable, ...]
    files: dict[str, str] = field(default_factory=dict)
    downloads: tuple[tuple[str, str], ...] = ()
    forecast: ForecastView | None = None


def write_page(returns: Returns, out: Path | str, *, earlier: Returns | None = None,
               article: Article | None = None, college: College | None = None,
               progress: Callable[[int, int], None] | None = None,
               assume_complete: bool = False, forecast: Forecast | None = None) -> Path:
    """Write ``out/index.html`` (and its maps and data files) for ``returns``; return the page's
    path. ``earlier``: the election to compare with; ``article``: the published figures of the
    election, for its ranked-choice round tables; ``college``: the national Electoral College of
    its year; ``forecast``: a forecast to show (``forecast_view``). ``progress(done, total)`` is
    told after each file written. ``assume_complete``: declare the winner and electors although
    units are missing.

    Every file is written atomically and inside ``out`` (``io.outfile.write_file``): no link
    leads a file outside it.

    Raises:
        OutputError: a file of the page cannot be written (the message names it and why).
    """
    page = build_page(returns, earlier=earlier, article=article, college=college,
                      assume_complete=assume_complete, forecast=forecast)
    folder = Path(out)
    total = len(page.files) + 1
    for done, (name, text) in enumerate(page.files.items(), start=1):
        write_file(folder / name, text, within=folder)
        if progress is not None:
            progress(done, total)
    index = folder / "index.html"
    write_file(index, render_page(page), within=folder)
    if progress is not None:
        progress(total, total)
    return index


def build_page(returns: Returns, *, earlier: Returns | None = None,
               article: Article | None = None, college: College | None = None,
               assume_complete: bool = False, forecast: Forecast | None = None) -> Page:
    """Everything the page shows, computed from the returns (nothing here writes files).
    ``college``: the national count of the election's year, drawn as the college map;
    ``forecast``: the forecast section (``forecast_view``). While units are missing
    (``tabulate.coverage``) the headline and the electors section say so and declare no winner,
    unless ``assume_complete``."""
    statewide = roll_up(returns, UnitKind.STATE)
    levels = sorted((UnitKind(k) for k in available_levels(returns)
                     if UnitKind(k) not in (UnitKind.STATE, UnitKind.NATION)),
                    key=lambda k: (DEPTH[k], list(UnitKind).index(k)))
    tables = [roll_up(returns, level) for level in levels]
    comparison = _comparison([*tables, statewide], earlier)
    files: dict[str, str] = {}
    downloads: list[tuple[str, str]] = []
    for table in (statewide, *tables):
        view = results_view(table, columns="all", assume_complete=assume_complete)
        for suffix, text in (("csv", render_csv(view)), ("json", render_json(view))):
            name = f"data/{returns.election.id}-{table.level}.{suffix}"
            files[name] = text
            downloads.append((f"{_level_title(table)} results ({suffix.upper()})", name))
    for fmt, suffix, label in (("nist-json", "json", "NIST SP 1500-100 election report (JSON)"),
                               ("nist-xml", "xml", "NIST SP 1500-100 election report (XML)")):
        name = f"data/{returns.election.id}-nist-1500-100.{suffix}"
        try:
            files[name] = export(returns, fmt)
        except ValidationError:  # a name XML cannot carry: the page offers the JSON report only
            continue
        downloads.append((label, name))
    map_views = _maps(returns, tables, comparison, files)
    if college is not None:
        map_views.append(_college_map(college, files))
    rounds = tuple(t for t in (article.tables if article else ()) if t.kind == TableKind.ROUNDS)
    shown = None if forecast is None else forecast_view(forecast, returns.election.state, files)
    if shown is not None:
        downloads += shown.files
    found = coverage(returns)
    declared = found.complete or assume_complete
    area = area_title(returns, found)
    return Page(
        title=maps.election_title(returns),
        headline=headline(statewide, area) if declared else partial_headline(statewide, found, area),
        source=returns.source or "the electoral results store", maps=tuple(map_views),
        statewide=TableView("statewide", f"{area} result" if area.endswith(" County")
                            else "Statewide result", _margin_note(statewide),
                            render_html(results_view(statewide, assume_complete=assume_complete))),
        units=tuple(_unit_table(t) for t in tables),
        electors=(electors_lines(returns) if declared else (
            f"No electors are declared: {found.line()}.",)) + _national_line(college),
        comparison=comparison,
        rounds=rounds, files=files, downloads=tuple(downloads), forecast=shown)


def forecast_view(result: Forecast, state: str, files: dict[str, str]) -> ForecastView:
    """The forecast section of a page of ``state`` (a USPS code, "US" for a national page): the
    EC histogram and the probability map (``report.forecast_charts``), the ratings and the state
    table (``report.forecast``); the pictures and the forecast's CSV go into ``files``."""
    stem = f"forecast/{result.year}-forecast"
    pictures = {f"{stem}-ev-histogram.svg": ev_histogram(result),
                f"{stem}-probability-map.svg": probability_map(result, "forecast-map-")}
    files.update(pictures)
    files[f"{stem}.csv"] = render_forecast(result, "csv")
    own = next((s for s in result.states if s.unit == state), None)
    line = "" if own is None else (
        f"{STATE_NAMES.get(state, state)}: P(Democrat wins) {own.win_democratic:.1%}, rated "
        f"{own.rating.value}{' ' + own.leader[0].upper() if own.leader else ''}; mean margin "
        f"{lean(own.margin)} (80% interval {lean(own.margin_low)} to {lean(own.margin_high)}).")
    histogram, drawn_map = pictures.values()
    return ForecastView(
        f"The {result.year} forecast as of {result.as_of}", tuple(summary_lines(result)), line,
        histogram, drawn_map,
        tuple((f"The {result.year} forecast: {what}", name) for what, name in (
            ("electoral-vote histogram (SVG)", f"{stem}-ev-histogram.svg"),
            ("state probability map (SVG)", f"{stem}-probability-map.svg"),
            ("each state's chance, 538's columns (CSV)", f"{stem}.csv"))),
        bands_note(), tuple((label, ", ".join(units) or "—") for label, units in ratings(result)),
        tuple(STATE_TABLE_HEADER), tuple(tuple(r) for r in state_table(result)))


def _unit_table(table: Tabulation) -> TableView:
    """A unit table, or for precincts a pointer to the downloads."""
    heading = f"Results by {_level_title(table).lower()}"
    if table.level in UNLISTED_LEVELS:
        return TableView(f"by-{table.level}", heading, f"{maps.units_phrase(table, len(table.rows))}"
                         ": listed in the CSV and JSON downloads rather than on this page.", "")
    return TableView(f"by-{table.level}", heading, _margin_note(table),
                     render_html(results_view(table)))


def _comparison(tables: Sequence[Tabulation], earlier: Returns | None) -> Comparison | None:
    """Flips and swing at the first of ``tables``' levels both elections have (the state's
    own result when the earlier election has no finer one)."""
    if earlier is None:
        return None
    have = available_levels(earlier)
    for table in tables:
        if str(table.level) in have:
            return compare(table, roll_up(earlier, table.level))
    return None


def _maps(returns: Returns, tables: Sequence[Tabulation], comparison: Comparison | None,
          files: dict[str, str]) -> list[MapView]:
    mapped = [t for t in tables if t.level in MAPPED_LEVELS] or list(tables[:1])
    views = []
    for table in mapped:
        level = _level_title(table).lower()
        kinds = [(maps.MapKind.MARGIN, f"Margin by {level}: the deeper the shade, the wider "
                  "the lead.")]
        if comparison is not None and comparison.later.level == table.level:
            year = comparison.earlier.returns.election.year
            plural = maps.LEVEL_PLURALS.get(table.level, "units").capitalize()
            kinds += [(maps.MapKind.FLIPS, f"{plural} that changed party since {year} "
                       "(hatched)."),
                      (maps.MapKind.SWING, f"Swing by {level} since {year}.")]
        for kind, caption in kinds:
            earlier = comparison.earlier if kind != maps.MapKind.MARGIN and comparison else None
            views.append(_map_view(
                f"map-{table.level}-{kind}", caption,
                f"maps/{returns.election.id}-{table.level}-{kind}", files,
                partial(_draw_table_map, table, kind, earlier)))
    return views


def _draw_table_map(table: Tabulation, kind: maps.MapKind, earlier: Tabulation | None,
                    palette: maps.Palette, prefix: str) -> str:
    return maps.draw_map(table, kind, earlier=earlier, palette=palette, id_prefix=prefix)


def _college_map(college: College, files: dict[str, str]) -> MapView:
    return _map_view("map-college", f"The Electoral College in {college.year}: each state by "
                     "the nominee its electors were pledged to.",
                     f"maps/{college.year}-US-president-college", files,
                     lambda palette, prefix: draw_college(college, palette, prefix))


def _map_view(view_id: str, caption: str, stem: str, files: dict[str, str],
              draw: Callable[[maps.Palette, str], str]) -> MapView:
    """A map in both palettes, as files beside the page; inline, the standard one and (when not
    too large) the colour-blind-safe one the page's toggle shows instead."""
    standard, safe = maps.Palette.STANDARD, maps.Palette.COLORBLIND
    svgs = {standard: draw(standard, f"{view_id}-"), safe: draw(safe, f"{view_id}-cb-")}
    names = {standard: f"{stem}.svg", safe: f"{stem}-colorblind.svg"}
    files.update({names[p]: svgs[p] for p in svgs})
    inline = svgs[safe] if len(svgs[safe]) <= INLINE_ALTERNATIVE else ""
    return MapView(view_id, caption, svgs[standard],
                   (("SVG", names[standard]), ("colour-blind-safe version", names[safe])), inline)


def _national_line(college: College | None) -> tuple[str, ...]:
    if college is None:
        return ()
    if college.winner is None:
        return (f"Nationally no nominee won a majority of the {college.total} electors: "
                "a contingent election in the House.",)
    return (f"Nationally: {college.name(college.winner)} elected with "
            f"{college.cast[college.winner]} of {college.total} electoral votes cast "
            f"({college.needed} needed).",)


def headline(statewide: Tabulation, area: str | None = None) -> str:
    """One sentence: who won, with what share, by how much. ``area`` names where (the state's
    name by default; ``"Kent County"`` for a one-county election)."""
    returns, total = statewide.returns, statewide.total
    where = "the nation" if returns.election.state == "US" else area or STATE_NAMES[
        returns.election.state]
    first, second = statewide.leading
    name, runner_up = (maps.candidate_name(returns, c) for c in (first, second))
    if total.total == 0:
        return f"No votes are recorded for {where}."
    if statewide.margin(total) == 0 or first == second:
        return (f"{name} received {total.share(first)}% of the vote in {where}"
                + ("." if first == second else f", tied with {runner_up}."))
    return (f"{name} won {where} with {total.share(first)}% of the vote, "
            f"{statewide.margin_percent(total)} points ({statewide.margin(total):,} votes) ahead "
            f"of {runner_up}, of {total.total:,} votes counted.")


def partial_headline(statewide: Tabulation, found: Coverage, area: str) -> str:
    """The headline of incomplete returns: what is missing, that no winner is declared, and who
    leads the votes counted so far (never that anyone won)."""
    total = statewide.total
    first = statewide.leading[0]
    lead = (f"; of the {total.total:,} votes counted, {maps.candidate_name(statewide.returns, first)} "
            f"has {total.share(first)}%" if total.total else "")
    return f"Incomplete returns for {area}: {found.line()}. No winner is declared{lead}."


def electors_lines(returns: Returns) -> tuple[str, ...]:
    """Who the state's electors are pledged to, from its returns and the apportionment."""
    from electoral.tabulate.apportion import electors_for
    from electoral.tabulate.electors import allocate_electors, state_votes

    e = returns.election
    if e.office != "president" or e.state not in STATE_NAMES:
        return ()
    try:
        votes = state_votes(returns)
        contests = allocate_electors(votes, electors_for(e.year)[e.state], e.year)
    except (ElectoralError, KeyError):
        return ()
    names = {n.key: maps.candidate_name(returns, n.key) for n in votes.nominees}
    lines = []
    for contest in contests:
        who = names.get(contest.winner or "", "no one (a tie)")
        what = ("at large" if len(contests) > 1 else "statewide") if contest.id == e.state \
            else f"district {contest.id[-2:]}"
        margin = contest.margin_percent
        lines.append(f"{contest.electors} elector{'s' if contest.electors != 1 else ''} "
                     f"({what}) pledged to {who}"
                     + (f", by {margin} points" if margin is not None else "")
                     + (" — decided from a published table" if contest.source != "returns"
                        else ""))
    return tuple(lines)


def _margin_note(table: Tabulation) -> str:
    returns = table.returns
    first, second = (maps.candidate_name(returns, c) for c in table.leading)
    return (f"Margin is {first}'s votes minus {second}'s (negative where {second} leads). "
            "Select a column heading to sort.")


def _level_title(table: Tabulation) -> str:
    return LEVEL_TITLES.get(str(table.level), str(table.level).title())


def render_page(page: Page) -> str:
    template = _environment().get_template("page.html.j2")
    return template.render(page=page, attribution=ATTRIBUTION, pct=_pct,
                           units_phrase=maps.units_phrase)


def _pct(share: object) -> str:
    from fractions import Fraction

    value = percent(share.numerator, share.denominator) if isinstance(share, Fraction) else share
    return f"{value}%"


def _environment() -> Environment:
    return Environment(loader=PackageLoader("electoral.report", "templates"),
                       autoescape=select_autoescape(["html", "j2"]), trim_blocks=True,
                       lstrip_blocks=True, keep_trailing_newline=True)
