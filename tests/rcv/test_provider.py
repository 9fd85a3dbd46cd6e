"""One CVR provider enum (RCTab's ContestConfig.Provider): names, suffixes and readers in one place."""

from pathlib import Path

import pytest

from electoral.errors import ValidationError
from electoral.rcv import Provider
from electoral.rcv.cvr import read_cvrs
from electoral.rcv.rctab_config import RCTAB_PROVIDERS

NAMES = ["ess", "dominion", "hart", "clearBallot", "cdf", "genericCsv", "csv", "ranks", "blt"]


def test_the_names_are_rctab_spellings_plus_ranks_and_blt() -> None:
    assert [p.value for p in Provider] == NAMES
    assert RCTAB_PROVIDERS == ("ess", "dominion", "hart", "clearBallot", "cdf", "genericCsv", "csv")
    assert Provider.parse("csv").read.__func__ is Provider.parse("genericCsv").read.__func__


def test_an_unknown_name_lists_every_name() -> None:
    with pytest.raises(ValidationError) as caught:
        Provider.parse("punchcard", "poll.dat")
    problem = caught.value.problems[0]
    assert problem.code == "unknown-provider" and problem.source == "poll.dat"
    assert problem.message == f"no CVR reader for provider 'punchcard'; use one of {', '.join(NAMES)}"


@pytest.mark.parametrize(("name", "provider"), [
    ("a.xlsx", Provider.ESS), ("b.XML", Provider.CDF), ("c.json", Provider.CDF),
    ("d.csv", Provider.RANKS), ("e.csv.gz", Provider.RANKS), ("f.blt", Provider.BLT)])
def test_a_file_is_known_by_its_suffix(name: str, provider: Provider) -> None:
    assert Provider.detect(Path(name)) is provider


def test_a_folder_is_dominion_with_an_export_else_hart(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="no Dominion export .* and no Hart ballot files"):
        Provider.detect(tmp_path)  # an empty folder is neither
    (tmp_path / "CvrExport_1.json").write_text("{}")
    assert Provider.detect(tmp_path) is Provider.DOMINION
    assert Provider.DOMINION.folder and Provider.HART.folder and not Provider.ESS.folder


def test_an_unknown_suffix_is_refused_by_name() -> None:
    with pytest.raises(ValidationError, match="cannot tell the CVR format of poll.dat"):
        Provider.detect(Path("poll.dat"))


def test_no_two_providers_claim_a_suffix() -> None:
    claimed = [s for p in Provider for s in p.suffixes]
    assert len(claimed) == len(set(claimed))


def test_read_cvrs_takes_the_enum_or_its_name(tmp_path: Path) -> None:
    path = tmp_path / "poll.csv"
    path.write_text("rank1,rank2\nA,B\nB,\n", encoding="utf-8")
    by_member = read_cvrs(path, Provider.RANKS)
    assert read_cvrs(path, "ranks") == by_member
    assert [r.marks for r in by_member] == [((1, "A"), (2, "B")), ((1, "B"),)]


def test_a_folder_around_a_dominion_export_names_the_export(tmp_path: Path) -> None:
    # a case folder (its config beside the export's folder) was taken for a Hart export
    (tmp_path / "case" / "partial_cvr").mkdir(parents=True)
    (tmp_path / "case" / "partial_cvr" / "CvrExport_1.json").write_text("{}")
    (tmp_path / "case" / "config.json").write_text("{}")
    with pytest.raises(ValidationError) as caught:
        Provider.detect(tmp_path / "case")
    (problem,) = caught.value.problems
    assert problem.code == "unknown-format" and "'partial_cvr' holds a Dominion export" \
        in problem.message
    assert Provider.detect(tmp_path / "case" / "partial_cvr") == Provider.DOMINION
    (tmp_path / "hart").mkdir()
    (tmp_path / "hart" / "b1.xml").write_text("<x/>")
    assert Provider.detect(tmp_path / "hart") == Provider.HART


def test_an_rctab_config_given_as_a_cvr_says_to_use_rctab_config(tmp_path) -> None:
    config = tmp_path / "contest_config.json"
    config.write_text('{"tabulatorVersion": "1.3.2", "outputSettings": {"contestName": "x"},\n'
                      ' "cvrFileSources": [{"filePath": "cvr.xlsx", "provider": "ess"}],\n'
                      ' "candidates": [], "rules": {}}', encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        Provider.detect(config)
    [problem] = caught.value.problems
    assert problem.code == "rctab-config"
    assert (problem.source, problem.message) == ("contest_config.json", "an RCTab contest config, "
                                                "not a CVR: pass it as --rctab-config "
                                                "contest_config.json")
    cdf = tmp_path / "cvr.json"  # a CDF CVR report still goes to its reader
    cdf.write_text('{"@type": "CVR.CastVoteRecordReport", "CVR": []}', encoding="utf-8")
    assert Provider.detect(cdf) is Provider.CDF
