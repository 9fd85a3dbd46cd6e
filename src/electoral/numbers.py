"""The one rounding rule every shown figure follows: computed from exact integers, rounded once,
half away from zero.

A percentage is never summed from rounded parts and never rounded twice; ``percent`` takes the
integer counts themselves. Half away from zero (0.125 → 0.13, −0.125 → −0.13) is how election
officials and the published tables this package checks state shares; it is not Python's default
half-to-even. This module sits at the bottom of the layers (beside ``model``) because tabulation,
checks and reports all state percentages and must state them identically.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction


def percent(part: int, whole: int, places: int = 2) -> Decimal:
    """``100 * part / whole`` as a ``Decimal`` with exactly ``places`` decimals.

    The quotient is exact (a ``Fraction`` of the two integers) and rounded once, half away from zero;
    a negative ``part`` (a margin) keeps its sign. A ``whole`` of 0 gives 0 at the same precision
    rather than raising, since an empty unit has no share to state.

    Raises:
        TypeError: when ``part`` or ``whole`` is not an integer (a ``float`` would already be
            inexact).
    """
    if whole == 0:
        return Decimal(0).quantize(Decimal(1).scaleb(-places))
    exact = Fraction(100 * part, whole)
    scaled = abs(exact) * 10**places
    rounded = int(scaled) + (1 if scaled - int(scaled) >= Fraction(1, 2) else 0)
    value = Decimal(rounded).scaleb(-places)
    return -value if exact < 0 else value


def round_half_away(value: Decimal, places: int) -> Decimal:
    """``value`` rounded once to ``places`` decimals, half away from zero (``ROUND_HALF_UP`` in
    ``decimal``'s terms, which rounds the magnitude)."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
