"""The few pieces of Java behaviour a ranked-choice count must reproduce to match RCTab exactly.

RCTab breaks random ties with ``java.util.Random`` seeded from the config, shuffles its generated
permutation with ``Collections.shuffle``, and lists some candidates in ``HashMap`` iteration order
(the row order of tied candidates in its reports). These are written here from the published Java
specifications (the 48-bit linear congruential generator of ``java.util.Random``,
``String.hashCode``, the bucket layout of ``HashMap``), not from any Java source.
"""

from __future__ import annotations

from collections.abc import Iterable, MutableSequence, Sequence

_MULTIPLIER = 0x5DEECE66D
_ADDEND = 0xB
_MASK = (1 << 48) - 1


class JavaRandom:
    """``java.util.Random``: the same seed gives the same numbers as the JVM, call for call."""

    __slots__ = ("_seed",)

    def __init__(self, seed: int):
        self._seed = (seed ^ _MULTIPLIER) & _MASK

    def _next(self, bits: int) -> int:
        self._seed = (self._seed * _MULTIPLIER + _ADDEND) & _MASK
        value = self._seed >> (48 - bits)
        return value - (1 << 32) if value >= 1 << 31 else value  # Java's (int) cast

    def next_int(self, bound: int) -> int:
        """A number in ``[0, bound)``, as ``java.util.Random.nextInt(int bound)`` draws it.

        Raises:
            ValueError: ``bound`` is not positive.
        """
        if bound <= 0:
            raise ValueError("bound must be positive")
        if bound & (bound - 1) == 0:
            return (bound * (self._next(31) & 0x7FFFFFFF)) >> 31
        while True:
            bits = self._next(31) & 0x7FFFFFFF
            value = bits % bound
            if bits - value + (bound - 1) < 1 << 31:  # no int overflow in Java's check
                return value

    def next_double(self) -> float:
        high = self._next(26) & ((1 << 26) - 1)
        low = self._next(27) & ((1 << 27) - 1)
        return ((high << 27) + low) * (1.0 / (1 << 53))

    def shuffle(self, items: MutableSequence[str]) -> None:
        """``Collections.shuffle(list, random)`` for a random-access list."""
        for i in range(len(items), 1, -1):
            j = self.next_int(i)
            items[i - 1], items[j] = items[j], items[i - 1]


def string_hash(text: str) -> int:
    """``String.hashCode()`` as an unsigned 32-bit number (over UTF-16 code units)."""
    h = 0
    data = text.encode("utf-16-be")
    for i in range(0, len(data), 2):
        h = (31 * h + (data[i] << 8 | data[i + 1])) & 0xFFFFFFFF
    return h


def java_sort_key(text: str) -> bytes:
    """A key that orders strings as Java's ``String.compareTo`` does (by UTF-16 code unit)."""
    return text.encode("utf-16-be")


def _capacity(size: int, initial: int = 16) -> int:
    capacity = initial
    while size > capacity * 3 // 4:
        capacity *= 2
    return capacity


def hash_order(keys: Iterable[str], initial: int = 16) -> list[str]:
    """The iteration order of a ``HashMap``/``HashSet`` built by inserting ``keys`` in order.

    Buckets are visited in index order; keys sharing a bucket keep their insertion order (resizing
    preserves it). ``initial`` is the table size the collection was created with.
    """
    ordered = list(dict.fromkeys(keys))
    mask = _capacity(len(ordered), initial) - 1

    def bucket(key: str) -> int:
        h = string_hash(key)
        return (h ^ (h >> 16)) & mask

    return sorted(ordered, key=bucket)  # stable: insertion order within a bucket


def hash_set_copy_order(items: Sequence[str]) -> list[str]:
    """Iteration order of ``new HashSet<>(items)`` (its table sized for the collection)."""
    wanted = max(int(len(items) / 0.75) + 1, 16)
    size = 1
    while size < wanted:
        size *= 2
    return hash_order(items, initial=size)
