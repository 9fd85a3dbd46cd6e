"""The national Electoral College map: each state shaded by the nominee its electors were pledged
to and labelled with its electors (a split state, Maine or Nebraska, hatched and labelled with its
split); the small eastern states are labelled beside the map."""

from __future__ import annotations

from collections.abc import Mapping

from electoral.model import STATE_NAMES
from electoral.report.cartography import SMALL_EAST, Area, Drawing, LegendRow, Swatch, render_svg
from electoral.report.geometry import ATTRIBUTION, load_atlas
from electoral.report.maps import TIE, Palette, Shade, Shading, colour_table, tie_swatches
from electoral.tabulate.electors import College


def college_shading(college: College, colours: Mapping[str, str]) -> Shading:
    """States by the electors they gave; a state that split its electors is hatched."""
    shades: dict[str, Shade] = {}
    for state in STATE_NAMES:
        won: dict[str, int] = {}
        for contest in college.state(state):
            if contest.winner is not None:
                won[contest.winner] = won.get(contest.winner, 0) + contest.electors
        if not won:
            shades[state] = Shade(TIE, "no electors decided", hatched=True)
            continue
        top = max(won, key=lambda key: won[key])
        split = "–".join(str(n) for n in sorted(won.values(), reverse=True))
        shades[state] = Shade(colours[_nominee_party(college, top)], college.name(top)
                              + (" (split)" if len(won) > 1 else ""), split, len(won) > 1)
    swatches = [Swatch(colours[_nominee_party(college, key)],
                       f"{college.name(key)}: {college.pledged.get(key, 0)}")
                for key in college.ranking() if college.pledged.get(key)]
    if any(s.hatched and s.fill != TIE for s in shades.values()):
        swatches.append(Swatch(TIE, "state split its electors (hatched)", hatched=True))
    swatches += tie_swatches(shades.values())
    winner = (f"{college.name(college.winner)} elected with {college.cast[college.winner]} of "
              f"{college.total}" if college.winner else "no majority: contingent election")
    notes = (f"Pledged electors by state ({college.needed} needed to win); each state's label "
             "gives its electors. Maine and Nebraska may split theirs by congressional district.",)
    return Shading(shades, (LegendRow("Electors pledged", tuple(swatches)),),
                   f"Electoral College · {winner}", notes)


def _nominee_party(college: College, key: str) -> str:
    nominee = college.nominees.get(key)
    return (nominee.party or nominee.name) if nominee else key


def draw_college(college: College, palette: Palette | str = Palette.STANDARD,
                 id_prefix: str = "") -> str:
    """The national map of the Electoral College: each state shaded by the nominee who won its
    electors, labelled with how many it has."""
    palette = Palette(palette)
    colours = colour_table([(_nominee_party(college, k), False) for k in college.ranking()],
                           palette)
    shading = college_shading(college, colours)
    atlas = load_atlas()
    areas = []
    for state, feature in atlas.states.items():
        shade = shading.shades[state]
        electors = sum(c.electors for c in college.state(state))
        data = (("fips", feature.fips), ("unit", state), ("name", feature.name),
                ("state", state), ("electors", str(electors)), ("winner", shade.category),
                ("category", shade.category), ("value", shade.value))
        title = f"{feature.name}: {electors} electors — {shade.category} ({shade.value})"
        label = shade.value if shade.hatched and shade.value else str(electors)  # split: "4–1"
        areas.append(Area(feature, shade.fill, data, title, shade.hatched, label))
    return render_svg(Drawing(
        scope="US", title=f"{college.year} presidential election: the Electoral College",
        subtitle=shading.subtitle, areas=tuple(areas), legend=shading.legend,
        notes=shading.notes, source=f"Source: state returns in the electoral store; "
        f"electors per state from the apportionment. {ATTRIBUTION}.",
        data=(("election", f"{college.year}-US-president"), ("kind", "college"),
              ("level", "state"), ("units", str(len(areas)))),
        side_labels=SMALL_EAST, prefix=id_prefix))
