"""Rivest's SHA-256 sampler, ballot manifests and PPEB draws.

Known answers: cjerdonek/rivest-sampler-tests ``tests.json`` (all six of its vectors, seeds as text:
"0000000000" is not "0", and a 24-digit seed keeps its digits) and Rivest's own example in the
sampler's documentation (seed 3546311556112163624615351222, 876 ballots).
"""

from __future__ import annotations

import hashlib
from fractions import Fraction

import pytest

from electoral.errors import ValidationError
from electoral.rla.sampler import draw, draw_rounds, draw_weighted, read_manifest, ticket
from tests.conftest import SHARED

RIVEST = [  # (seed, total, count, expected): cjerdonek/rivest-sampler-tests tests.json
    ("0", 1000, 3, (905, 573, 160)),
    ("0", 2, 3, (1, 1, 2)),
    ("1", 1000, 3, (97, 89, 163)),
    ("0000000000", 1000, 3, (978, 359, 132)),
    ("999999999999999999999999", 1000, 3, (544, 800, 654)),
    ("abcde", 1000, 3, (247, 427, 157)),
    ("3546311556112163624615351222", 876, 5, (740, 180, 264, 789, 238)),  # Rivest's example
]


@pytest.mark.parametrize(("seed", "total", "count", "expected"), RIVEST)
def test_rivest_vectors(seed: str, total: int, count: int, expected: tuple[int, ...]) -> None:
    assert draw(seed, total, count, with_replacement=True) == expected


def test_a_long_seed_is_text_not_a_float() -> None:
    seed = "31415926535897932384"
    as_float = str(int(float(seed)))  # what a float would have made of it: 31415926535897931776
    assert as_float != seed
    assert draw(seed, 10**6, 5) != draw(as_float, 10**6, 5)
    assert draw(" 1", 1000, 3, with_replacement=True) != draw("1", 1000, 3, with_replacement=True)


def test_ticket_is_sha256_of_seed_comma_index() -> None:
    digest = hashlib.sha256(b"abcde,7").hexdigest()
    assert ticket("abcde", 7) == int(digest, 16)


def test_without_replacement_skips_repeats_and_rounds_continue_one_sample() -> None:
    whole = draw("seed", 50, 30)
    assert len(set(whole)) == 30
    with_repeats = draw("seed", 50, 60, with_replacement=True)
    distinct = list(dict.fromkeys(with_repeats))
    assert list(whole) == distinct[:30]
    first, second = draw_rounds("seed", 50, [12, 18])
    assert first + second == whole
    with pytest.raises(ValidationError, match="at most 50"):
        draw("seed", 50, 51)
    with pytest.raises(ValidationError, match="seed is empty"):
        draw("", 50, 1)


def test_manifest_numbers_ballots_in_file_order() -> None:
    data = (SHARED / "cases" / "audit" / "manifest.csv").read_bytes()
    manifest = read_manifest(data)
    assert manifest.ballots == 47
    assert manifest.sha256 == hashlib.sha256(data).hexdigest()
    assert [(b.batch, p) for b, p in map(manifest.locate, (1, 20, 21, 35, 36, 47))] == [
        ("Tabulator 1 - Batch 001", 1), ("Tabulator 1 - Batch 001", 20),
        ("Tabulator 1 - Batch 002", 1), ("Tabulator 1 - Batch 002", 15),
        ("Tabulator 2 - Batch 001", 1), ("Tabulator 2 - Batch 001", 12)]
    with pytest.raises(ValidationError):
        manifest.locate(48)


def test_bad_manifest_rows_are_each_located() -> None:
    text = ("container,batch,ballots\nP1,B1,10\nP1,B2,ten\nP1,B1,4\n,B3,2\nP2,B4\nP2,B5,-3\n")
    with pytest.raises(ValidationError) as caught:
        read_manifest(text.encode(), "m.csv")
    found = [(p.code, p.source, p.line, p.field) for p in caught.value.problems]
    assert found == [("bad_count", "m.csv", 3, "ballots"), ("repeated_batch", "m.csv", 4, "batch"),
                     ("empty_name", "m.csv", 5, "container"), ("manifest_fields", "m.csv", 6, None),
                     ("bad_count", "m.csv", 7, "ballots")]
    with pytest.raises(ValidationError, match="header"):
        read_manifest(b"precinct,ballots\nP1,3\n", "m.csv")


def test_ppeb_draws_by_exact_integer_weights() -> None:
    weights = [Fraction(1, 3), Fraction(0), Fraction(2, 3), Fraction(1, 6)]
    # over the common denominator 6 the weights are 2, 0, 4, 1: ticket values 1–2, 3–6, 7
    drawn = draw_weighted("ppeb", weights, 40)
    by_value = [ticket("ppeb", i) % 7 + 1 for i in range(1, 41)]
    assert drawn == tuple(0 if v <= 2 else 2 if v <= 6 else 3 for v in by_value)
    assert 1 not in drawn
    with pytest.raises(ValidationError):
        draw_weighted("ppeb", [Fraction(-1), Fraction(2)], 3)
