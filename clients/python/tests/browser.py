"""Headless Chromium through Selenium for the dashboard's browser tests (skipped without Chromium, chromedriver or
selenium, unless RW_REQUIRE_BROWSER=1)."""

from __future__ import annotations

import contextlib
import os
import shutil
from typing import Iterator, Optional, Sequence

import pytest


def _find(*names: str) -> Optional[str]:
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    return None


@contextlib.contextmanager
def headless_chromium(arguments: Sequence[str]) -> Iterator["object"]:
    """A headless Chromium WebDriver with `arguments` besides the headless ones, quit afterwards."""
    chromium = _find("chromium", "chromium-browser", "google-chrome")
    driver_binary = _find("chromedriver", "chromium-driver")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:  # pragma: no cover - the test extra installs selenium
        webdriver = None
    if not (chromium and driver_binary and webdriver):
        message = "Chromium, chromedriver or selenium is missing (apt-get install chromium chromium-driver)"
        if os.environ.get("RW_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", *arguments):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(driver_binary), options=options)
    driver.set_script_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
