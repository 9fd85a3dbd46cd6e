"""The audit record: everything an outsider needs to re-derive an audit, and its verification.

A record is one JSON object::

    {"seed": "…", "risk_limit": 0.1, "with_replacement": false,
     "manifest": {"path": "manifest.csv", "sha256": "…"}   or   "ballots": N,
     "contests": [{"name", "votes": {candidate: votes}, "ballots", "winners", "method",
                   "gamma" (supersimple)}],
     "rounds": [{"size": n, "sample": [ballot numbers],
                 "observed": {contest: {"votes": {candidate: count}}            (bravo, minerva)
                                     | {"discrepancies": [o1, o2, u1, u2]}},   (supersimple)
                 "p_values": {contest: p}, "confirmed": {contest: bool},
                 "decision": "stop" | "escalate"}]}

``complete`` fills in the derived fields (samples, p-values, decisions, the manifest's SHA-256)
of a record whose office-entered fields (seed, risk limit, contests, round sizes and what was
observed) are given; ``verify`` recomputes every derived field and names the first that
disagrees. Round k's sample continues round k−1's draws (the sampler's counter carries on).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from electoral.errors import Problem, ValidationError
from electoral.rla import bravo, comparison, minerva
from electoral.rla.audit import Method, check_risk_limit
from electoral.rla.contest import Contest, make_contest
from electoral.rla.sampler import draw_rounds, read_manifest

# p-values are floats from logarithms; two machines may differ in the last bits only
RELATIVE_TOLERANCE = 1e-9


def _fail(where: str, message: str) -> ValidationError:
    return ValidationError([Problem("record_disagrees", message, field=where)])


def _contests(record: Mapping[str, Any]) -> list[tuple[Contest, Method, float]]:
    found = []
    for index, item in enumerate(record.get("contests") or []):
        try:
            method = Method(item.get("method", "bravo"))
        except ValueError:
            raise _fail(f"contests[{index}].method", f"unknown method {item.get('method')!r}") from None
        contest = make_contest(dict(item["votes"]), int(item["ballots"]), int(item.get("winners", 1)),
                               str(item["name"]))
        found.append((contest, method, float(item.get("gamma", comparison.GAMMA))))
    if not found:
        raise _fail("contests", "the record lists no contests")
    return found


def _derive(record: Mapping[str, Any], read: Callable[[str], bytes]) -> dict[str, Any]:
    """The record with every derived field recomputed from the office-entered ones."""
    alpha = check_risk_limit(float(record["risk_limit"]))
    derived: dict[str, Any] = dict(record)
    if "manifest" in record:
        manifest = read_manifest(read(str(record["manifest"]["path"])), str(record["manifest"]["path"]))
        derived["manifest"] = {**record["manifest"], "sha256": manifest.sha256}
        population = manifest.ballots
    else:
        population = int(record["ballots"])
    rounds = list(record.get("rounds") or [])
    samples = draw_rounds(str(record["seed"]), population, [int(r["size"]) for r in rounds],
                          with_replacement=bool(record.get("with_replacement", False)))
    contests = _contests(record)
    out_rounds = []
    for number, (entered, drawn) in enumerate(zip(rounds, samples, strict=True), start=1):
        upto = rounds[:number]
        p_values = {c.name: _p_value(c, method, gamma, upto, c.name, alpha) for c, method, gamma in contests}
        confirmed = {name: p <= alpha for name, p in p_values.items()}
        out_rounds.append({**entered, "sample": list(drawn), "p_values": p_values,
                           "confirmed": confirmed,
                           "decision": "stop" if all(confirmed.values()) else "escalate"})
    derived["rounds"] = out_rounds
    return derived


def _observed(rounds: list[Mapping[str, Any]], name: str) -> list[Mapping[str, Any]]:
    """Each round's observations of contest ``name``; a round without them is refused rather than
    read as nothing seen."""
    found: list[Mapping[str, Any]] = []
    for number, entry in enumerate(rounds, start=1):
        seen = (entry.get("observed") or {}).get(name)
        if not isinstance(seen, dict):
            raise _fail(f"rounds[{number}].observed.{name}", f"round {number} records nothing "
                        f"observed for {name}")
        counted = sum(int(v) for v in (seen.get("votes") or {}).values()) + sum(
            int(v) for v in seen.get("discrepancies") or [])
        if counted > int(entry["size"]):
            raise _fail(f"rounds[{number}].observed.{name}", f"round {number} records {counted} "
                        f"observations of {name} among {entry['size']} ballots")
        found.append(seen)
    return found


def _p_value(contest: Contest, method: Method, gamma: float, rounds: list[Mapping[str, Any]],
             name: str, alpha: float) -> float:
    observed = _observed(rounds, name)
    if method in (Method.BRAVO, Method.MINERVA):
        votes = [{k: int(v) for k, v in o.get("votes", {}).items()} for o in observed]
        if method is Method.MINERVA:
            return minerva.risk(contest, votes, alpha)[0]
        return bravo.risk(contest, votes)[0]
    total = comparison.Discrepancies()
    for o in observed:
        o1, o2, u1, u2 = (int(x) for x in o.get("discrepancies", [0, 0, 0, 0]))
        total = comparison.Discrepancies(total.o1 + o1, total.o2 + o2, total.u1 + u1, total.u2 + u2)
    if contest.tied():
        return 1.0
    return comparison.p_value(contest.margin(), sum(int(r["size"]) for r in rounds), total, gamma)


def complete(record: Mapping[str, Any], read: Callable[[str], bytes]) -> dict[str, Any]:
    """``record`` with its derived fields filled in (``read`` gives a manifest's bytes by the path
    the record names).

    Raises:
        ValidationError: a bad risk limit, contest, manifest or round (located), a round without
            observations of a contest or with more than its ballots, or a malformed record.
    """
    return _guarded(lambda: _derive(record, read))


def verify(record: Mapping[str, Any], read: Callable[[str], bytes]) -> list[str]:
    """Recompute every derived field of ``record``; returns what was checked.

    Raises:
        ValidationError: the first field whose recorded value disagrees with the recomputed one
            (its path, e.g. ``rounds[2].p_values.Mayor``, in the problem's field), or a malformed
            record.
    """
    derived = _guarded(lambda: _derive(record, read))
    checked = []
    if "manifest" in record:
        _same("manifest.sha256", record["manifest"].get("sha256"), derived["manifest"]["sha256"])
        checked.append("manifest.sha256")
    for index, (mine, theirs) in enumerate(zip(derived["rounds"], record["rounds"], strict=True)):
        for key in ("sample", "p_values", "confirmed", "decision"):
            where = f"rounds[{index + 1}].{key}"
            if isinstance(mine[key], dict):
                for name, value in mine[key].items():
                    _same(f"{where}.{name}", (theirs.get(key) or {}).get(name), value)
            else:
                _same(where, theirs.get(key), mine[key])
            checked.append(where)
    return checked


def _same(where: str, recorded: object, recomputed: object) -> None:
    if isinstance(recomputed, float) and isinstance(recorded, int | float) and \
            not isinstance(recorded, bool):
        if math.isclose(recorded, recomputed, rel_tol=RELATIVE_TOLERANCE):
            return
    elif recorded == recomputed:
        return
    raise _fail(where, f"{where}: the record says {recorded!r}, recomputed {recomputed!r}")


def _guarded(work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    try:
        return work()
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ValidationError([Problem("bad_record", f"malformed audit record: {exc!r}")]) from None
