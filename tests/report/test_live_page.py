"""The live page in headless Chromium (issue 12): it follows current_ver.txt and updates in place,
without a reload, served by electoral's own server and by nginx; hostile names stay text."""

from __future__ import annotations

from pathlib import Path

import pytest

from electoral.demo import _bundled, _reporting
from electoral.report.public import Publication, publish_version
from electoral.server.nginx import find_nginx, running_nginx
from electoral.server.public import PublicFiles, free_port
from electoral.server.runner import serving
from tests.report.test_hostile_names import HOSTILE, hostile_returns
from tests.report.test_page import CHROMIUM, FLAGS


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"no Chromium at {CHROMIUM}: `make test` installs Debian's chromium "
                    "(make system-deps, as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS[1:])
        yield chromium
        chromium.close()


def _night(counties: int) -> Publication:
    full = _bundled("2004-MO-president")
    ids = sorted(u.id for u in full.units if u.kind == "county")
    return Publication(_reporting(full, set(ids[:counties])))


def _served(kind: str, public: Path, tmp_path: Path):
    if kind == "nginx":
        if find_nginx() is None:
            pytest.skip("nginx is not installed (make system-deps installs Debian's, as root)")
        return running_nginx(public, tmp_path / "nginx", port=free_port())
    return serving(PublicFiles(public), port=free_port())


@pytest.mark.parametrize("server", ["electoral", "nginx"])
def test_the_page_changes_in_place_when_a_version_is_published(browser, tmp_path, server) -> None:
    public = tmp_path / "public"
    first = publish_version(public, [_night(13)])
    with _served(server, public, tmp_path) as running:
        url = running if isinstance(running, str) else running.url
        page = browser.new_page()
        # electoral pushes versions (SSE): a poll once a minute could not bring the second one
        # in time; nginx has no push, and the page polls the pointer
        page.goto(url + ("?poll=60000" if server == "electoral" else "?poll=250"))
        page.wait_for_function(f"document.body.dataset.version === '{first}'", timeout=10_000)
        if server == "electoral":
            page.wait_for_function("document.body.dataset.push === 'sse'", timeout=10_000)
        assert page.inner_text("#reporting") == "· 13 of 115 counties reporting"
        assert page.inner_text("#status") == "Partial"
        assert "No winner is declared" in page.inner_text("#headline")
        assert page.locator("#units tbody tr").count() == 13
        page.evaluate("window.stillHere = true")  # a reload would lose it
        second = publish_version(public, [_night(115)])
        page.wait_for_function(f"document.body.dataset.version === '{second}'", timeout=10_000)
        assert page.evaluate("window.stillHere") is True
        assert page.inner_text("#reporting") == "· 115 of 115 counties reporting"
        assert page.inner_text("#headline") == "George W. Bush (Republican) wins, 11 electors."
        assert page.locator("#units tbody tr").count() == 115
        assert second in page.get_attribute("#map", "src")
        assert page.evaluate("document.body.dataset.push") == (
            "sse" if server == "electoral" else None)
        page.close()


def test_hostile_names_are_shown_as_text_and_never_run(browser, tmp_path) -> None:
    public = tmp_path / "public"
    version = publish_version(public, [Publication(hostile_returns())])
    with serving(PublicFiles(public), port=free_port()) as url:
        page = browser.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(url + "?poll=250")
        page.wait_for_function(f"document.body.dataset.version === '{version}'", timeout=10_000)
        shown = page.locator("#statewide tbody th").all_inner_texts()
        assert "<script>alert(1)</script>" in shown and "{{x}}" in shown
        assert len(shown) == len(HOSTILE)
        assert page.locator("main script").count() == 0 and dialogs == []
        page.close()
