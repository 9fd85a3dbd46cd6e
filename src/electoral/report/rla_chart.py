"""The planner comparison's picture, as SVG: ballots to audit against the diluted margin, both on
log scales, for ballot polling (BRAVO, 90 % round one), ballot comparison (SuperSimple) and batch
comparison (MACRO, the expected ballots in the batches drawn), with every contest of the
comparison marked at its own margin and sizes.

Only drawing happens here: the curves are ``electoral.rla.compare.curves`` and the contests'
sizes ``electoral.rla.compare.compare``'s rows. Each contest is one ``<g class="contest">`` with
its name (escaped) in ``data-contest`` and a ``<title>``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from electoral.report.cartography import INK, MUTED, svg_chart
from electoral.report.cartography import escape as esc
from electoral.rla.compare import Comparison, Curve, Row

__all__ = ["COLOURS", "sample_size_chart"]

#: One colour per method (colour-blind-safe Okabe–Ito hues), and the method's name in the legend.
COLOURS = {"bravo": "#0072B2", "supersimple": "#009E73", "macro": "#D55E00"}
NAMES = {"bravo": "ballot polling (BRAVO, 90 % round one)",
         "supersimple": "ballot comparison (SuperSimple)",
         "macro": "batch comparison (MACRO, expected ballots)"}
WIDTH, HEIGHT = 960, 560
LEFT, RIGHT, TOP, BOTTOM = 80, 300, 70, 60
LABELLED = 12  # with more contests than this only the non-county ones are labelled


def _mark(method: str, x: float, y: float, full: bool = False) -> str:
    """A method's mark at (x, y): BRAVO a circle, SuperSimple a square, MACRO a triangle;
    hollow when the plan is a full hand count."""
    colour = COLOURS[method]
    paint = f'fill="#ffffff" stroke="{colour}" stroke-width="1.5"' if full else f'fill="{colour}"'
    if method == "bravo":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" {paint}/>'
    if method == "supersimple":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" {paint}/>'
    return f'<path d="M{x:.1f},{y - 5:.1f} L{x + 5:.1f},{y + 4:.1f} L{x - 5:.1f},{y + 4:.1f} Z" {paint}/>'


def _decades(low: float, high: float) -> list[int]:
    return list(range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1))


def sample_size_chart(comparison: Comparison, drawn: Sequence[Curve], *, ballots: int,
                      batch_ballots: int | None = None) -> str:
    """The chart as SVG text: ``drawn`` curves (computed for a contest of ``ballots`` ballots, and
    MACRO's for batches of ``batch_ballots``), the full-hand-count line at ``ballots``, and one
    mark per contest of ``comparison`` at its margin and sizes (hollow where a method needs a full
    hand count; a tied contest at the left edge, at its ballots)."""
    margins = [float(r.margin) for r in comparison.rows if r.margin > 0]
    margins += [x for c in drawn for x, _, _ in c.points]
    low_x = 10.0 ** math.floor(math.log10(min(margins, default=0.01)))
    top_y = 10.0 ** math.ceil(math.log10(max([ballots, *(r.planned.contest.ballots
                                                         for r in comparison.rows)])))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x_at(margin: float) -> float:
        return LEFT + plot_w * (math.log10(max(margin, low_x)) - math.log10(low_x)) / -math.log10(low_x)

    def y_at(size: float) -> float:
        return TOP + plot_h * (1 - math.log10(max(size, 1.0)) / math.log10(top_y))

    body = [f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="none" '
            f'stroke="{MUTED}"/>']
    for power in _decades(low_x, 1.0):
        x = x_at(10.0 ** power)
        body.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{TOP}" y2="{TOP + plot_h}" stroke="#e4e4e4"/>')
        body.append(f'<text x="{x:.1f}" y="{TOP + plot_h + 18}" text-anchor="middle" '
                    f'font-size="11">{100 * 10.0 ** power:g}%</text>')
    for power in _decades(1.0, top_y):
        y = y_at(10.0 ** power)
        body.append(f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e4e4e4"/>')
        body.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">'
                    f'{10 ** power:,}</text>')
    y_full = y_at(ballots)
    body.append(f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y_full:.1f}" y2="{y_full:.1f}" '
                f'stroke="{INK}" stroke-dasharray="5 4"/>')
    body.append(f'<text x="{LEFT + 6}" y="{y_full - 5:.1f}" font-size="11" fill="{INK}">full hand '
                f'count: {ballots:,} ballots</text>')
    for curve in drawn:
        points = " ".join(f"{x_at(x):.1f},{y_at(n):.1f}" for x, n, _ in curve.points)
        body.append(f'<polyline class="curve" data-method="{curve.method}" points="{points}" '
                    f'fill="none" stroke="{COLOURS[curve.method]}" stroke-width="2"/>')
    label = len(comparison.rows) <= LABELLED
    for row in comparison.rows:
        body.append(_contest(row, x_at, y_at, label or row.planned.level != "county"))
    body += _legend(comparison, ballots, batch_ballots, LEFT + plot_w + 20)
    body += [f'<text x="{LEFT + plot_w / 2}" y="{HEIGHT - 14}" text-anchor="middle" font-size="13">'
             "diluted margin (smallest winner–loser margin over ballots cast), log scale</text>",
             f'<text x="18" y="{TOP + plot_h / 2}" text-anchor="middle" font-size="13" '
             f'transform="rotate(-90 18 {TOP + plot_h / 2})">ballots to audit, log scale</text>']
    title = (f"{comparison.source}: ballots to audit at a {100 * comparison.risk_limit:g}% risk "
             "limit")
    return svg_chart(WIDTH, HEIGHT, title, body)


def _contest(row: Row, x_at: Callable[[float], float], y_at: Callable[[float], float],
             labelled: bool) -> str:
    ballots = row.planned.contest.ballots
    x = x_at(float(row.margin))
    sizes = {m: s for m, s in row.sizes().items() if m in COLOURS}
    described = "; ".join(f"{m} {'full hand count' if s.full_hand_count else f'{s.ballots(ballots):,}'}"
                          for m, s in sizes.items())
    parts = [f'<g class="contest" data-contest="{esc(row.name)}" data-level="{esc(row.planned.level)}">',
             f"<title>{esc(row.name)}: margin {100 * float(row.margin):.2f}%; {esc(described)}</title>"]
    parts += [_mark(m, x, y_at(s.ballots(ballots)), s.full_hand_count) for m, s in sizes.items()]
    if labelled:
        top = min(y_at(s.ballots(ballots)) for s in sizes.values())
        parts.append(f'<text x="{x + 7:.1f}" y="{top - 7:.1f}" font-size="11" fill="{INK}">'
                     f"{esc(row.name)}</text>")
    parts.append("</g>")
    return "".join(parts)


def _legend(comparison: Comparison, ballots: int, batch_ballots: int | None, x: float) -> list[str]:
    rows = [f'<text x="{x}" y="{TOP + 10}" font-size="12" font-weight="bold" fill="{INK}">'
            "curves: two candidates, no undervotes</text>",
            f'<text x="{x}" y="{TOP + 26}" font-size="11" fill="{MUTED}">{ballots:,} ballots'
            + (f", batches of {batch_ballots:,}" if batch_ballots else "") + "</text>"]
    y = TOP + 50
    for method, name in NAMES.items():
        if method == "macro" and not batch_ballots:
            continue
        rows.append(_mark(method, x + 6, y - 4))
        rows.append(f'<text x="{x + 18}" y="{y}" font-size="11" fill="{INK}">{name}</text>')
        y += 20
    rows.append(f'<text x="{x}" y="{y + 10}" font-size="11" fill="{MUTED}">marks: the '
                f"{len(comparison.rows)} contest(s) planned, each at its</text>")
    rows.append(f'<text x="{x}" y="{y + 26}" font-size="11" fill="{MUTED}">own ballots; hollow: '
                "full hand count</text>")
    rows.append(f'<text x="{x}" y="{y + 42}" font-size="11" fill="{MUTED}">γ {comparison.gamma:g}; '
                f"rates {', '.join(f'{r:g}' for r in comparison.rates)}</text>")
    return rows
