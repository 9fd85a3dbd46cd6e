"""The account of rows a reader did not turn into votes: nothing is dropped without a reason.

Every reader that sets a row aside (an undervote line, a "ballots cast" line, a suppressed count, a
contest that is not the general election) records an ``Exclusion``; the list travels with the
returns in ``Returns.extras["exclusions"]`` as plain dicts ``{line, reason, votes, label}``, so
that it survives the store's JSON column unchanged.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from electoral.model import Returns

KEY = "exclusions"


@dataclass(frozen=True, slots=True)
class Exclusion:
    """One row set aside: where it was, why, and the votes it carried (``None`` if unreadable)."""

    line: int
    reason: str
    votes: int | None = None
    label: str = ""  # what the row called itself ("UNDERVOTES", "TOTAL BALLOTS CAST", ...)
    rows: int = 1  # how many rows this entry stands for (a whole other contest is one entry)


def as_extras(exclusions: Iterable[Exclusion]) -> list[dict[str, object]]:
    return [asdict(e) for e in exclusions]


def of(returns: Returns) -> list[Exclusion]:
    """The exclusions recorded with ``returns`` (none when the reader set nothing aside)."""
    raw = returns.extras.get(KEY) or []
    assert isinstance(raw, list)
    return [Exclusion(int(e["line"]), str(e["reason"]), _int_or_none(e.get("votes")),
                      str(e.get("label") or ""), int(e.get("rows") or 1)) for e in raw]


def by_reason(returns: Iterable[Returns]) -> list[tuple[str, int, int]]:
    """``(reason, rows, votes)`` over every election in ``returns``, most rows first."""
    rows: Counter[str] = Counter()
    votes: Counter[str] = Counter()
    for one in returns:
        for exclusion in of(one):
            rows[exclusion.reason] += exclusion.rows
            votes[exclusion.reason] += exclusion.votes or 0
    return [(reason, n, votes[reason]) for reason, n in rows.most_common()]


def _int_or_none(value: object) -> int | None:
    return None if value is None else int(value)  # type: ignore[call-overload]
