"""Every CVR reader, fuzzed through ``read_cvrs`` as a config or the command line reaches it (issue 11,
"Proof"): any bytes, or a valid file (or one file of a Dominion or Hart folder, or one part of an
ES&S workbook) cut short, spliced, with huge or non-numbers, nested thousands deep, a key or
element gone, a value of the wrong type, give records or one ``ValidationError`` naming the file —
never another exception, and never more memory than a small multiple of the input."""

from __future__ import annotations

import io
import json
import tempfile
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from electoral.errors import NotFoundError, ValidationError
from electoral.rcv.cvr import CvrOptions, read_cvrs
from tests.io.mutations import json_mutated, mutated, xml_mutated
from tests.rcv.test_cvr_blt import _blt
from tests.rcv.test_cvr_cdf import _json_report, _xml_report
from tests.rcv.test_cvr_csv import _clear_ballot, _csv
from tests.rcv.test_cvr_dominion import _export, _hart_ballot
from tests.rcv.test_cvr_ess import _sheet

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
BUDGET = 48 << 20  # bytes a reader may hold beyond 40 times its input, at these sizes
CDF = [[(0, 1), (1, 2)], [(-1, 1)], [(2, 1), (0, 3)]]

# provider -> (file name, seed bytes, options, how the format nests, a structured mutation)
FILES: dict[str, tuple[str, bytes, CvrOptions, tuple[bytes, bytes],
                       Callable[[bytes], st.SearchStrategy[bytes]] | None]] = {
    "blt": ("votes.blt", _blt([(1, ["1", "2"]), (2, ["3", "-", "1=2"])]), CvrOptions(),
            (b"", b""), None),
    "cdf-json": ("cvr.json", json.dumps(_json_report(CDF)).encode(),
                 CvrOptions(contest="Mayor"), (b"[", b"]"), json_mutated),
    "cdf-xml": ("cvr.xml", _xml_report(CDF), CvrOptions(contest="Mayor"), (b"<a>", b"</a>"),
                xml_mutated),
    "clearBallot": ("cb.csv", _clear_ballot([[1, 2, None], [None, None, 1]]).getvalue(),
                    CvrOptions(contest="Mayor"), (b'"', b'"'), None),
    "genericCsv": ("gen.csv", _csv([["id", "A", "B", "C"], [1, 1, 2, ""], [2, "", 1, 3]])
                   .getvalue(), CvrOptions(first_vote_column=2), (b'"', b'"'), None),
    "ranks": ("ranks.csv", b"id,rank1,rank2,rank3\n1,Ann,Bo,\n2,Cy,,Ann\n", CvrOptions(),
              (b'"', b'"'), None),
}
PROVIDER = {"cdf-json": "cdf", "cdf-xml": "cdf"}
FOLDERS = {
    "dominion": (_export([[(5, 1), (6, 2)], [(7, 1)]]), CvrOptions(contest="2"), json_mutated),
    "hart": ({"001.xml": _hart_ballot("g1", [(5, 1)]), "002.xml": _hart_ballot("g2", [(6, 2)])},
             CvrOptions(contest="k"), xml_mutated),
}


def outcome(write: Callable[[Path], Path], size: int, provider: str, options: CvrOptions) -> str:
    """"ok" or the located error ``read_cvrs`` gave for what ``write`` put in a folder."""
    with tempfile.TemporaryDirectory() as folder:
        path = write(Path(folder))
        tracemalloc.start()
        try:
            read_cvrs(path, provider, options)
            result = "ok"
        except ValidationError as exc:
            assert exc.problems
            assert all(p.source and p.source.split("/")[0] == path.name for p in exc.problems), \
                exc.problems
            result = exc.problems[0].code
        except NotFoundError:
            result = "not-found"
        finally:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
    assert peak < BUDGET + 40 * size, f"{peak:,} bytes for {size:,} bytes of input"
    return result


def _file(name: str, data: bytes) -> Callable[[Path], Path]:
    def write(folder: Path) -> Path:
        (folder / name).write_bytes(data)
        return folder / name
    return write


def _hostile(key: str) -> st.SearchStrategy[bytes]:
    _, seed, _, nesting, structured = FILES[key]
    found = mutated(seed, *nesting)
    return found | structured(seed) if structured else found


@pytest.mark.parametrize("key", list(FILES))
@FUZZ
@given(data=st.data())
def test_every_file_reader_gives_records_or_a_located_error(key: str,
                                                             data: st.DataObject) -> None:
    name, _, options, _, _ = FILES[key]
    raw = data.draw(_hostile(key))
    outcome(_file(name, raw), len(raw), PROVIDER.get(key, key), options)


@pytest.mark.parametrize("provider", list(FOLDERS))
@FUZZ
@given(data=st.data())
def test_every_folder_reader_gives_records_or_a_located_error(provider: str,
                                                              data: st.DataObject) -> None:
    files, options, structured = FOLDERS[provider]
    files = dict(files)
    name = data.draw(st.sampled_from(sorted(files)))
    files[name] = data.draw(mutated(files[name], b"<a>", b"</a>") | structured(files[name]))

    def write(folder: Path) -> Path:
        (folder / "export").mkdir()
        for each, content in files.items():
            (folder / "export" / each).write_bytes(content)
        return folder / "export"
    outcome(write, sum(map(len, files.values())), provider, options)


ESS = _sheet([["Precinct", "1", "2", "3"], ["P1", "Ann", "Bo", None], ["P2", "Cy", None, "Ann"]])


@st.composite
def _workbook(draw: st.DrawFn) -> bytes:
    """The ES&S seed workbook with one of its parts mutated (a mutated zip is only a bad CRC)."""
    seed = ESS.getvalue()
    with zipfile.ZipFile(io.BytesIO(seed)) as book:
        parts = {info.filename: book.read(info) for info in book.infolist()}
    name = draw(st.sampled_from(sorted(n for n in parts if n.endswith(".xml"))))
    parts[name] = draw(mutated(parts[name], b"<a>", b"</a>") | xml_mutated(parts[name]))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as book:
        for each, content in parts.items():
            book.writestr(each, content)
    return out.getvalue()


@FUZZ
@given(st.one_of(mutated(ESS.getvalue()), _workbook()))
def test_ess_gives_records_or_a_located_error(raw: bytes) -> None:
    outcome(_file("cvr.xlsx", raw), len(raw), "ess",
            CvrOptions(first_vote_column=2, first_vote_row=2, precinct_column=1))


def test_the_seeds_are_read() -> None:
    """The fuzz starts from files each reader accepts, so its mutations reach past the header."""
    for key, (name, seed, options, _, _) in FILES.items():
        assert outcome(_file(name, seed), len(seed), PROVIDER.get(key, key), options) == "ok", key
    for provider, (files, options, _) in FOLDERS.items():
        def write(folder: Path, files: dict[str, bytes] = files) -> Path:
            (folder / "f").mkdir()
            for each, content in files.items():
                (folder / "f" / each).write_bytes(content)
            return folder / "f"
        assert outcome(write, 0, provider, options) == "ok", provider
    assert outcome(_file("cvr.xlsx", ESS.getvalue()), 0, "ess", CvrOptions(
        first_vote_column=2, first_vote_row=2, precinct_column=1)) == "ok"
