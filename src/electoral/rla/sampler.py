"""Reproducible samples from a seed: Rivest's SHA-256 sampler, ballot manifests and PPEB batches.

The sampler is Ronald L. Rivest's "sampler.py" rule (Rivest 2011, "Reference implementation code
for pseudo-random sampler for election audits or other purposes"; checked against the published
vectors of cjerdonek/rivest-sampler-tests ``tests.json``): draw ``i = 1, 2, …`` is the SHA-256
digest of the UTF-8 bytes of ``seed + "," + str(i)``, read as a big-endian integer, modulo the
population size, plus 1. Only integers and bytes take part, so the same seed and population give
the same sample on any machine and any library version. The seed is text exactly as given: it is
never parsed as a number (a 20-digit seed keeps its 20 digits) and never trimmed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from math import lcm

from electoral.errors import Problem, ValidationError


def ticket(seed: str, index: int) -> int:
    """The 256-bit integer of draw ``index`` (1-based): SHA-256 of ``f"{seed},{index}"`` (UTF-8),
    big-endian. Rivest (2011)."""
    return int.from_bytes(hashlib.sha256(f"{seed},{index}".encode()).digest(), "big")


def tickets(seed: str, population: int, start: int = 1) -> Iterator[int]:
    """Draws ``start, start + 1, …`` of ``seed`` over ``1…population``, with repeats, forever."""
    index = start
    while True:
        yield ticket(seed, index) % population + 1
        index += 1


def _check_draw(seed: str, population: int, size: int, with_replacement: bool) -> None:
    problems = []
    if not seed:
        problems.append(Problem("empty_seed", "the seed is empty: give the seed text as published",
                                field="seed"))
    if population < 1:
        problems.append(Problem("no_ballots", f"{population} ballots: there is nothing to sample",
                                field="ballots"))
    if size < 0:
        problems.append(Problem("bad_size", f"sample size {size} is negative", field="size"))
    elif not with_replacement and population >= 1 and size > population:
        problems.append(Problem(
            "size_over_population", f"{size} distinct ballots asked of {population}: draw at most "
            f"{population} without replacement, or use --with-replacement", field="size"))
    if problems:
        raise ValidationError(problems)


def draw_rounds(seed: str, population: int, sizes: Sequence[int], *,
                with_replacement: bool = False) -> list[tuple[int, ...]]:
    """Consecutive rounds of one sample: round k holds ``sizes[k]`` further draws, the ticket
    counter and (without replacement) the numbers already drawn carrying over from round to
    round, so the rounds together are the sample of their total size.

    Returns one tuple of ballot numbers (1…``population``, in draw order) per round.

    Raises:
        ValidationError: an empty seed, a population below 1, a negative size, or more distinct
            ballots asked for than there are.
    """
    _check_draw(seed, population, sum(sizes), with_replacement)
    for size in sizes:
        _check_draw(seed, population, size, with_replacement)
    seen: set[int] = set()
    stream = tickets(seed, population)
    rounds = []
    for size in sizes:
        drawn: list[int] = []
        while len(drawn) < size:
            number = next(stream)
            if not with_replacement:
                if number in seen:
                    continue  # a repeat is skipped; the counter still advances (Rivest 2011)
                seen.add(number)
            drawn.append(number)
        rounds.append(tuple(drawn))
    return rounds


def draw(seed: str, population: int, size: int, *, with_replacement: bool = False) -> tuple[int, ...]:
    """``size`` ballot numbers in ``1…population`` drawn from ``seed``, in draw order: Rivest's
    sampler; without replacement a number already drawn is skipped.

    Raises:
        ValidationError: as ``draw_rounds``.
    """
    return draw_rounds(seed, population, [size], with_replacement=with_replacement)[0]


@dataclass(frozen=True, slots=True)
class Batch:
    """One manifest row: ``ballots`` ballots of ``batch`` in ``container``, numbered
    ``first…first + ballots − 1`` in the whole manifest."""

    container: str
    batch: str
    ballots: int
    first: int


@dataclass(frozen=True, slots=True)
class Manifest:
    """A ballot manifest: its batches in file order, the ballots (1…``ballots``) and the SHA-256
    (hex) of the file's bytes, which an audit record quotes."""

    batches: tuple[Batch, ...]
    ballots: int
    sha256: str

    def locate(self, number: int) -> tuple[Batch, int]:
        """The batch holding ballot ``number`` (1-based over the manifest) and its 1-based position
        there.

        Raises:
            ValidationError: ``number`` is outside 1…``ballots``.
        """
        if not 1 <= number <= self.ballots:
            raise ValidationError([Problem("no_such_ballot", f"ballot {number} is outside "
                                           f"1…{self.ballots} of the manifest", field="number")])
        low, high = 0, len(self.batches) - 1
        while low < high:  # the last batch whose first ballot is at most `number`
            middle = (low + high + 1) // 2
            if self.batches[middle].first <= number:
                low = middle
            else:
                high = middle - 1
        found = self.batches[low]
        return found, number - found.first + 1


MANIFEST_COLUMNS = ("container", "batch", "ballots")


def read_manifest(data: bytes, source: str = "manifest") -> Manifest:
    """Read a ballot manifest CSV (``container,batch,ballots``, a header row, UTF-8) from its bytes.

    Raises:
        ValidationError: every bad row, located (file, line, field): a missing or unknown header,
            a wrong number of fields, an empty name, a count that is not a whole number ≥ 0, a
            repeated container and batch, or a manifest without ballots.
    """
    import csv
    import io

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError([Problem("not_utf8", f"not UTF-8 text (byte {exc.start})",
                                       source=source)]) from None
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header = [cell.strip().lower() for cell in rows[0]] if rows else []
    if tuple(header) != MANIFEST_COLUMNS:
        raise ValidationError([Problem(
            "manifest_header", f"the header must be {','.join(MANIFEST_COLUMNS)}, not "
            f"{','.join(rows[0]) if rows else 'missing'}", source=source, line=1)])
    problems: list[Problem] = []
    batches: list[Batch] = []
    where: dict[tuple[str, str], int] = {}
    first = 1
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        found = _manifest_row(row, source, line)
        if isinstance(found, Problem):
            problems.append(found)
            continue
        container, batch, count = found
        if (container, batch) in where:
            problems.append(Problem("repeated_batch", f"{container} / {batch} is also on line "
                                    f"{where[container, batch]}", source, line, "batch",
                                    (where[container, batch], line)))
            continue
        where[container, batch] = line
        batches.append(Batch(container, batch, count, first))
        first += count
    if not problems and first == 1:
        problems.append(Problem("empty_manifest", "the manifest lists no ballots", source))
    if problems:
        raise ValidationError(problems)
    return Manifest(tuple(b for b in batches if b.ballots), first - 1, hashlib.sha256(data).hexdigest())


def _manifest_row(row: list[str], source: str, line: int) -> tuple[str, str, int] | Problem:
    if len(row) != len(MANIFEST_COLUMNS):
        return Problem("manifest_fields", f"{len(row)} fields, expected 3 (container,batch,ballots)",
                       source, line)
    container, batch, count = (cell.strip() for cell in row)
    for name, value in (("container", container), ("batch", batch)):
        if not value:
            return Problem("empty_name", f"the {name} is empty", source, line, name)
    if not count.isascii() or not count.isdigit():
        return Problem("bad_count", f"ballots {count!r} is not a whole number", source, line, "ballots")
    return container, batch, int(count)


def draw_weighted(seed: str, weights: Sequence[Fraction | int], size: int) -> tuple[int, ...]:
    """``size`` draws (with replacement) of indices into ``weights``, each with probability
    proportional to its weight: PPEB sampling, "probability proportional to an error bound"
    (Aslam, Popa and Rivest 2008; Stark 2008, MACRO). Exact: the weights are brought to integers
    over their least common denominator, and Rivest's sampler picks one unit of the integer total;
    the index is the weight whose cumulative range holds it. No floating point takes part.

    Raises:
        ValidationError: a negative weight, weights that add up to 0, a negative size or an empty
            seed.
    """
    fractions = [Fraction(w) for w in weights]
    if any(w < 0 for w in fractions):
        raise ValidationError([Problem("negative_weight", "a batch's error bound is negative",
                                       field="weights")])
    scale = lcm(*(w.denominator for w in fractions)) if fractions else 1
    integers = [int(w * scale) for w in fractions]
    total = sum(integers)
    cumulative = []
    running = 0
    for value in integers:
        running += value
        cumulative.append(running)
    from bisect import bisect_left

    numbers = draw(seed, total, size, with_replacement=True)
    return tuple(bisect_left(cumulative, number) for number in numbers)
