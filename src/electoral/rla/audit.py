"""The audit's operations as documents: plan a round, measure the risk after one, draw a sample.

Each function takes checked values (a ``Contest``, a risk limit, sampled counts) and returns a
plain JSON-ready ``dict`` whose keys are the interface of ``electoral rla`` (see
``shared/cases/audit/README.md``): ``plan`` gives ``method``, ``risk_limit``, ``unit``, ``asn``,
``quantiles``, ``sample_size``, ``full_hand_count`` and ``pairs``; ``measure`` gives ``p_value``,
``confirmed``, ``full_hand_count``, ``rounds`` and ``pairs``; ``sample`` gives ``seed``,
``ballots``, ``size``, ``with_replacement`` and ``sample`` (with a manifest also
``manifest_sha256`` and ``drawn``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from electoral.errors import Problem, ValidationError
from electoral.formats import AuditMethod
from electoral.rla import bravo, comparison, macro
from electoral.rla.contest import Contest, Pair, check_sample
from electoral.rla.sampler import Manifest, draw, draw_weighted

if TYPE_CHECKING:
    from electoral.rla import minerva


# the methods, named in electoral.formats so that the command line loads none of this package
Method = AuditMethod


def check_risk_limit(alpha: float) -> float:
    """``alpha`` when it is a fraction strictly between 0 and 1.

    Raises:
        ValidationError: otherwise (``10`` for 10 % is the usual slip: say ``0.1``).
    """
    if not 0 < alpha < 1:
        raise ValidationError([Problem("bad_risk_limit", f"risk limit {alpha} must be a fraction "
                                       "between 0 and 1 (0.1 is 10 %)", field="risk-limit")])
    return alpha


def _quantiles(found: Mapping[float, int] | None) -> dict[str, int] | None:
    return None if found is None else {str(q): n for q, n in found.items()}


def _pair_json(pair: Pair) -> dict[str, object]:
    return {"winner": pair.winner, "loser": pair.loser, "winner_votes": pair.winner_votes,
            "loser_votes": pair.loser_votes}


def plan(method: Method, contest: Contest, alpha: float, *,
         seen: Sequence[Mapping[str, int]] = (), gamma: float = comparison.GAMMA,
         rates: Sequence[float] = comparison.DEFAULT_RATES,
         found: comparison.Discrepancies | None = None) -> dict[str, object]:
    """The plan document for ``contest`` at risk limit ``alpha``.

    BRAVO (Lindeman, Stark and Yates 2012) and Minerva (Zagórski et al. 2020) use ``seen``, the
    votes already sampled per round (Minerva's later rounds condition on not having stopped);
    SuperSimple (Stark 2010) uses ``gamma`` and either ``found`` discrepancy counts or expected
    ``rates``. A tied contest, or one no sample can confirm, says ``full_hand_count`` with every
    ballot as its ``sample_size``.

    Raises:
        ValidationError: a risk limit outside (0, 1), a sampled candidate not in the contest, or a
            γ not above 1.
    """
    check_risk_limit(alpha)
    check_sample(contest, seen)
    if method is Method.MACRO:
        raise ValidationError([Problem("needs_batches", "macro plans from a batch file "
                                       "(--batches FILE.csv)", field="batches")])
    head: dict[str, object] = {"method": method.value, "risk_limit": alpha, "unit": "ballots",
                               "contest": contest.to_json()}
    if method is Method.BRAVO:
        made = bravo.plan(contest, alpha, seen)
        pairs = [{**_pair_json(p.pair), "asn": p.asn, "quantiles": _quantiles(p.quantiles)}
                 for p in made.pairs]
        return {**head, "asn": made.asn, "quantiles": _quantiles(made.quantiles),
                "sample_size": made.sample_size, "full_hand_count": made.full_hand_count,
                "pairs": pairs}
    if method is Method.MINERVA:
        from electoral.rla import minerva  # numpy: loaded only when Minerva is asked for

        drawn = minerva.plan(contest, alpha, seen, (bravo.LARGE_CONTEST,
                                                    bravo.LARGE_FRACTION_DENOMINATOR))
        return {**head, "asn": None, "quantiles": _quantiles(drawn.quantiles),
                "sample_size": drawn.sample_size, "full_hand_count": drawn.full_hand_count,
                "pairs": [{**_pair_json(pair), "quantiles": _quantiles(sizes)}
                          for pair, sizes in drawn.pairs]}
    pairs = [_pair_json(p) for p in contest.pairs()]
    if contest.tied():
        return {**head, "asn": None, "quantiles": None, "sample_size": contest.ballots,
                "full_hand_count": True, "gamma": gamma, "margin": 0.0, "pairs": pairs}
    ss = comparison.plan(contest.margin(), contest.ballots, alpha, gamma=gamma, rates=rates,
                         found=found)
    expected = dict(zip(("o1", "o2", "u1", "u2"), ss.expected.as_list(), strict=True))
    return {**head, "asn": None, "quantiles": None, "sample_size": ss.sample_size,
            "full_hand_count": ss.full_hand_count, "gamma": gamma, "margin": float(ss.margin),
            "discrepancies": expected, "pairs": pairs}


def measure(method: Method, contest: Contest, alpha: float, *,
            seen: Sequence[Mapping[str, int]] = (), sampled: int = 0,
            found: comparison.Discrepancies | None = None,
            gamma: float = comparison.GAMMA) -> dict[str, object]:
    """The risk document after the rounds audited so far, with the decision: ``confirmed`` when
    ``p_value ≤ alpha``, else escalate, with ``next_sample_size`` the further ballots the plan
    asks for (BRAVO: Lindeman, Stark and Yates 2012; Kaplan–Markov: Stark 2009).

    Raises:
        ValidationError: a risk limit outside (0, 1), no rounds (BRAVO), a sampled candidate not in
            the contest, fewer ballots sampled than discrepancies, or a γ not above 1.
    """
    check_risk_limit(alpha)
    check_sample(contest, seen)
    if method is Method.MACRO:
        raise ValidationError([Problem("needs_batches", "macro measures from a batch file and "
                                       "hand counts (--batches, --audited)", field="batches")])
    head: dict[str, object] = {"method": method.value, "risk_limit": alpha,
                               "contest": contest.to_json()}
    if method in (Method.BRAVO, Method.MINERVA):
        return {**head, **_measure_polling(method, contest, alpha, seen)}
    found = found or comparison.Discrepancies()
    p = 1.0 if contest.tied() else comparison.p_value(contest.margin(), sampled, found, gamma)
    confirmed = p <= alpha
    further = 0
    if not confirmed and not contest.tied():
        further = max(0, comparison.nmin(contest.margin(), alpha, found, gamma) - sampled)
    elif not confirmed:
        further = contest.ballots - sampled
    return {**head, "p_value": p, "confirmed": confirmed, "full_hand_count": sampled >= contest.ballots,
            "gamma": gamma, "sample_size": sampled,
            "discrepancies": dict(zip(("o1", "o2", "u1", "u2"), found.as_list(), strict=True)),
            "rounds": [{"round": 1, "p_value": p, "confirmed": confirmed}],
            "next_sample_size": further, "pairs": [_pair_json(x) for x in contest.pairs()]}


def _measure_polling(method: Method, contest: Contest, alpha: float,
                     seen: Sequence[Mapping[str, int]]) -> dict[str, object]:
    """The risk keys of a ballot-polling audit: BRAVO's ``min(1, 1/T)`` at the best round end, or
    Minerva's tail ratio round by round on the unstopped paths."""
    if not seen:
        raise ValidationError([Problem("no_sample", "give the sampled votes of each round "
                                       "(--sample NAME=COUNT,...)", field="sample")])
    polled: tuple[bravo.PairRisk | minerva.PairRisk, ...]
    if method is Method.BRAVO:
        p, polled = bravo.risk(contest, seen)
        by_round = [max(min(x.by_round[:r + 1]) for x in polled) for r in range(len(seen))]
        confirmed = p <= alpha
        further = 0 if confirmed else int(bravo.plan(contest, alpha, seen).sample_size)
    else:
        from electoral.rla import minerva

        p, polled = minerva.risk(contest, seen, alpha)
        by_round = [max(x.by_round[r] for x in polled) for r in range(len(seen))]
        confirmed = p <= alpha
        further = 0 if confirmed else int(minerva.plan(
            contest, alpha, seen, (bravo.LARGE_CONTEST, bravo.LARGE_FRACTION_DENOMINATOR)
        ).sample_size)
    counted = sum(sum(r.values()) for r in seen)
    return {"p_value": p, "confirmed": confirmed, "full_hand_count": counted >= contest.ballots,
            "rounds": [{"round": r, "p_value": x, "confirmed": x <= alpha}
                       for r, x in enumerate(by_round, start=1)],
            "next_sample_size": further,
            "pairs": [{**_pair_json(x.pair), "p_value": x.p_value, "by_round": list(x.by_round)}
                      for x in polled]}


def sample(seed: str, size: int, *, ballots: int | None = None, manifest: Manifest | None = None,
           with_replacement: bool = False) -> dict[str, object]:
    """The sample document: ``size`` ballot numbers drawn from ``seed`` by Rivest's sampler over
    ``ballots`` ballots or over the ``manifest``'s, each then located in its container and batch.

    Raises:
        ValidationError: neither or both of ``ballots`` and ``manifest``, or as
            ``sampler.draw_rounds``.
    """
    if (ballots is None) == (manifest is None):
        raise ValidationError([Problem("population", "give the ballots or a manifest, not both",
                                       field="ballots")])
    population = manifest.ballots if manifest is not None else int(ballots or 0)
    numbers = draw(seed, population, size, with_replacement=with_replacement)
    found: dict[str, object] = {"seed": seed, "ballots": population, "size": size,
                                "with_replacement": with_replacement, "sample": list(numbers)}
    if manifest is not None:
        found["manifest_sha256"] = manifest.sha256
        drawn = []
        for number in numbers:
            batch, position = manifest.locate(number)
            drawn.append({"number": number, "container": batch.container, "batch": batch.batch,
                          "position": position})
        found["drawn"] = drawn
    return found


def batches(batch_file: macro.Batches, alpha: float, *, contest: str | None = None,
            winners: int = 1, audited: macro.Batches | None = None,
            audited_source: str | None = None) -> dict[str, object]:
    """The MACRO document (Stark 2008) for one contest of ``batch_file``: the keys of ``plan``
    (``unit`` "batches"; ``sample_size`` the further batches, 0 once confirmed) and those of
    ``measure`` (``p_value``, ``confirmed``), with ``total_bound`` (U) and each audited batch's
    ``taint``.

    Raises:
        ValidationError: a risk limit outside (0, 1), no such contest (or several and none named),
            or a bad hand count (``macro.assess``).
    """
    check_risk_limit(alpha)
    found, held = macro.contest_of(batch_file, contest, winners)
    hand = (audited or {}).get(found.name, {})
    if audited and not hand:
        raise ValidationError([Problem("no_hand_counts", f"the audited file has no batch of "
                                       f"{found.name}", field="audited")])
    result = macro.assess(found, held, alpha, hand, audited_source)
    return {"method": Method.MACRO.value, "risk_limit": alpha, "unit": "batches",
            "contest": found.to_json(), "batches": len(held), "asn": None, "quantiles": None,
            "sample_size": result.sample_size, "full_hand_count": result.full_hand_count,
            "p_value": result.p_value, "confirmed": bool(hand) and result.p_value <= alpha,
            "total_bound": float(result.total_bound),
            "taints": {batch: float(t) for batch, t in result.taints.items()},
            "pairs": [_pair_json(p) for p in found.pairs()]}


def sample_batches(seed: str, size: int, batch_file: macro.Batches, *,
                   contest: str | None = None, winners: int = 1) -> dict[str, object]:
    """``size`` batches of one contest drawn with probability proportional to their MACRO error
    bounds (PPEB; Aslam, Popa and Rivest 2008), exactly, by Rivest's sampler over the bounds'
    integer numerators (``sampler.draw_weighted``); with replacement, as PPEB is.

    Raises:
        ValidationError: no such contest, a tied contest (no bounds: a full hand count), or as
            ``sampler.draw_rounds``.
    """
    found, held = macro.contest_of(batch_file, contest, winners)
    bounds = macro.error_bounds(found, held)
    names = list(bounds)
    drawn = draw_weighted(seed, [bounds[n] for n in names], size)
    return {"seed": seed, "unit": "batches", "contest": found.name, "batches": len(names),
            "size": size, "with_replacement": True, "sample": [names[i] for i in drawn]}
