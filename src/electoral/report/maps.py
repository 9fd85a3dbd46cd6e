"""Maps of a results table: winner, margin, flips and swing choropleths by county or state, and the
national Electoral College map. Output is SVG (and PNG through cairosvg).

Every unit drawn is one ``<path class="unit">`` carrying its id, FIPS and result in ``data-``
attributes; units the geometry lacks (Connecticut's councils of government, Alaska's House
districts, Kansas City) are listed on the map and kept as ``data-`` records in
``<g class="undrawn">``; areas with no result are hatched and said so in the legend. Nothing is
ever silently blank. A state whose returns lack some of its units is never painted as won: as in
reports (``tabulate.coverage.declared_winner``), it has no winner unless the user assumes the
returns complete, and every map kind draws it hatched, ``data-status="incomplete"``, with its own
legend entry.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fractions import Fraction
from itertools import cycle
from pathlib import Path

from electoral.analyze.compare import Comparison, compare, party_of
from electoral.errors import ElectoralError, Problem, ValidationError
from electoral.formats import MapKind as MapKind
from electoral.formats import Palette as Palette
from electoral.geography import normal_name, renamed_code
from electoral.io.outfile import write_file
from electoral.model import STATE_BY_NAME, STATE_NAMES, Returns, Unit, UnitKind
from electoral.numbers import percent
from electoral.report.cartography import (
    NO_DATA,
    Area,
    Drawing,
    LegendRow,
    Swatch,
    render_svg,
)
from electoral.report.geometry import ATTRIBUTION, Atlas, Feature, load_atlas
from electoral.tabulate.coverage import coverage, coverage_by_state
from electoral.tabulate.electors import display_name
from electoral.tabulate.rollup import Row, Tabulation, roll_up

PARTY_COLOURS: dict[Palette, dict[str, str]] = {
    Palette.STANDARD: {"democrat": "#1f5fae", "republican": "#c4272f", "green": "#2e8b57",
                       "libertarian": "#d9a400"},
    Palette.COLORBLIND: {"democrat": "#0072b2", "republican": "#d55e00", "green": "#009e73",
                         "libertarian": "#f0e442"},
}
OTHER_COLOURS: dict[Palette, tuple[str, ...]] = {
    Palette.STANDARD: ("#7b4fa0", "#8c6d31", "#2a8c8c", "#c0508a"),
    Palette.COLORBLIND: ("#cc79a7", "#56b4e9", "#e69f00", "#6b6b6b"),
}
TIE = "#b0b0b0"
INCOMPLETE = "#d8d8d8"  # a state that lacks units: no party's colour, hatched
INCOMPLETE_LABEL = "incomplete: units missing, no winner declared"
MARGIN_STEPS = (5, 10, 20, 30, 40)  # percentage points
SWING_STEPS = (2, 5, 10)
LEVEL_PLURALS = {UnitKind.STATE: "states", UnitKind.COUNTY: "counties",
                 UnitKind.COG: "councils of government", UnitKind.DISTRICT: "districts",
                 UnitKind.TOWN: "towns", UnitKind.PRECINCT: "precincts"}


@dataclass(frozen=True, slots=True)
class Shade:
    """What one unit shows: its fill, its legend category and the figure behind it."""

    fill: str
    category: str
    value: str = ""
    hatched: bool = False


@dataclass(frozen=True, slots=True)
class Shading:
    shades: Mapping[str, Shade]  # unit id → shade
    legend: tuple[LegendRow, ...]
    subtitle: str
    notes: tuple[str, ...] = ()
    margins: Mapping[str, Decimal] = field(default_factory=dict)  # unit id → margin, if computed


# ---- public API --------------------------------------------------------------------------------

def draw_map(tabulation: Tabulation, kind: MapKind | str = MapKind.WINNER, *,
             earlier: Tabulation | None = None, palette: Palette | str = Palette.STANDARD,
             id_prefix: str = "", assume_complete: bool = False) -> str:
    """The SVG map of ``tabulation`` (a county or state table); ``flips`` and ``swing`` compare it
    with the ``earlier`` table of the same level. (The college map is ``college_map.draw_college``.)
    ``id_prefix`` starts every element id, for pages that hold several maps. On a state table, a
    state that lacks units (in either election) is drawn ``incomplete`` whatever the kind, unless
    ``assume_complete`` (``--assume-complete``).

    Raises:
        ValidationError: a flips or swing map without the earlier election to compare with.
    """
    kind, palette = MapKind(kind), Palette(palette)
    colours = party_colours([tabulation] + ([earlier] if earlier else []), palette)
    short = {} if assume_complete else incomplete_states(tabulation)
    if earlier is not None and not assume_complete and kind in (MapKind.FLIPS, MapKind.SWING):
        short = {**incomplete_states(earlier), **short}
    if kind in (MapKind.FLIPS, MapKind.SWING):
        if earlier is None:
            raise ValidationError([Problem("map-needs-earlier", f"a {kind} map compares two "
                                           "elections: name the earlier one (--compare)",
                                           field="compare")])
        comparison = compare(tabulation, earlier)
        shading = (flip_shading(comparison, colours, short) if kind == MapKind.FLIPS
                   else swing_shading(comparison, colours))
    elif kind == MapKind.COLLEGE:
        raise ValidationError([Problem("map-needs-college", "a college map is drawn from the "
                                       "national count of electors (draw_college), not from one "
                                       "results table", field="kind")])
    elif kind == MapKind.MARGIN:
        shading = margin_shading(tabulation, colours)
    else:
        shading = winner_shading(tabulation, colours, short)
    shading = mark_incomplete(shading, short, tabulation)
    partial = "" if assume_complete else partial_scope(tabulation, short)
    if partial:  # the shares of what is stored are not the result: say what is, not them
        shading = replace(shading, subtitle=shading.subtitle.replace(_headline(tabulation),
                                                                     partial))
    return render_svg(replace(_drawing(tabulation, kind, shading), prefix=id_prefix))


def partial_scope(tabulation: Tabulation, short: Mapping[str, str]) -> str:
    """What a map of incomplete returns says instead of the leaders' shares, which would pass
    for the result: for a national table, how many of the 51 states are stored, the absent ones
    and how many lack units (``short``); for a state's, its coverage line. ``""`` when complete.
    """
    returns = tabulation.returns
    if returns.election.state == "US":
        present = {u.id for u in returns.units if u.kind is UnitKind.STATE}
        absent = sorted(set(STATE_NAMES) - present)
        if not absent and not short:
            return ""
        said = f"{len(present & set(STATE_NAMES))} of {len(STATE_NAMES)} states stored"
        if absent:
            said += f" (absent: {', '.join(absent)})"
        if short:
            said += f", {len(short)} of them with units missing"
        return said + "; no national share shown, as these returns are not the national result"
    found = coverage(returns)
    if found.complete or not found.line():
        return ""
    # the first clause ("13 of 67 counties reporting"); the notes name the missing units
    return (f"{found.line().split('; ')[0]}; no statewide share shown, as these returns are not "
            "the state's result")


def incomplete_states(tabulation: Tabulation) -> dict[str, str]:
    """Unit id → what it lacks (``"13 of 99 counties reporting; missing: …"``) for each state row
    of a state table whose returns lack some of the state's units (``tabulate.coverage``); empty
    for other levels, where a missing unit is drawn as an area without results."""
    if tabulation.level is not UnitKind.STATE:
        return {}
    found = coverage_by_state(tabulation.returns)
    return {row.unit.id: line for row in tabulation.rows
            if (line := found[row.unit.id].line() if row.unit.id in found else "")}


def mark_incomplete(shading: Shading, short: Mapping[str, str], tabulation: Tabulation) -> Shading:
    """``shading`` with each unit of ``short`` drawn incomplete (never in a party's colour), with
    its legend entry and a note naming what it lacks (the shadings that count units won or
    flipped leave ``short`` out of their counts themselves)."""
    short = {unit: line for unit, line in short.items() if unit in shading.shades}
    if not short:
        return shading
    shades = {unit: Shade(INCOMPLETE, INCOMPLETE_LABEL, shade.value, hatched=True)
              if unit in short else shade for unit, shade in shading.shades.items()}
    legend = (*shading.legend, LegendRow("", (Swatch(INCOMPLETE, INCOMPLETE_LABEL, hatched=True),)))
    names = {row.unit.id: row.unit.name for row in tabulation.rows}
    notes = tuple(f"Incomplete: {names.get(unit, unit)}: {line}." for unit, line in short.items())
    subtitle = (f"{shading.subtitle} · no winner declared in "
                f"{units_phrase(tabulation, len(short))} with units missing")
    return replace(shading, shades=shades, legend=legend, subtitle=subtitle,
                   notes=(*shading.notes, *notes))


def map_election(returns: Returns, *, by: UnitKind | str = UnitKind.COUNTY,
                 kind: MapKind | str = MapKind.WINNER, earlier: Returns | None = None,
                 palette: Palette | str = Palette.STANDARD, assume_complete: bool = False) -> str:
    """Roll ``returns`` (and ``earlier``) up to ``by`` and draw the map (``draw_map``)."""
    earlier_table = roll_up(earlier, by) if earlier is not None else None
    return draw_map(roll_up(returns, by), kind, earlier=earlier_table, palette=palette,
                    assume_complete=assume_complete)


def write_map(svg: str, out: Path) -> Path:
    """Write ``svg`` to ``out``: as is for ``.svg``, rasterised at twice its size for ``.png``.

    Raises:
        ValidationError: ``out`` is neither ``.svg`` nor ``.png``.
        ElectoralError: a PNG without the cairo library (see ``svg_to_png``).
        OutputError: ``out`` cannot be written (``io.outfile.write_file``).
    """
    suffix = out.suffix.lower()
    if suffix not in (".svg", ".png"):
        raise ValidationError([Problem("map-format", f"cannot write a map as {out.name}: "
                                       "name the file .svg or .png", field="out")])
    write_file(out, svg if suffix == ".svg" else svg_to_png(svg))
    return out


def svg_to_png(svg: str, scale: float = 2.0) -> bytes:
    """The map rasterised by cairo (through cairosvg) at ``scale`` times its size.

    Raises:
        ElectoralError: the cairo library is not installed (the message says how to install it).
    """
    try:
        import cairosvg  # type: ignore[import-untyped]  # here: importing it loads libcairo
    except OSError as exc:
        raise ElectoralError(f"PNG maps need the cairo library ({exc}); install it (Debian: "
                             "apt-get install libcairo2, or `make system-deps` as root) or "
                             "write the map as .svg") from None
    return bytes(cairosvg.svg2png(bytestring=svg.encode("utf-8"), scale=scale))


# ---- colours ------------------------------------------------------------------------------------

def party_colours(tables: Sequence[Tabulation], palette: Palette) -> dict[str, str]:
    """A colour for every party (as ``compare.party_of`` names it) of the tables' candidates."""
    return colour_table([(party_of(t, c.id), c.aggregate) for t in tables for c in t.columns],
                        palette)


def colour_table(parties: Iterable[tuple[str, bool]], palette: Palette) -> dict[str, str]:
    """A colour per party name: the usual parties by name, grey for an aggregate ("others"), the
    rest in turn from the palette's other hues."""
    colours: dict[str, str] = {}
    others = cycle(OTHER_COLOURS[palette])
    for party, aggregate in parties:
        if party in colours:
            continue
        known = [c for key, c in PARTY_COLOURS[palette].items() if key in party.lower()]
        colours[party] = known[0] if known else ("#9a9a9a" if aggregate else next(others))
    return colours


def ramp(base: str, steps: int) -> list[str]:
    """``steps`` shades of ``base`` from a pale tint to a deepened tone (for graded scales)."""
    rgb = [int(base[i:i + 2], 16) for i in (1, 3, 5)]
    out = []
    for k in range(steps):
        t = k / max(steps - 1, 1)  # 0 palest … 1 deepest
        if t <= 0.75:
            mix = 0.82 * (1 - t / 0.75)
            shade = [c + (255 - c) * mix for c in rgb]
        else:
            shade = [c * (1 - 0.3 * (t - 0.75) / 0.25) for c in rgb]
        out.append("#" + "".join(f"{round(c):02x}" for c in shade))
    return out


# ---- shadings -----------------------------------------------------------------------------------

def leader(tabulation: Tabulation, row: Row) -> str | None:
    """The real candidate with the most votes in ``row`` (``None`` on a tie or no votes)."""
    real = [(row.of(c.id), c.id) for c in tabulation.columns if not c.aggregate]
    ranked = sorted(real, key=lambda vc: -vc[0])
    if not ranked or ranked[0][0] == 0 or (len(ranked) > 1 and ranked[0][0] == ranked[1][0]):
        return None
    return ranked[0][1]


def winner_shading(tabulation: Tabulation, colours: Mapping[str, str],
                   short: Mapping[str, str] | None = None) -> Shading:
    """Each unit in the colour of its leader's party, counted in the "won by" legend; the units
    of ``short`` (states lacking units) have no winner and are left to ``mark_incomplete``."""
    shades: dict[str, Shade] = {}
    won: dict[str, int] = {}
    for row in tabulation.rows:
        winner = None if row.unit.id in (short or {}) else leader(tabulation, row)
        if winner is None and row.unit.id in (short or {}):
            shades[row.unit.id] = Shade(INCOMPLETE, INCOMPLETE_LABEL, hatched=True)
            continue
        if winner is None:
            shades[row.unit.id] = Shade(TIE, "tie" if row.total else "no votes", hatched=True)
            continue
        won[winner] = won.get(winner, 0) + 1
        shades[row.unit.id] = Shade(colours[party_of(tabulation, winner)],
                                    _name(tabulation, winner), str(row.share(winner)))
    swatches = [Swatch(colours[party_of(tabulation, cid)],
                       f"{_name(tabulation, cid)}: {units_phrase(tabulation, n)}")
                for cid, n in sorted(won.items(), key=lambda kv: -kv[1])]
    swatches += tie_swatches(shades.values())
    return Shading(shades, (LegendRow("Won by", tuple(swatches)),),
                   f"Winner by {_level_name(tabulation)} · {_headline(tabulation)}")


def margin_shading(tabulation: Tabulation, colours: Mapping[str, str]) -> Shading:
    first, second = tabulation.leading
    ramps = {cid: ramp(colours[party_of(tabulation, cid)], len(MARGIN_STEPS) + 1)
             for cid in (first, second)}
    shades: dict[str, Shade] = {}
    margins: dict[str, Decimal] = {}
    for row in tabulation.rows:
        margin = margins[row.unit.id] = tabulation.margin_percent(row)
        if row.total == 0 or tabulation.margin(row) == 0:
            shades[row.unit.id] = Shade(TIE, "tie" if row.total else "no votes", str(margin),
                                        hatched=True)
            continue
        ahead = first if margin > 0 else second
        step = _step(abs(margin), MARGIN_STEPS)
        shades[row.unit.id] = Shade(ramps[ahead][step], f"{_name(tabulation, ahead)} "
                                    f"{_bin_label(step, MARGIN_STEPS)}", str(margin))
    legend = _scale_legend({f"{_name(tabulation, c)} ahead by": ramps[c] for c in (first, second)},
                           MARGIN_STEPS, shades)
    note = (f"Margin: {_name(tabulation, first)}'s votes minus {_name(tabulation, second)}'s, "
            "as a share of all votes cast in the unit, in percentage points.")
    return Shading(shades, legend, f"Margin by {_level_name(tabulation)} · "
                   f"{_headline(tabulation)}", (note,), margins)


def flip_shading(comparison: Comparison, colours: Mapping[str, str],
                 short: Mapping[str, str] | None = None) -> Shading:
    """Each unit held or flipped by the later winner's party; a unit of ``short`` (a state lacking
    units in either election) neither, left to ``mark_incomplete``."""
    later, earlier = comparison.later, comparison.earlier
    year = earlier.returns.election.year
    shades: dict[str, Shade] = {}
    counts: dict[tuple[str, bool], int] = {}
    for change in comparison.changes:
        if change.unit.id in (short or {}):
            shades[change.unit.id] = Shade(INCOMPLETE, INCOMPLETE_LABEL, hatched=True)
            continue
        party = change.later_winner
        if party is None:
            shades[change.unit.id] = Shade(TIE, "tie or no votes", hatched=True)
            continue
        flipped = change.flipped
        fill = colours.get(party, TIE) if flipped else ramp(colours.get(party, TIE), 6)[1]
        category = (f"flipped to {party} (from {change.earlier_winner})" if flipped
                    else f"held by {party}" if change.earlier_winner == party
                    else f"{party} (no winner in {year})")
        counts[(party, flipped)] = counts.get((party, flipped), 0) + 1
        shades[change.unit.id] = Shade(fill, category, "flipped" if flipped else "held",
                                       hatched=flipped)
    for unit_id in _unmatched_ids(comparison):
        shades[unit_id] = Shade(NO_DATA, f"no result in {year}", hatched=True)
    swatches = []
    for (party, flipped), n in sorted(counts.items(), key=lambda kv: (not kv[0][1], -kv[1])):
        fill = colours.get(party, TIE) if flipped else ramp(colours.get(party, TIE), 6)[1]
        swatches.append(Swatch(fill, f"{'Flipped to' if flipped else 'Held by'} {party} ({n})",
                               hatched=flipped))
    swatches += tie_swatches(shades.values())
    subtitle = (f"{units_phrase(later, len(comparison.flips))} changed party since {year} · "
                f"{_headline(later)}")
    return Shading(shades, (LegendRow("", tuple(swatches)),), subtitle,
                   _unmatched_notes(comparison))


def swing_shading(comparison: Comparison, colours: Mapping[str, str]) -> Shading:
    first, second = comparison.parties
    ramps = {p: ramp(colours.get(p, TIE), len(SWING_STEPS) + 1) for p in (first, second)}
    year = comparison.earlier.returns.election.year
    shades: dict[str, Shade] = {}
    for change in comparison.changes:
        swing = _points(change.swing)
        if swing == 0:
            shades[change.unit.id] = Shade(TIE, "no swing", str(swing), hatched=True)
            continue
        toward = first if swing > 0 else second
        step = _step(abs(swing), SWING_STEPS)
        shades[change.unit.id] = Shade(ramps[toward][step], f"toward {toward} "
                                       f"{_bin_label(step, SWING_STEPS)}", str(swing))
    for unit_id in _unmatched_ids(comparison):
        shades[unit_id] = Shade(NO_DATA, f"no result in {year}", hatched=True)
    legend = _scale_legend({f"Toward {p}": ramps[p] for p in (first, second)}, SWING_STEPS,
                           shades)
    note = (f"Swing: the change since {year} in the {first} margin over the {second} one, "
            "each as a share of all votes cast in the unit, in percentage points.")
    return Shading(shades, legend, f"Swing since {year} by "
                   f"{_level_name(comparison.later)} · {_headline(comparison.later)}",
                   (note, *_unmatched_notes(comparison)))


# ---- drawing ------------------------------------------------------------------------------------

def _drawing(tabulation: Tabulation, kind: MapKind, shading: Shading) -> Drawing:
    atlas = load_atlas()
    returns = tabulation.returns
    scope = "US" if returns.election.state == "US" else returns.election.state
    geo_level = tabulation.level if tabulation.level in (UnitKind.STATE, UnitKind.COUNTY) \
        else None
    backdrop = _backdrop(atlas, scope, geo_level)
    by_feature: dict[str, Row] = {}
    undrawn: list[Row] = []
    for row in tabulation.rows:
        feature = feature_of(row.unit, tabulation.level, atlas)
        if feature is None or feature.id not in backdrop or feature.id in by_feature:
            undrawn.append(row)
        else:
            by_feature[feature.id] = row
    areas = [_area(tabulation, f, by_feature.get(f.id), shading) for f in backdrop.values()]
    missing = [a for a in areas if a.css == "no-result"]
    legend = shading.legend + ((LegendRow("", (Swatch(NO_DATA, "no results for this area",
                                                      hatched=True),)),) if missing else ())
    outlines = tuple(atlas.states[s] for s in _states_in(scope, atlas)) \
        if geo_level == UnitKind.COUNTY else ()
    return Drawing(
        scope=scope, title=election_title(returns), subtitle=shading.subtitle, areas=tuple(areas),
        legend=legend, notes=(*shading.notes, *_coverage_notes(tabulation, undrawn, missing)),
        source=_source(returns), outlines=outlines,
        undrawn=tuple(_unit_data(tabulation, row, shading) for row in undrawn),
        data=(("election", returns.election.id), ("kind", str(kind)),
              ("level", str(tabulation.level)), ("units", str(len(by_feature)))))


def feature_of(unit: Unit, level: UnitKind, atlas: Atlas) -> Feature | None:
    """The boundary of ``unit`` in the atlas, or ``None`` when the atlas has none for it."""
    if level == UnitKind.STATE:
        code = unit.id if unit.id in atlas.states else STATE_BY_NAME.get(unit.name.lower())
        return atlas.states.get(code or "")
    if level != UnitKind.COUNTY or unit.kind != UnitKind.COUNTY:
        return None
    fips = unit.fips or (unit.id if unit.id.isdigit() and len(unit.id) == 5 else None)
    # a county renamed with a new code (Shannon → Oglala Lakota) is drawn in its place
    feature = atlas.counties.get(renamed_code(fips or ""))
    if feature is None:
        return None
    # Alaska's returns come by State House district under pseudo-FIPS 02001–02040, some of which
    # are real borough codes: join districts and Alaska only when the names agree.
    doubtful = feature.state == "AK" or "district" in unit.name.lower()
    if doubtful and normal_name(feature.name) not in normal_name(unit.name):
        return None
    return feature


def _backdrop(atlas: Atlas, scope: str, level: UnitKind | None) -> dict[str, Feature]:
    states = _states_in(scope, atlas)
    if level == UnitKind.COUNTY:
        return {f.id: f for f in atlas.counties.values() if f.state in states}
    return {s: atlas.states[s] for s in states}


def _states_in(scope: str, atlas: Atlas) -> list[str]:
    return list(atlas.states) if scope == "US" else [scope]


def _area(tabulation: Tabulation, feature: Feature, row: Row | None, shading: Shading) -> Area:
    if row is None:
        data = (("fips", feature.fips), ("name", feature.name), ("state", feature.state),
                ("status", "no-result"), ("category", "no results"))
        return Area(feature, NO_DATA, data, f"{feature.name}: no results for this area",
                    hatched=True, css="no-result")
    shade = shading.shades.get(row.unit.id, Shade(NO_DATA, "no results", hatched=True))
    return Area(feature, shade.fill, (("fips", feature.fips),
                                      *_unit_data(tabulation, row, shading)),
                _tooltip(tabulation, row, shade), shade.hatched)


def _unit_data(tabulation: Tabulation, row: Row, shading: Shading) -> tuple[tuple[str, str], ...]:
    shade = shading.shades.get(row.unit.id, Shade(NO_DATA, "no results"))
    winner = None if shade.fill == INCOMPLETE else leader(tabulation, row)
    votes = {c.id: row.of(c.id) for c in tabulation.columns if row.of(c.id)}
    return (("unit", row.unit.id), ("name", row.unit.name),
            ("state", row.unit.parent or tabulation.returns.election.state),
            ("total", str(row.total)),
            ("winner", _name(tabulation, winner) if winner else ""),
            ("winner-party", party_of(tabulation, winner) if winner else ""),
            ("margin", str(shading.margins.get(row.unit.id)
                            or tabulation.margin_percent(row))),
            ("category", shade.category), ("value", shade.value),
            ("status", "incomplete" if shade.fill == INCOMPLETE else "reporting"),
            ("votes", json.dumps(votes, separators=(",", ":"))))


def _tooltip(tabulation: Tabulation, row: Row, shade: Shade) -> str:
    shares = ", ".join(f"{_name(tabulation, c)} {row.share(c)}%"
                       for c in dict.fromkeys(tabulation.leading) if row.of(c))
    return f"{row.unit.name}: {shares} ({row.total:,} votes) — {shade.category}"


def _coverage_notes(tabulation: Tabulation, undrawn: list[Row], missing: list[Area]) -> list[str]:
    notes = []
    if tabulation.returns.election.state != "US":  # a state's returns may lack some of its units
        said = coverage(tabulation.returns).line()
        if said:
            notes.append(f"Incomplete: {said}. No winner is declared for the state.")
    if undrawn:
        names = [f"{r.unit.name} ({_short_result(tabulation, r)})" for r in undrawn[:8]]
        more = f", and {len(undrawn) - 8} more" if len(undrawn) > 8 else ""
        notes.append(f"Not drawn: {units_phrase(tabulation, len(undrawn))} "
                     f"with no boundary in the map's geometry: {'; '.join(names)}{more}. "
                     "Their results are counted in the totals and listed in the tables.")
    if missing:
        by_state: dict[str, int] = {}
        for area in missing:
            by_state[area.feature.state] = by_state.get(area.feature.state, 0) + 1
        where = (", ".join(f"{STATE_NAMES.get(s, s)} ({n})" for s, n in sorted(by_state.items()))
                 if len(by_state) <= 8 else f"in {len(by_state)} states")
        areas = "1 area" if len(missing) == 1 else f"{len(missing):,} areas"
        notes.append(f"Hatched grey: {areas} with no results at this level — {where}.")
    return notes


def _short_result(tabulation: Tabulation, row: Row) -> str:
    winner = leader(tabulation, row)
    if winner is None:
        return "tie" if row.total else "no votes"
    return f"{_name(tabulation, winner)} {row.share(winner)}%"


def _unmatched_ids(comparison: Comparison) -> list[str]:
    matched = {c.unit.id for c in comparison.changes}
    return [row.unit.id for row in comparison.later.rows if row.unit.id not in matched]


def _unmatched_notes(comparison: Comparison) -> tuple[str, ...]:
    if not comparison.unmatched:
        return ()
    year = comparison.earlier.returns.election.year
    names = ", ".join(comparison.unmatched[:8])
    more = f" and {len(comparison.unmatched) - 8} more" if len(comparison.unmatched) > 8 else ""
    return (f"No {year} result to compare with for: {names}{more} (hatched grey).",)


def _scale_legend(ramps: Mapping[str, Sequence[str]], steps: Sequence[int],
                  shades: Mapping[str, Shade]) -> tuple[LegendRow, ...]:
    """One row per side of a graded scale, then the tie / no-data swatches in use."""
    rows = [LegendRow(heading, tuple(Swatch(fills[k], _bin_label(k, steps))
                                     for k in range(len(steps) + 1)))
            for heading, fills in ramps.items()]
    extra = tie_swatches(shades.values())
    return (*rows, LegendRow("", tuple(extra))) if extra else tuple(rows)


def tie_swatches(shades: object) -> list[Swatch]:
    """Legend swatches for the tie / no-votes categories in use."""
    seen = {s.category for s in shades if s.fill == TIE}  # type: ignore[attr-defined]
    return [Swatch(TIE, category, hatched=True) for category in sorted(seen)]


def _step(value: Decimal, steps: Sequence[int]) -> int:
    return sum(1 for edge in steps if value >= edge)


def _bin_label(step: int, steps: Sequence[int]) -> str:
    if step == 0:
        return f"< {steps[0]}"
    if step == len(steps):
        return f"{steps[-1]}+"
    return f"{steps[step - 1]}–{steps[step]}"


def _points(share: Fraction) -> Decimal:
    """A fraction of the vote as percentage points, rounded once (half away from zero)."""
    return percent(share.numerator, share.denominator)


def _name(tabulation: Tabulation, candidate_id: str) -> str:
    return candidate_name(tabulation.returns, candidate_id)


def candidate_name(returns: Returns, candidate_id: str) -> str:
    """A candidate's name for display: ``BUSH, GEORGE W.`` reads ``George W. Bush``."""
    candidate = returns.candidate(candidate_id)
    return display_name(candidate.name) if candidate.name else candidate.label


def _headline(tabulation: Tabulation) -> str:
    total = tabulation.total
    parts = [f"{_name(tabulation, cid)} {total.share(cid)}%" for cid in tabulation.leading
             if total.of(cid)]
    return ", ".join(dict.fromkeys(parts))


def units_phrase(tabulation: Tabulation, n: int) -> str:
    """``1 county``, ``8 counties``, ``3 councils of government``."""
    if n == 1:
        return f"1 {_level_name(tabulation)}"
    return f"{n} {LEVEL_PLURALS.get(tabulation.level, 'units')}"


def _level_name(tabulation: Tabulation) -> str:
    return {UnitKind.COG: "council of government"}.get(tabulation.level, str(tabulation.level))


def election_title(returns: Returns) -> str:
    election = returns.election
    where = "the United States" if election.state == "US" else STATE_NAMES[election.state]
    office = {"president": "presidential"}.get(election.office, election.office)
    return election.name or f"{election.year} {office} election in {where}"


def _source(returns: Returns) -> str:
    source = f"Source: {returns.source}" if returns.source else "Source: electoral results store"
    return f"{source}. {ATTRIBUTION}."
