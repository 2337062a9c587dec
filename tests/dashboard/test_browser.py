"""Every page in a real headless Chromium, served by `streamlit run` as `callstats dashboard` does."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from dashboard_helpers import APP, ROOT

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists() and not os.environ.get("CI"),
        reason="Debian's chromium is not installed (apt-get install chromium); CI always runs this test",
    ),
]

# page url, texts that must appear once it has rendered
PAGES = {
    "vecka": ["Veckan – samtal per vecka", "Nyckeltal för v. 8 2017", "Veckans dagar"],
    "manad": ["Månaden – jämförelse med föregående år", "samma period 2016", "Tabell för nämnden"],
    "sql": ["SQL – egna frågor mot databasen", "Tabeller och vyer"],
    "data": ["Data – vad databasen innehåller", "Inlästa filer", "Inställningar databasen byggdes med"],
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(dashboard_db: Path) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "CALLSTATS_DB": str(dashboard_db)}
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(APP), "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    output = process.stdout.read().decode() if process.stdout else ""
                    pytest.fail(f"streamlit did not start:\n{output}")
                time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_every_page_renders_without_an_exception(server: str) -> None:
    from playwright.sync_api import sync_playwright

    shots = os.environ.get("CALLSTATS_SCREENSHOTS")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1800})
        try:
            for path, expected in PAGES.items():
                page.goto(f"{server}/{'' if path == 'vecka' else path}")  # the default page is the root
                page.get_by_text("data t.o.m. 2017-02-21").first.wait_for(timeout=60_000)
                for text in expected:
                    page.get_by_text(text).first.wait_for(timeout=30_000)
                page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]',
                                       timeout=60_000)
                if path in ("vecka", "manad"):
                    page.locator(".js-plotly-plot").first.wait_for(timeout=30_000)
                if path == "sql":
                    page.locator("textarea").first.wait_for(timeout=30_000)
                assert page.locator('[data-testid="stException"]').count() == 0, path
                if shots:
                    Path(shots).mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(Path(shots) / f"{path}.png"), full_page=True)

            # The analyst's round trip: type a query, run it, read the row count.
            page.goto(f"{server}/sql")
            editor = page.locator("textarea").first
            editor.wait_for(timeout=60_000)
            editor.fill("select calls from calls_by_month where year = 2016 and month = 12")
            editor.press("Control+Enter")
            page.get_by_role("button", name="Kör").click()
            page.get_by_text("1 rader på").first.wait_for(timeout=30_000)
            assert page.locator('[data-testid="stException"]').count() == 0
        finally:
            browser.close()
