"""The HTML report in a real browser: headless Chromium, driven by chromedriver over loopback.

The page is served from a temporary folder on 127.0.0.1; the browser starts once for the
module with networking features off and a fresh profile. Screenshots go to a temporary folder.

Without Chromium the tests are skipped with a reason naming the packages to install; with
``CI=true`` in the environment they are required and fail instead.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from render.html import render_html
from tests.render.html_cases import (
    SCRIPT,
    hostile_rows,
    hostile_summary,
    make_frame,
    milestone,
)

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
INSTALL = "install it with: apt-get update && apt-get install -y chromium chromium-driver"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,900",
)


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A loopback HTTP server over a temporary folder: (base URL, folder)."""
    folder = tmp_path_factory.mktemp("site")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", folder
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory):
    """One headless Chromium for the module, with its console log kept."""
    required = os.environ.get("CI", "").lower() == "true"
    missing = pytest.fail if required else pytest.skip
    for program in (CHROMIUM, CHROMEDRIVER):
        if not program.exists():
            missing(f"{program} is not installed (Debian: chromium chromium-driver); {INSTALL}")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        missing("selenium is not installed; pip install -e '.[test]'")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    try:
        yield driver
    finally:
        driver.quit()


def open_page(browser, site: tuple[str, Path], name: str, page: str) -> list[dict]:
    """Serve ``page`` as ``name``, load it, and return the console entries it produced."""
    base, folder = site
    (folder / name).write_text(page, encoding="utf-8")
    browser.get_log("browser")  # drop what earlier pages logged
    browser.get(f"{base}/{name}")
    browser.execute_script("return document.readyState")
    return browser.get_log("browser")


def screenshot(browser, folder: Path, name: str, width: int) -> Path:
    """A full-page PNG of the current page in ``folder`` (a temporary one)."""
    browser.set_window_size(width, 900)
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(width, min(int(height) + 120, 12000))
    path = folder / name
    path.unlink(missing_ok=True)
    assert browser.save_screenshot(str(path))
    return path


@pytest.fixture(scope="module")
def hostile_report(browser, site) -> list[dict]:
    page = render_html(make_frame(hostile_rows()), hostile_summary())
    return open_page(browser, site, "report.html", page)


def test_page_loads_without_console_errors(browser, hostile_report):
    errors = [entry for entry in hostile_report if entry["level"] == "SEVERE"]
    assert errors == []
    assert browser.title.startswith("Postmortem: Checkout errors")


VISIBLE_CHART = (
    "const chart = Array.from(document.querySelectorAll('svg.timeline'))"
    ".find(s => s.getBoundingClientRect().width > 0);"
)
WIDTHS = (1280, 390)


def crowded_summary() -> dict:
    """Every milestone known, several within a minute or two of each other."""
    summary = hostile_summary()
    summary["milestones"] = {
        "impact_start": milestone("2024-05-01T09:59:30Z"),
        "detected": milestone("2024-05-01T10:00:00Z", ref="R1"),
        "first_comms": milestone("2024-05-01T10:00:40Z"),
        "acknowledged": milestone("2024-05-01T10:01:00Z", ref="R2"),
        "escalated": milestone("2024-05-01T10:01:30Z"),
        "mitigated": milestone("2024-05-01T10:20:00Z", "inferred", "dep-8", "redeployed"),
        "resolved": milestone("2024-05-01T10:21:00Z", ref="R3"),
    }
    return summary


def boxes(browser, selector: str) -> list[dict]:
    """Bounding boxes of the elements matching ``selector`` inside the visible chart."""
    return browser.execute_script(
        VISIBLE_CHART + "return Array.from(chart.querySelectorAll(arguments[0]))"
        ".map(e => e.getBoundingClientRect().toJSON());",
        selector,
    )


def disjoint(a: dict, b: dict) -> bool:
    return (
        a["right"] <= b["left"]
        or b["right"] <= a["left"]
        or a["bottom"] <= b["top"]
        or b["bottom"] <= a["top"]
    )


def test_svg_has_one_mark_per_key_event(browser, hostile_report):
    browser.set_window_size(1280, 900)
    frame = make_frame(hostile_rows())
    refs = browser.execute_script(
        VISIBLE_CHART + "return Array.from(chart.querySelectorAll('.mark'))"
        ".map(m => m.getAttribute('data-ref'))"
    )
    assert refs == list(frame.loc[frame["key"], "ref"])
    box = browser.execute_script(
        VISIBLE_CHART + "const b = chart.getBoundingClientRect(); return [b.width, b.height]"
    )
    assert box[0] > 500 and box[1] > 100


@pytest.mark.parametrize("width", WIDTHS)
def test_crowded_milestones_fit_and_stay_apart(browser, site, width, tmp_path):
    page = render_html(make_frame(hostile_rows()), crowded_summary())
    console = open_page(browser, site, f"crowded-{width}.html", page)
    assert [e for e in console if e["level"] == "SEVERE"] == []
    browser.set_window_size(width, 900)
    overflow = browser.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    badges = boxes(browser, ".milestone .badge")
    assert len(badges) == 7
    for i, a in enumerate(badges):
        assert all(disjoint(a, b) for b in badges[i + 1 :]), (a, badges)
    marks = boxes(browser, ".mark")
    assert marks
    assert all(disjoint(badge, mark) for badge in badges for mark in marks)
    listed = browser.execute_script(
        "return Array.from(document.querySelectorAll('.milestone-key li'))"
        ".map(e => e.getBoundingClientRect().toJSON())"
    )
    assert len(listed) == 7
    for i, a in enumerate(listed):
        assert all(disjoint(a, b) for b in listed[i + 1 :])
    chart = browser.execute_script(VISIBLE_CHART + "return chart.getBoundingClientRect().toJSON()")
    for mark in marks:
        assert chart["left"] <= mark["left"] and mark["right"] <= chart["right"], mark
        assert chart["top"] <= mark["top"] and mark["bottom"] <= chart["bottom"], mark
    screenshot(browser, tmp_path, f"crowded-{width}.png", width)


@pytest.mark.parametrize("width", (*WIDTHS, 720))
def test_chart_and_legend_text_is_at_least_11px(browser, hostile_report, width):
    browser.set_window_size(width, 900)
    # The chart's text is drawn at its font size times the chart's scale.
    sizes = browser.execute_script(
        VISIBLE_CHART
        + "const scale = chart.getBoundingClientRect().width / chart.viewBox.baseVal.width;"
        "return Array.from(chart.querySelectorAll('text, tspan'))"
        ".map(t => parseFloat(getComputedStyle(t).fontSize) * scale);"
    )
    assert len(sizes) > 5
    assert min(sizes) >= 11, sizes
    legend = browser.execute_script(
        "return Array.from(document.querySelectorAll('.legend span, .milestone-key li, "
        ".milestone-key .badge')).map(e => parseFloat(getComputedStyle(e).fontSize));"
    )
    assert legend and min(legend) >= 11, legend


def test_hostile_text_stays_text(browser, hostile_report):
    from selenium.common.exceptions import NoAlertPresentException

    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert  # noqa: B018 (the property raises when no alert is open)
    assert browser.execute_script("return document.scripts.length") == 0
    assert browser.execute_script("return document.images.length") == 0
    titles = browser.execute_script(
        "return Array.from(document.querySelectorAll('svg.timeline .mark > title'))"
        ".map(t => t.textContent)"
    )
    assert any(SCRIPT in title for title in titles)


def test_narrow_screen_does_not_scroll_sideways(browser, hostile_report, tmp_path):
    browser.set_window_size(390, 900)
    overflow = browser.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1
    path = screenshot(browser, tmp_path, "report-narrow.png", 390)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_screenshot_is_written(browser, hostile_report, tmp_path):
    path = screenshot(browser, tmp_path, "report.png", 1280)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 10_000
