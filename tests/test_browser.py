"""The report in a real headless Chromium (Debian's ``chromium``), driven by Playwright:
no console error, no network request, every section visible, hostile mail inert.

Chromium is launched with the flags a root CI needs and a fresh profile per test. A
missing browser is an error, never a skip: ``scripts/test`` installs it.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from conftest import REPO
from mailfactory import mail, write

from inbox_audit import pipeline
from inbox_audit.config import Settings

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
SECTIONS = ("headline", "monsters", "league", "deals", "review", "method")
SCREENSHOTS = REPO / "docs" / "screenshots"
EVIL_SUBJECT = "<script>alert(1)</script>"
EVIL_NAME = '"><img src=x onerror=alert(1)>'


@pytest.fixture(scope="module")
def playwright() -> Iterator[object]:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed: `apt-get install chromium` (scripts/test does)")
    with sync_api.sync_playwright() as p:
        yield p


class Page:
    """One page in a fresh browser profile that records what a report must never do."""

    def __init__(self, playwright, profile: Path, *, javascript: bool = True) -> None:
        self.context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=FLAGS,
            java_script_enabled=javascript, viewport={"width": 1280, "height": 1800})
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        # Every request goes through here: the report's own file is served, anything
        # else (an image, a font, a beacon) is recorded and refused.
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda msg: msg.type == "error" and self.errors.append(msg.text))
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("dialog", self._dialog)
        self.url = ""

    def _route(self, route) -> None:
        if route.request.url == self.url:
            route.continue_()
        else:
            self.requests.append(route.request.url)
            route.abort()

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def open(self, path: Path):
        self.url = path.resolve().as_uri()
        self.page.goto(self.url, wait_until="load")
        self.page.wait_for_timeout(300)  # let any late script or image fire, if there were one
        return self.page

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def browser(playwright, tmp_path) -> Iterator[Callable[..., Page]]:
    pages: list[Page] = []

    def make(**kw) -> Page:
        page = Page(playwright, tmp_path / f"profile-{len(pages)}", **kw)
        pages.append(page)
        return page

    yield make
    for page in pages:
        page.close()


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "demo.html"
    pipeline.run_demo(out)
    # The demo is as of a fixed moment; only "Generated" says when the test ran. Pin it,
    # so the screenshot in docs/ changes only when the report does.
    html = out.read_text(encoding="utf-8")
    html = re.sub(r"(<dt>Generated</dt><dd>)[^<]*", r"\g<1>30 Nov 2026 08:00", html)
    out.write_text(html, encoding="utf-8")
    return out


def test_demo_report_in_chromium(browser, demo_report):
    tab = browser()
    page = tab.open(demo_report)
    assert tab.errors == [] and tab.dialogs == []
    assert tab.requests == []  # not one request besides the file itself
    for section in SECTIONS:
        box = page.locator(f"section#{section}").bounding_box()
        assert box is not None and box["height"] > 40, section
        assert page.locator(f"section#{section} h2").is_visible(), section
    assert page.locator("tr.monster").count() >= 5
    assert page.locator("svg.swimlane").count() >= 30
    # Every src/href of the rendered DOM stays inside the page.
    targets = page.evaluate(
        "[...document.querySelectorAll('[src],[href]')]"
        ".map(e => e.getAttribute('src') || e.getAttribute('href'))")
    assert targets and all(t.startswith("#") for t in targets), targets[:5]
    # A monster's link jumps to its deal's timeline.
    first = page.locator("tr.monster a").first
    target = first.get_attribute("href")
    first.click()
    assert page.evaluate("location.hash") == target
    assert page.locator(f"tr{target}").is_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SCREENSHOTS / "report-top.png"),
                    clip={"x": 0, "y": 0, "width": 1280, "height": 1500})
    for section, name, height in (("monsters", "report-monsters.png", 1200),
                                  ("deals", "report-deals.png", 1300)):
        box = page.locator(f"section#{section}").bounding_box()
        page.screenshot(path=str(SCREENSHOTS / name), full_page=True,
                        clip={"x": 0, "y": box["y"] - 10, "width": 1280,
                              "height": min(height, box["height"] + 20)})
    for name in ("report-top.png", "report-monsters.png", "report-deals.png"):
        assert (SCREENSHOTS / name).stat().st_size < 400_000


def test_readable_with_javascript_off(browser, demo_report):
    page = browser(javascript=False).open(demo_report)
    for section in SECTIONS:
        assert page.locator(f"section#{section}").is_visible(), section
    text = page.locator("body").inner_text()
    assert "The monsters" in text and "Supplier league table" in text
    # The deal message lists are <details>: they open without any script.
    page.locator("details.messages summary").first.click()
    assert page.locator("details.messages[open] li").first.is_visible()


def test_hostile_mail_stays_inert(browser, tmp_path):
    folder = tmp_path / "mail"
    write(folder / "1.eml", mail(
        subject=f"{EVIL_SUBJECT} offerte", sender="Me <me@buyer.be>",
        to=f'"{EVIL_NAME}" <sales@evil-supplier.be>', message_id="<r1@buyer.be>",
        date="Mon, 02 Nov 2026 09:00:00 +0100",
        body="Goedemorgen,\n\nKunt u mij een offerte sturen voor 20 paletten?\n\nJan\n"))
    write(folder / "2.eml", mail(
        subject=f"Re: {EVIL_SUBJECT} offerte",
        sender='"\\"><img src=x onerror=alert(1)>" <sales@evil-supplier.be>',
        to="me@buyer.be", message_id="<q1@evil-supplier.be>",
        date="Tue, 03 Nov 2026 10:00:00 +0100",
        extra=[("In-Reply-To", "<r1@buyer.be>")], content_type="text/html; charset=utf-8",
        body=("<html><head><script>window.__pwned = 1; alert(2)</script></head><body>"
              "<p>Onze offerte: EUR 1.250,00 excl. btw</p>"
              "<img src=x onerror=\"alert(3)\"><a href=\"javascript:alert(4)\">klik</a>"
              "<iframe src=\"https://evil.example/\"></iframe></body></html>")))
    settings = Settings(me=["me@buyer.be"], store=tmp_path / "s.db",
                        corrections=tmp_path / "corrections.csv")
    pipeline.run_import(settings, [folder])
    out = tmp_path / "report.html"
    as_of = datetime(2026, 11, 16, 8, tzinfo=settings.tz)
    pipeline.run_report(settings, period=pipeline.ALL, as_of=as_of, html_out=out)
    html = out.read_text(encoding="utf-8")
    assert "<script" not in html.lower() and "<img" not in html.lower()

    tab = browser()
    page = tab.open(out)
    assert tab.dialogs == []  # no alert() ran
    assert tab.errors == [] and tab.requests == []
    assert page.evaluate("window.__pwned") is None
    assert page.evaluate(
        "document.querySelectorAll('script, img, iframe, object, embed').length") == 0
    text = page.locator("body").inner_text()
    assert EVIL_SUBJECT in text  # shown as text, escaped
    # The display name, as far as the parser keeps it (it drops the leading quote).
    assert EVIL_NAME.lstrip('"') in text
