"""Every returns reader, fuzzed from the bytes up (issue 11, "Proof"): a file goes through
``open_source`` and its reader, as an import does, and whatever its bytes — any at all, or a valid
file cut short, spliced, with huge or non-numbers, nested thousands deep, a key or element gone, a
value of the wrong type — the reader gives returns or one ``ValidationError`` whose every problem
names the file; never another exception, and never more memory than a small multiple of the file.
"""

from __future__ import annotations

import io
import tempfile
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from electoral.errors import NotFoundError, ValidationError
from electoral.io import Format, ReadOptions, open_source, read_source
from electoral.io.article import read_article
from electoral.io.groupings import read_groupings
from electoral.io.native import write_native
from electoral.io.nist import write_nist_json, write_nist_xml
from electoral.io.sample import write_sample
from tests.conftest import minimal_article
from tests.io.mutations import json_mutated, mutated, xml_mutated
from tests.io.test_clarity import _document
from tests.io.test_groupings import MAPPING, RETURNS
from tests.io.test_readers_fuzz import COUNTY, PRECINCT, STATE, TONMCG

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
BUDGET = 48 << 20  # bytes: the most a reader may hold beyond 40 times its input, at these sizes


def _csv(columns: list[str], *rows: str) -> bytes:
    return (",".join(columns) + "\n" + "".join(r + "\n" for r in rows)).encode()


ARTICLE = minimal_article()
SEEDS: dict[Format, tuple[str, bytes]] = {
    Format.NATIVE: ("returns.csv", write_native([RETURNS]).encode()),
    Format.ARTICLE: ("article.txt", ARTICLE.encode()),
    Format.SAMPLE: ("ct.sample.json",
                    write_sample(read_article(io.StringIO(ARTICLE), "a")).encode()),
    Format.OPENELECTIONS: ("20001107__mo__general__precinct.csv", (
        b"county,precinct,office,district,party,candidate,votes\n"
        b"Boone,P1,President,,DEM,Al Gore,10\nBoone,P1,President,,REP,George W. Bush,12\n"
        b"Boone,P2,President,,DEM,Al Gore,7\n")),
    Format.MEDSL_STATE: ("state.csv", _csv(
        STATE, "2000,MISSOURI,MO,29,34,43,US PRESIDENT,\"GORE, AL\",DEMOCRAT,FALSE,1111138,"
        "2359892,20210113,,DEMOCRAT")),
    Format.MEDSL_COUNTY: ("county.csv", _csv(
        COUNTY, "2000,MISSOURI,MO,BOONE,29019,PRESIDENT,AL GORE,DEMOCRAT,10,20,1,TOTAL",
        "2000,MISSOURI,MO,BOONE,29019,PRESIDENT,GEORGE W. BUSH,REPUBLICAN,10,20,1,TOTAL")),
    Format.MEDSL_PRECINCT: ("precinct_2024.csv", _csv(
        PRECINCT, "MO,29,BOONE,29019,BOONE,29019,P1,000000,KAMALA D HARRIS,DEMOCRAT,DEMOCRAT,"
        "TOTAL,FALSE,10")),
    Format.TONMCG: ("tonmcg_2024.csv", _csv(TONMCG, "Missouri,29019,Boone County,10,20,35,,,,")),
    Format.NIST_JSON: ("report.json", write_nist_json(RETURNS).encode()),
    Format.NIST_XML: ("report.xml", write_nist_xml(RETURNS).encode()),
    Format.CLARITY: ("detail.xml", _document([[1, 2, 3], [4, 5, 6]]).encode()),
}
NESTING = {Format.NIST_XML: (b"<a>", b"</a>"), Format.CLARITY: (b"<a>", b"</a>"),
           Format.NIST_JSON: (b"[", b"]"), Format.SAMPLE: (b"{\"a\":", b"}")}


def _hostile(fmt: Format) -> st.SearchStrategy[bytes]:
    seed = SEEDS[fmt][1]
    found = mutated(seed, *NESTING.get(fmt, (b"[", b"]")))
    if fmt in (Format.NIST_JSON, Format.SAMPLE):
        found |= json_mutated(seed)
    elif fmt in (Format.NIST_XML, Format.CLARITY):
        found |= xml_mutated(seed)
    return found


def outcome(name: str, data: bytes, read: Callable[[Path], object]) -> str:
    """"ok" or the located error ``read`` gave for ``data`` stored as ``name``, within budget."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        tracemalloc.start()
        try:
            read(path)
            result = "ok"
        except ValidationError as exc:
            assert exc.problems
            assert all(p.source == name for p in exc.problems), exc.problems
            result = exc.problems[0].code
        except NotFoundError:
            result = "not-found"
        finally:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
    assert peak < BUDGET + 40 * len(data), f"{peak:,} bytes for a {len(data):,}-byte file"
    return result


@pytest.mark.parametrize("fmt", list(SEEDS), ids=str)
@FUZZ
@given(data=st.data())
def test_every_reader_gives_returns_or_a_located_error(fmt: Format, data: st.DataObject) -> None:
    name, _ = SEEDS[fmt]
    raw = data.draw(_hostile(fmt))
    outcome(name, raw, lambda path: read_source(open_source(path), fmt, ReadOptions()))


@FUZZ
@given(st.sampled_from(list(SEEDS)).flatmap(lambda f: st.tuples(st.just(SEEDS[f][0]),
                                                                 _hostile(f))))
def test_detecting_the_format_of_hostile_bytes(case: tuple[str, bytes]) -> None:
    name, raw = case
    outcome(name, raw, lambda path: read_source(open_source(path)))


@FUZZ
@given(mutated(MAPPING.encode()))
def test_groupings(raw: bytes) -> None:
    outcome("groupings.csv", raw, lambda path: read_groupings(open_source(path).stream(),
                                                                path.name))


def test_the_seeds_are_read() -> None:
    """The fuzz starts from files each reader accepts, so its mutations reach past the header."""
    for fmt, (name, seed) in SEEDS.items():
        assert outcome(name, seed, lambda path, f=fmt: read_source(open_source(path), f)) == "ok"
