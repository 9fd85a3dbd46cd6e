"""MACRO batch-comparison audits: batch error bounds, PPEB sample sizes and the measured risk.

Stark (2008), "Conservative statistical post-election audits", Annals of Applied Statistics 2(2),
and Stark (2009), "Efficient post-election audits of multiple contests: 2009 California tests"
(MACRO, the maximum across contests of relative overstatements; here one contest at a time). For
each winner–loser pair ``V_wl = v_w − v_l`` over the contest. A batch ``p`` with ``b_p`` ballots has
the error bound ``u_p = max over pairs (v_wp − v_lp + b_p) / V_wl`` and ``U = Σ u_p``; batches are
drawn with probability proportional to ``u_p`` (PPEB, ``sampler.draw_weighted``). An audited
batch's error ``e_p = max over pairs ((v_wp − v_lp) − (a_wp − a_lp)) / V_wl`` (0 when negative) has
taint ``t_p = e_p / u_p``, and the P-value is ``P = Π (1 − 1/U) / (1 − t_p)`` over the audited
batches. Sizes: ``⌈ln α / ln(1 − 1/U)⌉ + 1`` batches in round one (the extra batch absorbs small
discrepancies, as Arlo plans), and ``⌈(ln α − ln P) / ln(1 − 1/U)⌉ + 1`` further ones after a round
that did not confirm. Bounds, taints and ``U`` are exact fractions; only the logarithms are floats.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from electoral.errors import Problem, ValidationError
from electoral.rla.contest import Contest, make_contest


@dataclass(frozen=True, slots=True)
class BatchCount:
    """One batch's votes in one contest (candidate → votes) and its ballots in that contest."""

    votes: dict[str, int]
    ballots: int | None
    line: int


# contest → batch → its count, in file order
Batches = dict[str, dict[str, BatchCount]]


def read_batches(data: bytes, source: str = "batches", *, with_ballots: bool = True) -> Batches:
    """Read a batch file: ``batch,contest,candidate,votes,ballots`` (``with_ballots``), or the
    hand counts ``batch,contest,candidate,votes``.

    Raises:
        ValidationError: every bad row, located (file, line, field): a wrong header or number of
            fields, an empty name, a count that is not a whole number ≥ 0, a candidate repeated in
            a batch, ballots that differ between a batch's rows or are fewer than its votes.
    """
    columns = ("batch", "contest", "candidate", "votes") + (("ballots",) if with_ballots else ())
    try:
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    except UnicodeDecodeError as exc:
        raise ValidationError([Problem("not_utf8", f"not UTF-8 text (byte {exc.start})", source)]) from None
    if not rows or tuple(c.strip().lower() for c in rows[0]) != columns:
        raise ValidationError([Problem("batches_header", f"the header must be {','.join(columns)}",
                                       source, 1)])
    found: Batches = {}
    problems: list[Problem] = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        problem = _add_row(found, [c.strip() for c in row], columns, source, line)
        if problem:
            problems.append(problem)
    for contest, batches in found.items():
        for batch, count in batches.items():
            if count.ballots is not None and sum(count.votes.values()) > count.ballots:
                problems.append(Problem("votes_over_ballots", f"{batch} / {contest}: votes add up to "
                                        f"{sum(count.votes.values())}, more than its {count.ballots} "
                                        "ballots", source, count.line, "ballots"))
    if problems:
        raise ValidationError(problems)
    return found


def _add_row(found: Batches, row: list[str], columns: tuple[str, ...], source: str,
             line: int) -> Problem | None:
    if len(row) != len(columns):
        return Problem("batches_fields", f"{len(row)} fields, expected {len(columns)}", source, line)
    for name, value in zip(columns, row, strict=True):
        if not value:
            return Problem("empty_field", f"the {name} is empty", source, line, name)
        if name in ("votes", "ballots") and not (value.isascii() and value.isdigit()):
            return Problem("bad_count", f"{name} {value!r} is not a whole number", source, line, name)
    batch, contest, candidate, votes = row[:4]
    ballots = int(row[4]) if len(columns) == 5 else None
    count = found.setdefault(contest, {}).setdefault(batch, BatchCount({}, ballots, line))
    if candidate in count.votes:
        return Problem("repeated_candidate", f"{candidate} is listed twice for {batch} / {contest}",
                       source, line, "candidate")
    if count.ballots != ballots:
        return Problem("ballots_differ", f"{batch} / {contest}: {ballots} ballots here, "
                       f"{count.ballots} on line {count.line}", source, line, "ballots")
    count.votes[candidate] = int(votes)
    return None


def contest_of(batches: Batches, name: str | None, winners: int = 1) -> tuple[Contest, dict[str, BatchCount]]:
    """The contest ``name`` (the only one when None) as reported totals, with its batches.

    Raises:
        ValidationError: no such contest, or several and no ``name``.
    """
    if name is None:
        if len(batches) != 1:
            raise ValidationError([Problem("which_contest", "the file holds the contests "
                                           f"{', '.join(batches)}: name one with --contest",
                                           field="contest")])
        name = next(iter(batches))
    if name not in batches:
        raise ValidationError([Problem("no_such_contest", f"no contest {name!r} in the file (it "
                                       f"holds {', '.join(batches)})", field="contest")])
    held = batches[name]
    totals: dict[str, int] = {}
    for count in held.values():
        for candidate, votes in count.votes.items():
            totals[candidate] = totals.get(candidate, 0) + votes
    return make_contest(totals, sum(c.ballots or 0 for c in held.values()), winners, name), held


def error_bounds(contest: Contest, held: Mapping[str, BatchCount]) -> dict[str, Fraction]:
    """Each batch's ``u_p`` (exact), in file order. Stark (2008).

    Raises:
        ValidationError: the contest is tied (``V_wl`` is 0: no bound; a full hand count decides).
    """
    if contest.tied():
        raise ValidationError([Problem("tied", f"{contest.name} is tied: no batch sample can "
                                       "confirm it (full hand count)", field="contest")])
    pairs = contest.pairs()
    return {batch: max(Fraction(count.votes.get(p.winner, 0) - count.votes.get(p.loser, 0)
                                + (count.ballots or 0), p.winner_votes - p.loser_votes)
                       for p in pairs)
            for batch, count in held.items()}


@dataclass(frozen=True, slots=True)
class MacroResult:
    """``sample_size`` further batches (0 when confirmed), the P-value, ``U`` and each audited
    batch's taint."""

    sample_size: int
    p_value: float
    full_hand_count: bool
    total_bound: Fraction
    taints: dict[str, Fraction]


def assess(contest: Contest, held: Mapping[str, BatchCount], alpha: float,
           audited: Mapping[str, BatchCount] | None = None, source: str | None = None) -> MacroResult:
    """The MACRO plan and risk for ``contest`` at risk limit ``alpha`` after the hand counts
    ``audited`` (batch → count; none before round one), read from the file ``source``.

    Raises:
        ValidationError: the contest is tied (a full hand count decides it), or an audited batch
            does not hold the contest, names a candidate it lacks, or counts more votes than the
            batch's ballots.
    """
    if contest.tied():  # every batch is counted; U is undefined (V_wl = 0), given as 0
        return MacroResult(len(held), 1.0, True, Fraction(0), {})
    bounds = error_bounds(contest, held)
    total = sum(bounds.values(), Fraction(0))
    step = math.log(1 - 1 / total)  # U > 1 always: Σ u_p ≥ 1 + Σ b_p / V_wl
    try:
        taints = _taints(contest, held, bounds, audited or {})
    except ValidationError as exc:
        raise exc.located(source) if source else exc from None
    if any(t >= 1 for t in taints.values()):
        log_p = math.inf
    else:
        log_p = sum(step - math.log(1 - t) for t in taints.values())
    if not taints:
        size = first_round(total, alpha)
    elif log_p <= math.log(alpha):
        size = 0
    else:
        size = math.ceil((math.log(alpha) - log_p) / step) + 1 if log_p < math.inf else len(held)
    p_value = 1.0 if log_p >= 0 else math.exp(log_p)
    if size >= len(held) - len(taints):
        return MacroResult(len(held) - len(taints), p_value, True, total, taints)
    return MacroResult(size, p_value, False, total, taints)


def first_round(total_bound: Fraction, alpha: float) -> int:
    """Round one's batches for a contest whose error bounds sum to ``total_bound`` (U > 1):
    ``⌈ln α / ln(1 − 1/U)⌉ + 1`` (Stark 2008; the extra batch as Arlo plans), not capped at the
    batches there are (the caller compares it with them)."""
    return math.ceil(math.log(alpha) / math.log(1 - 1 / total_bound)) + 1


def expected_ballots(bounds: Mapping[str, Fraction], held: Mapping[str, BatchCount],
                     draws: int) -> tuple[float, float]:
    """The expected distinct batches, and ballots in them, that ``draws`` PPEB draws (with
    replacement, batch ``p`` drawn with chance ``u_p / U`` each time) send to a hand count:
    ``Σ (1 − (1 − u_p/U)^draws)`` and ``Σ b_p (1 − (1 − u_p/U)^draws)``. Floats: an expectation to
    plan a workload by, not an audit figure."""
    total = sum(bounds.values(), Fraction(0))
    batches = ballots = 0.0
    for batch, bound in bounds.items():
        hit = 1.0 - (1.0 - float(bound / total)) ** draws if total else 0.0
        batches += hit
        ballots += hit * (held[batch].ballots or 0)
    return batches, ballots


def _taints(contest: Contest, held: Mapping[str, BatchCount], bounds: Mapping[str, Fraction],
            audited: Mapping[str, BatchCount]) -> dict[str, Fraction]:
    known = dict(contest.votes)
    problems = []
    taints = {}
    for batch, hand in audited.items():
        if batch not in held:
            problems.append(Problem("batch_not_in_contest", f"audited batch {batch} does not hold "
                                    f"{contest.name}", line=hand.line, field="batch"))
            continue
        strangers = [c for c in hand.votes if c not in known]
        if strangers or sum(hand.votes.values()) > (held[batch].ballots or 0):
            problems.append(Problem("bad_hand_count", f"{batch}: " + (
                f"{', '.join(strangers)} not a candidate of {contest.name}" if strangers else
                f"{sum(hand.votes.values())} votes counted of {held[batch].ballots} ballots"),
                line=hand.line, field="candidate" if strangers else "votes"))
            continue
        reported = held[batch].votes
        error = max(Fraction((reported.get(p.winner, 0) - reported.get(p.loser, 0))
                             - (hand.votes.get(p.winner, 0) - hand.votes.get(p.loser, 0)),
                             p.winner_votes - p.loser_votes) for p in contest.pairs())
        taints[batch] = max(error, Fraction(0)) / bounds[batch] if bounds[batch] else Fraction(0)
    if problems:
        raise ValidationError(problems)
    return taints
