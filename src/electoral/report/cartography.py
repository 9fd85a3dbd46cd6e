"""Draw a finished map description as SVG: project the areas, write one element per area with its
``data-`` attributes, then the legend, the notes and the source line. No election logic lives here:
``maps`` decides what each area means and which colour it gets.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from html import escape as escape_html

import numpy as np

from electoral.io.escaping import xml_text
from electoral.report.geometry import Atlas, Feature, load_atlas
from electoral.report.projection import (
    ALASKA,
    HAWAII,
    Albers,
    Composite,
    Fit,
    Inset,
    fit,
    united_states,
)
from electoral.report.projection import aspect as aspect_of


def escape(text: str) -> str:
    """``text`` for SVG markup: HTML-escaped, and without the characters XML 1.0 cannot carry (a
    control character in a name would leave the map ill-formed)."""
    return escape_html(xml_text(text))

def svg_chart(width: int, height: int, title: str, body: Sequence[str]) -> str:
    """A chart's SVG document: a white ``width`` × ``height`` canvas, ``title`` (escaped here)
    centred at the top, then ``body``, the chart's elements, as given."""
    return "\n".join([
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT}">',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{width / 2}" y="28" text-anchor="middle" font-size="19" font-weight="bold" '
        f'fill="{INK}">{escape(title)}</text>', *body, "</svg>"])


WIDTH = 960
MARGIN = 20
FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
INK = "#222222"
MUTED = "#555555"
NO_DATA = "#eeeeee"
SMALL_EAST = ("VT", "NH", "MA", "RI", "CT", "NJ", "DE", "MD", "DC")


@dataclass(frozen=True, slots=True)
class Area:
    """One drawn area: its boundary, its fill (hatched: diagonal stripes over the fill, so that a
    category never rests on colour alone) and what it stands for, as ``data-`` attributes."""

    feature: Feature
    fill: str
    data: tuple[tuple[str, str], ...]
    title: str
    hatched: bool = False
    label: str = ""  # text drawn on the area (electors on a college map)
    css: str = "unit"  # its class: "unit" for a reporting unit, "no-result" for an empty area


@dataclass(frozen=True, slots=True)
class Swatch:
    fill: str
    label: str
    hatched: bool = False


@dataclass(frozen=True, slots=True)
class LegendRow:
    heading: str
    swatches: tuple[Swatch, ...]


@dataclass(frozen=True, slots=True)
class Drawing:
    """Everything a map shows. ``scope`` is ``"US"`` (the composite national projection) or a
    state's USPS code; ``undrawn`` holds the ``data-`` attributes of units the geometry lacks."""

    scope: str
    title: str
    subtitle: str
    areas: tuple[Area, ...]
    legend: tuple[LegendRow, ...]
    notes: tuple[str, ...]
    source: str
    outlines: tuple[Feature, ...] = ()  # borders drawn over the areas (states on a county map)
    undrawn: tuple[tuple[tuple[str, str], ...], ...] = ()
    data: tuple[tuple[str, str], ...] = ()
    side_labels: tuple[str, ...] = field(default=())  # area ids labelled beside the map
    prefix: str = ""  # prepended to every id, so that several maps can share one page


def render_svg(drawing: Drawing, width: int = WIDTH) -> str:
    """The drawing as a standalone SVG 1.1 document ``width`` pixels wide (the height follows the
    projected map's aspect, at most 640 pixels of map), areas in an Albers equal-area projection
    (``electoral.report.projection``).

    Raises:
        ValueError: the drawing has no area and no outline to draw.
    """
    side = 90 if drawing.side_labels else 0
    planes = _projected(drawing.scope, [a.feature for a in drawing.areas], drawing.outlines)
    points = [p for _, p in planes.values()]
    map_width = width - 2 * MARGIN - side
    top = 78 if drawing.subtitle else 56
    map_height = min(map_width * aspect_of(points), 640.0)
    placed = fit(points, map_width, map_height, MARGIN, top)
    paths = _paths(planes, placed)
    legend, legend_height = _legend(drawing.legend, width, top + map_height + 24,
                                    drawing.prefix)
    notes_top = top + map_height + 24 + legend_height + 10
    note_lines = [line for note in drawing.notes for line in textwrap.wrap(note, 128)]
    source_lines = textwrap.wrap(drawing.source, 145)
    height = notes_top + 18 * len(note_lines) + 16 * len(source_lines) + 24
    body = [
        _head(drawing, width, height),
        _defs(drawing),
        f'<rect width="{width}" height="{height:.0f}" fill="#ffffff"/>',
        _text(width / 2, 32, drawing.title, 'font-size="21" font-weight="bold"', "title"),
        _text(width / 2, 56, drawing.subtitle, f'font-size="14" fill="{MUTED}"', "subtitle")
        if drawing.subtitle else "",
        _areas(drawing, paths),
        _outlines(drawing, paths),
        _labels(drawing, planes, placed, width - MARGIN - side + 10),
        legend,
        *(_text(MARGIN, notes_top + 18 * i, line, f'font-size="12" fill="{INK}"', "note", "start")
          for i, line in enumerate(note_lines)),
        *(_text(MARGIN, height - 14 - 16 * (len(source_lines) - 1 - i), line,
                f'font-size="11" fill="{MUTED}"', "source", "start")
          for i, line in enumerate(source_lines)),
        _undrawn(drawing),
        "</svg>",
    ]
    return "\n".join(part for part in body if part)


def _head(drawing: Drawing, width: int, height: float) -> str:
    data = "".join(f' data-{k}="{escape(v)}"' for k, v in drawing.data)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height:.0f}" '
            f'width="{width}" height="{height:.0f}" role="img" class="electoral-map" '
            f'aria-labelledby="{drawing.prefix}map-title" font-family="{FONT}"{data}>\n'
            f'<title id="{drawing.prefix}map-title">{escape(drawing.title)}: '
            f'{escape(drawing.subtitle)}</title>')


def _defs(drawing: Drawing) -> str:
    fills = {a.fill for a in drawing.areas if a.hatched}
    fills |= {s.fill for row in drawing.legend for s in row.swatches if s.hatched}
    patterns = [
        f'<pattern id="{_pattern_id(fill, drawing.prefix)}" width="6" height="6" '
        f'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="{fill}"/>'
        f'<rect width="2.2" height="6" fill="{_stripe(fill)}"/></pattern>'
        for fill in sorted(fills)]
    return f"<defs>{''.join(patterns)}</defs>" if patterns else ""


def _pattern_id(fill: str, prefix: str) -> str:
    return f"{prefix}hatch-" + fill.lstrip("#").lower()


def _paint(fill: str, hatched: bool, prefix: str) -> str:
    return f"url(#{_pattern_id(fill, prefix)})" if hatched else fill


def _stripe(fill: str) -> str:
    """White stripes on a dark fill, grey ones on a light fill."""
    r, g, b = (int(fill[i:i + 2], 16) for i in (1, 3, 5))
    return "#ffffff" if 0.299 * r + 0.587 * g + 0.114 * b < 150 else "#9a9a9a"


def _areas(drawing: Drawing, paths: dict[str, str]) -> str:
    county_level = bool(drawing.outlines)
    width = 0.2 if drawing.scope == "US" and county_level else 0.6
    out = [f'<g class="units" stroke="#ffffff" stroke-width="{width}" stroke-linejoin="round">']
    for area in drawing.areas:
        data = "".join(f' data-{k}="{escape(v)}"' for k, v in area.data)
        out.append(f'<path id="{drawing.prefix}unit-{escape(area.feature.id)}" '
                   f'class="{area.css}" fill="{_paint(area.fill, area.hatched, drawing.prefix)}"'
                   f'{data} '
                   f'd="{paths[area.feature.id]}"><title>{escape(area.title)}</title></path>')
    out.append("</g>")
    return "\n".join(out)


def _outlines(drawing: Drawing, paths: dict[str, str]) -> str:
    if not drawing.outlines:
        return ""
    width = 0.6 if drawing.scope == "US" else 1.2
    lines = "".join(f'<path d="{paths["outline-" + f.id]}"/>' for f in drawing.outlines)
    return (f'<g class="borders" fill="none" stroke="#4a4a4a" stroke-width="{width}" '
            f'stroke-linejoin="round" aria-hidden="true">{lines}</g>')


def _labels(drawing: Drawing, planes: Planes, placed: Fit, side_x: float) -> str:
    """Labels at each labelled area's centre; small eastern states get theirs beside the map."""
    out, side_y = [], None
    centres = {a.feature.id: _centre(a.feature, placed, planes) for a in drawing.areas if a.label}
    beside = sorted((a for a in drawing.areas if a.feature.id in drawing.side_labels),
                    key=lambda a: centres.get(a.feature.id, (0, 0))[1])
    inside = [a for a in drawing.areas if a.feature.id not in drawing.side_labels]
    for area in (*inside, *beside):
        if not area.label:
            continue
        x, y = centres[area.feature.id]
        if area.feature.id in drawing.side_labels:
            side_y = max(y, side_y + 17) if side_y is not None else y
            out.append(f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{side_x - 4:.1f}" y2="{side_y:.1f}" '
                       f'stroke="{MUTED}" stroke-width="0.6"/>')
            out.append(_text(side_x, side_y + 4, f"{area.feature.id} {area.label}",
                             f'font-size="12" fill="{INK}"', "label", "start"))
            continue
        light = _stripe(area.fill) == "#ffffff"  # white text on a dark fill, with a halo
        style = 'font-size="11" font-weight="bold"'
        out.append(_text(x, y + 4, area.label, f'{style} fill="none" stroke-width="2.5" '
                         f'stroke="{"#333333" if light else "#ffffff"}" stroke-opacity="0.6"',
                         "halo"))
        out.append(_text(x, y + 4, area.label, f'{style} fill="{"#ffffff" if light else INK}"',
                         "label"))
    return f'<g class="labels" aria-hidden="true">{"".join(out)}</g>' if out else ""


def _centre(feature: Feature, placed: Fit, planes: Planes) -> tuple[float, float]:
    """The area-weighted centroid of the feature's largest ring, on the canvas."""
    rings = _split(planes[feature.id][1], feature)
    ring = placed.apply(max(rings, key=lambda r: abs(_area(r))))
    x, y = ring[:, 0], ring[:, 1]
    cross = x * np.roll(y, -1) - np.roll(x, -1) * y
    a = cross.sum() / 2
    if abs(a) < 1e-9:
        return float(x.mean()), float(y.mean())
    return (float(((x + np.roll(x, -1)) * cross).sum() / (6 * a)),
            float(((y + np.roll(y, -1)) * cross).sum() / (6 * a)))


def _area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return float((x * np.roll(y, -1) - np.roll(x, -1) * y).sum() / 2)


def _split(points: np.ndarray, feature: Feature) -> list[np.ndarray]:
    lengths = [len(r) for r in feature.rings()]
    return np.split(points, np.cumsum(lengths)[:-1])


def _legend(rows: Sequence[LegendRow], width: int, top: float,
            prefix: str) -> tuple[str, float]:
    out, y = ['<g class="legend">'], top
    indent = max((_text_width(r.heading, 8.2) + 14 for r in rows if r.heading), default=0)
    for row in rows:
        x = MARGIN + indent
        if row.heading:
            out.append(_text(MARGIN, y + 11, row.heading, f'font-size="13" font-weight="bold" '
                             f'fill="{INK}"', "legend-heading", "start"))
        for swatch in row.swatches:
            step = _text_width(swatch.label, 7.0) + 30
            if x + step > width - MARGIN:
                x, y = MARGIN + indent, y + 22
            out.append(f'<rect x="{x}" y="{y}" width="16" height="14" stroke="#888888" '
                       f'stroke-width="0.5" fill="{_paint(swatch.fill, swatch.hatched, prefix)}"/>')
            out.append(_text(x + 21, y + 11, swatch.label, f'font-size="12" fill="{INK}"',
                             "legend-label", "start"))
            x += step
        y += 24
    out.append("</g>")
    return "\n".join(out), y - top


def _text_width(text: str, per_char: float) -> float:
    return len(text) * per_char


def _text(x: float, y: float, text: str, style: str, cls: str, anchor: str = "middle") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" class="{cls}" {style}>'
            f"{escape(text)}</text>")


def _undrawn(drawing: Drawing) -> str:
    if not drawing.undrawn:
        return ""
    items = "".join("<g" + "".join(f' data-{k}="{escape(v)}"' for k, v in data) + "/>"
                    for data in drawing.undrawn)
    return f'<g class="undrawn" data-count="{len(drawing.undrawn)}">{items}</g>'


# ---- projection of features to path data ------------------------------------------------------

Planes = dict[str, tuple[Feature, np.ndarray]]


def _projected(scope: str, areas: Iterable[Feature], outlines: Iterable[Feature]) -> Planes:
    """Each feature's ring positions projected to the plane, concatenated in ring order, keyed by
    id (outlines by ``outline-<id>``)."""
    projection = _projection(scope)
    keyed = [(f.id, f) for f in areas] + [("outline-" + f.id, f) for f in outlines]
    return {key: (f, projection.project(np.concatenate(f.rings()), f.state)) for key, f in keyed}


def _projection(scope: str) -> Composite:
    if scope == "US":
        return _national()
    if scope in ("AK", "HI"):
        return Composite(Inset(Albers(*(ALASKA if scope == "AK" else HAWAII))))
    return Composite(Inset(Albers.fitted(np.concatenate(_atlas().states[scope].rings()))))


@cache
def _atlas() -> Atlas:
    return load_atlas()


@cache
def _national() -> Composite:
    states = _atlas().states
    lower48 = np.concatenate([r for s in states.values() if s.id not in ("AK", "HI")
                              for r in s.rings()])
    return united_states(lower48, np.concatenate(states["AK"].rings()),
                         np.concatenate(states["HI"].rings()))


def _paths(planes: Planes, placed: Fit) -> dict[str, str]:
    """SVG path data for every projected feature, to a tenth of a pixel, repeated points dropped."""
    return {key: _path_data(placed.apply(points), [len(r) for r in feature.rings()])
            for key, (feature, points) in planes.items()}


def _path_data(points: np.ndarray, lengths: list[int]) -> str:
    tenths = np.rint(points * 10).astype(np.int64)
    starts = np.zeros(len(tenths), dtype=bool)
    starts[np.cumsum([0, *lengths[:-1]])] = True
    moved = np.ones(len(tenths), dtype=bool)
    moved[1:] = (tenths[1:] != tenths[:-1]).any(axis=1)
    keep = moved | starts
    text = [f"{x / 10:g},{y / 10:g}" for x, y in tenths.tolist()]
    parts, begin = [], 0
    for length in lengths:
        ring = [text[i] for i in range(begin, begin + length) if keep[i]]
        if len(ring) >= 3:  # a ring smaller than a tenth of a pixel is not drawn
            parts.append(f"M{ring[0]}L{' '.join(ring[1:])}Z")
        begin += length
    # An area too small to see at this scale is still drawn, as a dot.
    return "".join(parts) or f"M{text[0]}h0.8v0.8h-0.8Z"
