"""`electoral check` on the four seed articles: every real error the articles contain, named."""

from __future__ import annotations

from pathlib import Path

import pytest

from electoral.api import check_paths
from electoral.check import Kind, has_errors


def errors(seed, election: str) -> set[tuple[str, str, str, str]]:
    found = check_paths([seed(election)])
    return {(d.table, d.row, d.column, d.stated) for d in found if d.kind == Kind.ERROR}


def test_ct_2004_windham_other_share_is_truncated(seed) -> None:
    assert errors(seed, "2004-CT-president") == {
        ("By county", "Windham", "Other %", "2.16%")}


def test_ma_2004_errors(seed) -> None:
    found = errors(seed, "2004-MA-president")
    # Essex's "other" share is simply wrong (4,051 of 333,233 is 1.22%, not 1.41%) ...
    assert ("By county", "Essex", "Other %", "1.41%") in found
    # ... and three more are the exact share cut off instead of rounded.
    assert found == {("By county", "Essex", "Other %", "1.41%"),
                     ("By county", "Berkshire", "Other %", "1.13%"),
                     ("By county", "Hampshire", "Other %", "1.91%"),
                     ("By county", "Nantucket", "Other %", "1.32%")}


def test_ct_2024_errors(seed) -> None:
    found = errors(seed, "2024-CT-president")
    poll = "2024 Connecticut Libertarian straw poll"
    assert found == {
        ("Results", "Total", "Votes", "1"),  # the results list totals "1 votes"
        ("By county", "Totals", "Total", "1,759,010"),  # counties add up to 6 more than statewide
        ("By Council of Government", "Totals", "Total", "1,759,010"),
        (poll, "unnamed-3", "Round 1 %", "14.6%"),  # 14 of 106 is 13.2%
        (poll, "Active ballots", "Round 2", "101"),  # the active-ballot row is shifted a round
        (poll, "unnamed-1", "Round 6", "(blank)"),  # 7 rounds announced, 5 given
    }


def test_mo_2004_errors(seed) -> None:
    assert {row for _table, row, _column, _stated in errors(seed, "2004-MO-president")} == {
        "Carter", "Crawford", "Dade", "Dent", "Wright"}


def test_rounding_slips_are_reported_apart(seed) -> None:
    found = check_paths([seed("2004-CT-president")])
    rounding = {(d.row, d.column) for d in found if d.kind == Kind.ROUNDING}
    # Litchfield's "other" is 100 − 46.19 − 51.89 = 1.92, exactly 1.93 (1,861 of 96,668).
    assert ("Litchfield", "Other %") in rounding
    assert ("Totals", "Margin %") in rounding


def test_a_clean_table_has_no_errors(tmp_path: Path, minimal_article) -> None:
    path = tmp_path / "clean.txt"
    path.write_text(minimal_article(other_pct="1.36%"))
    assert not has_errors(check_paths([path]))
    path.write_text(minimal_article(other_pct="1.46%"))
    assert has_errors(check_paths([path]))


@pytest.mark.parametrize("stated,kind", [("4.06%", None), ("4.07%", Kind.ERROR)])
def test_margin_checked_at_stated_precision(tmp_path: Path, minimal_article, stated: str,
                                            kind: Kind | None) -> None:
    path = tmp_path / "a.txt"
    path.write_text(minimal_article(margin_pct=stated))
    kinds = {d.kind for d in check_paths([path]) if d.column == "Margin %"}
    assert kinds == ({kind} if kind else set())


def test_poll_shares_must_add_up(tmp_path: Path, minimal_article) -> None:
    text = minimal_article() + (
        "\n===Polling===\nKerry vs. Bush\n"
        "| Poll source | Date(s) administered | Sample size | Margin of error | John Kerry | "
        "George W. Bush | Other / Undecided |\n"
        "| Good Poll | May 1, 2004 | 800 (LV) | ± 3.5% | 52% | 42% | 6% |\n"
        "| Bad Poll | May 2, 2004 | 600 (RV) | ± 4.0% | 52% | 42% | 16% |\n")
    path = tmp_path / "polls.txt"
    path.write_text(text)
    found = [d for d in check_paths([path]) if d.table == "Kerry vs. Bush"]
    assert [(d.row, d.kind) for d in found] == [("Bad Poll (May 2, 2004)", Kind.ERROR)]


@pytest.mark.parametrize(("sample", "stated", "kind"), [
    ("800 (LV)", "± 3.5%", None),  # 1.96·√(2500/800) = 3.46 → 3.5
    ("800 (LV)", "± 4.4%", None),  # a design effect of 1.6 widens it: allowed
    ("1,000 (LV)", "± 3.0%", Kind.ROUNDING),  # 3.099 cut off, not rounded
    ("1,000 (LV)", "± 3%", None),  # 3.099 is 3 at whole points: rightly rounded
    ("600 (RV)", "± 3.0%", Kind.ERROR),  # 4.00 at the least: far more precise than 600 allow
])
def test_a_published_margin_of_error_is_no_smaller_than_its_sample_allows(
        tmp_path: Path, minimal_article, sample: str, stated: str, kind: Kind | None) -> None:
    text = minimal_article() + (
        "\n===Polling===\nKerry vs. Bush\n"
        "| Poll source | Date(s) administered | Sample size | Margin of error | John Kerry | "
        "George W. Bush | Other / Undecided |\n"
        f"| A Poll | May 1, 2004 | {sample} | {stated} | 52% | 42% | 6% |\n")
    path = tmp_path / "polls.txt"
    path.write_text(text)
    found = [d for d in check_paths([path]) if d.check == "poll-margin-of-error"]
    line = text[:text.index("| A Poll")].count("\n") + 1
    assert [(d.column, d.kind, d.line) for d in found] == ([("Margin of error", kind, line)] if kind else [])


def _ct_2004_with(tmp_path: Path, seed, old: str, new: str) -> Path:
    text = Path(seed("2004-CT-president")).read_text()
    assert old in text
    path = tmp_path / "swapped.txt"
    path.write_text(text.replace(old, new))
    return path


def test_swapped_vote_columns_are_an_error_not_rounding(tmp_path: Path, seed) -> None:
    # Tolland with Kerry's and Bush's votes swapped: the stated margin 11.01% equals 54.57 − 43.56
    # but the counts give −11.02%, 22 points away — far beyond the 0.01 rounding can explain.
    path = _ct_2004_with(tmp_path, seed, "| Tolland | 39,146 | 54.57% | 31,245 |",
                         "| Tolland | 31,245 | 54.57% | 39,146 |")
    found = check_paths([path])
    margin = [d for d in found if (d.row, d.column) == ("Tolland", "Margin %")]
    assert [(d.kind, d.stated, d.computed) for d in margin] == [(Kind.ERROR, "11.01%", "-11.02%")]
    assert "at most 0.01 points, not 22.03" in margin[0].message
    # The totals row now sums the swapped counts: its margin 10.36% is 0.99 points from 9.37%.
    totals = [d for d in found if (d.row, d.column) == ("Totals", "Margin %")]
    assert [(d.kind, d.computed) for d in totals] == [(Kind.ERROR, "9.37%")]
    # Litchfield's "other" (1.92 from rounded shares, exactly 1.9251) is still a rounding slip.
    assert ("Litchfield", "Other %", Kind.ROUNDING) in {(d.row, d.column, d.kind) for d in found}


def test_a_derived_figure_outside_its_rounding_is_an_error(tmp_path: Path, seed) -> None:
    # Litchfield's other share stated as 100 − 46.19 − 51.89 = 1.92 is rounding (exact 1.9251);
    # with Bush's share misstated as 51.79 the same formula gives 2.02, 0.09 from the exact share.
    path = _ct_2004_with(tmp_path, seed, "| 46.19% | 50,160 | 51.89% | 1,861 | 1.92% |",
                         "| 46.19% | 50,160 | 51.79% | 1,861 | 2.02% |")
    other = [d for d in check_paths([path]) if (d.row, d.column) == ("Litchfield", "Other %")]
    assert [d.kind for d in other] == [Kind.ERROR]
