"""The forecast's pictures, as SVG (and PNG through ``electoral.report.maps.svg_to_png`` when cairo
is installed): the distribution of the Democrat's electoral votes, the state probability map (the
maps module's national projection, each state shaded by its rating) and a state's poll average
over time with the polls behind it.

Only drawing happens here; the averages over time are ``electoral.analyze.polls.poll_averages``
as of each day drawn.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path

from electoral.analyze.forecast import MAJORITY, RATING_BANDS, Forecast, Rating, StateForecast
from electoral.analyze.forecast_backtest import Backtest, CalibrationBin
from electoral.analyze.polls import DEM, REP, PollAverages, pick_question, poll_averages
from electoral.errors import ElectoralError
from electoral.formats import Palette
from electoral.io.outfile import write_file
from electoral.model import STATE_NAMES, Poll
from electoral.report.cartography import (
    INK,
    MUTED,
    SMALL_EAST,
    Area,
    Drawing,
    LegendRow,
    Swatch,
    render_svg,
    svg_chart,
)
from electoral.report.cartography import escape as esc
from electoral.report.geometry import ATTRIBUTION, load_atlas
from electoral.report.maps import PARTY_COLOURS, TIE, ramp, svg_to_png
from electoral.report.polls import lean

__all__ = ["average_chart", "averages_over_time", "calibration_chart", "ev_histogram",
           "percent_label", "probability_map", "write_calibration", "write_figures"]

DEM_COLOUR = PARTY_COLOURS[Palette.STANDARD]["democrat"]
REP_COLOUR = PARTY_COLOURS[Palette.STANDARD]["republican"]
#: Days of poll averages drawn before the forecast date, one point every STEP days.
HISTORY_DAYS, STEP_DAYS = 120, 3


def _rating_colour(rating: Rating, leader: str) -> str:
    if rating is Rating.TOSSUP:
        return TIE
    shades = ramp(DEM_COLOUR if leader == "democratic" else REP_COLOUR, 4)
    return shades[{Rating.LEAN: 0, Rating.LIKELY: 1, Rating.SAFE: 3}[rating]]


def ev_histogram(result: Forecast, width: int = 960, height: int = 420) -> str:
    """The share of simulations giving the Democrat each number of electors, one bar per count:
    blue where the Democrat wins, red where the Republican does, grey at 269–269."""
    dist = result.ev_distribution
    total = len(dist) - 1
    left, right, top, bottom = 60, 20, 70, 60
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max(dist) or 1.0
    bar = plot_w / (total + 1)
    subtitle = (f"P(Democrat) {result.win_democratic:.1%} · P(Republican) {result.win_republican:.1%}"
                f" · P(269–269) {result.tie:.2%} · {result.simulations:,} simulations, seed {result.seed}")
    body = [f'<text x="{width / 2}" y="50" text-anchor="middle" font-size="13" fill="{MUTED}">'
            f"{esc(subtitle)}</text>"]
    for k, p in enumerate(dist):
        if not p:
            continue
        fill = TIE if 2 * k == total else DEM_COLOUR if k >= MAJORITY else REP_COLOUR
        h = plot_h * p / peak
        body.append(f'<rect x="{left + k * bar:.2f}" y="{top + plot_h - h:.2f}" width="{max(bar, 1):.2f}" '
                    f'height="{h:.2f}" fill="{fill}"><title>{k} electors: {p:.4f}</title></rect>')
    line_x = left + (MAJORITY - 0.5) * bar
    body.append(f'<line x1="{line_x:.1f}" x2="{line_x:.1f}" y1="{top}" y2="{top + plot_h}" '
                f'stroke="{INK}" stroke-dasharray="4 3"/>')
    body.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}" y2="{top + plot_h}" '
                f'stroke="{INK}"/>')
    for k in range(0, total + 1, 50):
        x = left + (k + 0.5) * bar
        body.append(f'<text x="{x:.1f}" y="{top + plot_h + 18}" text-anchor="middle" font-size="12" '
                    f'fill="{INK}">{k}</text>')
    body.append(f'<text x="{width / 2}" y="{height - 16}" text-anchor="middle" font-size="13" '
                f'fill="{INK}">Democratic electoral votes (dashed: 270 to win)</text>')
    body.append(f'<text x="{left - 8}" y="{top + 4}" text-anchor="end" font-size="12" fill="{INK}">'
                f'{peak:.1%}</text>')
    return svg_chart(width, height,
                     f"{result.year}: distribution of electoral votes as of {result.as_of}", body)


def percent_label(p: float) -> str:
    """A probability as whole percent, never rounded to a certainty it is not: ">99", "<1"."""
    if 0.99 < p < 1:
        return ">99"
    if 0 < p < 0.01:
        return "<1"
    return str(round(100 * p))


def probability_map(result: Forecast, id_prefix: str = "") -> str:
    """The national map, each state shaded by its rating (``RATING_BANDS``) and titled with its
    probability; Maine and Nebraska by their statewide contest. ``id_prefix`` starts every element
    id, for a page that holds several maps."""
    by_unit = {s.unit: s for s in result.states}
    atlas = load_atlas()
    areas = []
    for state, feature in atlas.states.items():
        s: StateForecast | None = by_unit.get(state)
        if s is None:
            continue
        fill = _rating_colour(s.rating, s.leader)
        label = f"{s.rating.value} {'D' if s.leader == 'democratic' else 'R' if s.leader else ''}".strip()
        title = f"{STATE_NAMES.get(state, state)}: P(Democrat) {s.win_democratic:.1%}, {label}"
        data = (("state", state), ("p_democratic", f"{s.win_democratic:.4f}"), ("rating", label))
        areas.append(Area(feature, fill, data, title, False, percent_label(s.win_democratic)))
    swatches = [Swatch(_rating_colour(r, p), f"{r.value} {p[0].upper()}")
                for p in ("democratic",) for r, _ in RATING_BANDS if r is not Rating.TOSSUP]
    swatches.append(Swatch(TIE, Rating.TOSSUP.value))
    swatches += [Swatch(_rating_colour(r, "republican"), f"{r.value} R")
                 for r, _ in reversed(RATING_BANDS) if r is not Rating.TOSSUP]
    bands = ", ".join(f"{r.value} ≥ {low:.0%}" for r, low in RATING_BANDS if low)
    return render_svg(Drawing(
        scope="US", title=f"{result.year} forecast: each state's chance, as of {result.as_of}",
        subtitle=f"P(Democrat wins) {result.win_democratic:.1%}; labels: the Democrat's chance in %",
        areas=tuple(areas), legend=(LegendRow("Rating", tuple(swatches)),),
        notes=(f"Ratings by the leader's win probability: {bands}, else Tossup.",),
        source=f"Source: electoral forecast, {result.simulations:,} simulations, seed {result.seed}. "
        f"{ATTRIBUTION}.", data=(("kind", "forecast"), ("year", str(result.year))),
        side_labels=SMALL_EAST, prefix=id_prefix))


def averages_over_time(polls: Sequence[Poll], as_of: dt.date) -> dict[dt.date, PollAverages]:
    """The poll averages as of every ``STEP_DAYS``-th day of the ``HISTORY_DAYS`` to ``as_of``
    (days before any poll are left out)."""
    start = as_of - dt.timedelta(days=HISTORY_DAYS)
    series = {}
    for k in range(0, HISTORY_DAYS + 1, STEP_DAYS):
        day = start + dt.timedelta(days=k)
        try:
            series[day] = poll_averages(polls, day)
        except ValueError:
            continue
    return series


def average_chart(polls: Sequence[Poll], geography: str, as_of: dt.date,
                  series: Mapping[dt.date, PollAverages] | None = None,
                  width: int = 960, height: int = 400) -> str:
    """``geography``'s polls (dots: margin by end date) and its weighted average over time
    (``series``, default ``averages_over_time``; line and 95% band).

    Raises:
        ValueError: no poll of ``geography`` in that window.
    """
    start = as_of - dt.timedelta(days=HISTORY_DAYS)
    dots = [(p.end, float((q.share(DEM) or 0) - (q.share(REP) or 0))) for p in polls
            if p.geography == geography and start <= p.end <= as_of and (q := pick_question(p))]
    if not dots:
        raise ValueError(f"no poll of {geography} between {start} and {as_of}")
    series = averages_over_time(polls, as_of) if series is None else series
    line = [(day, s.margin, s.margin_se) for day, averages in sorted(series.items())
            for s in averages.states if s.geography == geography]
    left, right, top, bottom = 60, 20, 50, 50
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [m for _d, m in dots] + [m for _d, m, _s in line] + [0.0]
    low, high = min(values) - 2, max(values) + 2

    def x(day: dt.date) -> float:
        return left + plot_w * (day - start).days / HISTORY_DAYS

    def y(v: float) -> float:
        return top + plot_h * (high - v) / (high - low)

    body = [f'<line x1="{left}" x2="{left + plot_w}" y1="{y(0):.1f}" y2="{y(0):.1f}" stroke="{MUTED}" '
            'stroke-dasharray="3 3"/>',
            f'<text x="{left - 6}" y="{y(0) + 4:.1f}" text-anchor="end" font-size="11">even</text>']
    for d, m in dots:
        colour = DEM_COLOUR if m > 0 else REP_COLOUR
        body.append(f'<circle cx="{x(d):.1f}" cy="{y(m):.1f}" r="3" fill="{colour}" '
                    f'fill-opacity="0.45"><title>{d}: {lean(m)}</title></circle>')
    if line:
        band = " ".join(f"{x(d):.1f},{y(m + 1.96 * s):.1f}" for d, m, s in line)
        band += " " + " ".join(f"{x(d):.1f},{y(m - 1.96 * s):.1f}" for d, m, s in reversed(line))
        body.append(f'<polygon points="{band}" fill="{INK}" fill-opacity="0.08"/>')
        path = " ".join(f"{x(d):.1f},{y(m):.1f}" for d, m, _s in line)
        body.append(f'<polyline points="{path}" fill="none" stroke="{INK}" stroke-width="2"/>')
    for v in sorted({round(low / 5) * 5 + 5 * i for i in range(int((high - low) / 5) + 2)}):
        if low < v < high and v:
            body.append(f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end" font-size="11">'
                        f'{lean(v)}</text>')
    for k in range(0, HISTORY_DAYS + 1, 30):
        day = start + dt.timedelta(days=k)
        anchor = "end" if k + 30 > HISTORY_DAYS else "start" if k == 0 else "middle"
        body.append(f'<text x="{x(day):.1f}" y="{top + plot_h + 18}" text-anchor="{anchor}" '
                    f'font-size="11">{day.isoformat()}</text>')
    title = (f"{STATE_NAMES.get(geography, geography)}: polls and weighted average (95% band) to "
             f"{as_of}")
    return svg_chart(width, height, title, body)


def calibration_chart(result: Backtest, size: int = 560) -> str:
    """Predicted P(Democrat wins) against the share the Democrat won, one dot per calibration bin
    (area by its number of states) for the model (dark) and the baseline (light); the diagonal is
    perfect calibration."""
    left, top, plot = 70, 60, size - 110
    years = ", ".join(str(y.year) for y in result.years)

    def at(p: float, q: float) -> tuple[float, float]:
        return left + plot * p, top + plot * (1 - q)

    body = [f'<rect x="{left}" y="{top}" width="{plot}" height="{plot}" fill="none" stroke="{MUTED}"/>',
            f'<line x1="{left}" y1="{top + plot}" x2="{left + plot}" y2="{top}" stroke="{MUTED}" '
            'stroke-dasharray="4 3"/>']
    for k in range(0, 11, 2):
        x, y = at(k / 10, k / 10)
        body.append(f'<text x="{x:.1f}" y="{top + plot + 18}" text-anchor="middle" font-size="11">'
                    f'{k / 10:.1f}</text>')
        body.append(f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end" font-size="11">'
                    f'{k / 10:.1f}</text>')
    series: tuple[tuple[str, tuple[CalibrationBin, ...]], ...] = (
        ("#9a9a9a", result.baseline_calibration), (INK, result.calibration))
    for colour, bins in series:
        for b in bins:
            x, y = at(b.predicted, b.observed)
            radius = 2 + 1.2 * b.count ** 0.5
            body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}" fill="{colour}" '
                        f'fill-opacity="0.6"><title>{b.low:.1f}–{b.high:.1f}: {b.count} states, predicted '
                        f'{b.predicted:.3f}, won {b.observed:.3f}</title></circle>')
    body += [f'<text x="{left + plot / 2}" y="{size - 14}" text-anchor="middle" font-size="13">'
             "predicted P(Democrat wins)</text>",
             f'<text x="16" y="{top + plot / 2}" text-anchor="middle" font-size="13" '
             f'transform="rotate(-90 16 {top + plot / 2})">share won by the Democrat</text>',
             f'<text x="{left + 8}" y="{top + 18}" font-size="12" fill="{INK}">● model</text>',
             f'<text x="{left + 8}" y="{top + 34}" font-size="12" fill="#9a9a9a">● baseline</text>']
    return svg_chart(size, size, f"Calibration, {years}", body)


def _write(out: Path, name: str, svg: str) -> list[Path]:
    written = [out / f"{name}.svg"]
    write_file(written[0], svg)
    try:
        png = svg_to_png(svg)
    except ElectoralError:
        return written  # no cairo: SVG only, as the docstring of write_figures says
    written.append(out / f"{name}.png")
    write_file(written[1], png)
    return written


def write_calibration(result: Backtest, out: Path) -> list[Path]:
    """Write ``calibration`` (``calibration_chart``) into ``out`` as SVG (and PNG with cairo)."""
    out.mkdir(parents=True, exist_ok=True)
    return _write(out, "calibration", calibration_chart(result))


def write_figures(result: Forecast, polls: Sequence[Poll], out: Path,
                  states: Sequence[str] = ()) -> list[Path]:
    """Write ``ev-histogram``, ``probability-map`` and ``average-<STATE>`` for each of ``states``
    (default: the five states nearest a tie) into ``out`` (made if missing), as SVG and, when
    cairo is installed, PNG. Returns the files written."""
    out.mkdir(parents=True, exist_ok=True)
    as_of = dt.date.fromisoformat(result.as_of)
    polled = {p.geography for p in polls if p.end <= as_of}
    chosen = list(states) or [s.unit for s in sorted(result.states, key=lambda s: abs(s.win_democratic - 0.5))
                              if s.unit in polled][:5]
    written = _write(out, "ev-histogram", ev_histogram(result))
    written += _write(out, "probability-map", probability_map(result))
    series = averages_over_time(polls, as_of) if chosen else {}
    for state in chosen:
        written += _write(out, f"average-{state}", average_chart(polls, state, as_of, series))
    return written
