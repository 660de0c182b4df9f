"""Headless Chromium for the playground's tests and screenshots: Debian's chromium and
its chromedriver (/usr/bin/chromedriver), never a downloaded driver, nothing fetched."""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROMIUM = Path("/usr/bin/chromium")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,900",
)


def available() -> str | None:
    """Why no browser can be started here, or None."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    if not CHROMEDRIVER.exists() or not CHROMIUM.exists():
        return "no chromium/chromedriver (apt-get install chromium chromium-driver)"
    return None


def chromium() -> Any:
    """A new headless browser with a fresh profile; `quit()` it when done."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="oncall-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    quit_driver = driver.quit

    def quit_and_clean() -> None:
        quit_driver()
        shutil.rmtree(profile, ignore_errors=True)

    driver.quit = quit_and_clean
    return driver


class Page:
    """The playground's page in a browser, by what a person does on it. Every step waits
    for what it should show (a barrier in the page), never a fixed time."""

    def __init__(self, driver: Any, url: str, timeout: float = 8.0) -> None:
        from selenium.common.exceptions import (
            ElementClickInterceptedException,
            NoSuchElementException,
            StaleElementReferenceException,
        )
        from selenium.webdriver.support.ui import WebDriverWait

        self.driver = driver
        self.timeout = timeout
        # The page re-renders what changed as it polls: an element found a moment ago
        # may be replaced; each step is retried until it holds or the time is up.
        ignored = (
            NoSuchElementException,
            StaleElementReferenceException,
            ElementClickInterceptedException,
        )
        self.wait = WebDriverWait(driver, timeout, poll_frequency=0.05, ignored_exceptions=ignored)
        driver.get(url)
        self.wait.until(lambda d: d.find_elements("css selector", "#nav .nav-item"))

    def css(self, selector: str) -> Any:
        return self.wait.until(lambda d: d.find_element("css selector", selector))

    def until(self, predicate: Any, message: str = "") -> Any:
        return self.wait.until(lambda d: predicate(), message)

    def text(self, selector: str = "#main") -> str:
        return str(self.wait.until(lambda d: d.find_element("css selector", selector).text or " "))

    def be(self, name: str) -> None:
        from selenium.webdriver.support.ui import Select

        Select(self.css("#who")).select_by_visible_text(name)
        self.until(
            lambda: (
                self.driver.execute_script("return ui.state && ui.state.me")
                == self.driver.execute_script("return document.getElementById('who').value")
            )
        )

    def open(self, conversation: str) -> None:
        """A conversation's id, or "home"."""
        self.press(f'[data-conv="{conversation}"]')
        self.until(
            lambda: "active" in self.css(f'[data-conv="{conversation}"]').get_attribute("class")
        )

    def press(self, selector: str) -> None:
        """Click the element `selector` (found again if the page replaced it)."""
        self.wait.until(lambda d: d.find_element("css selector", selector).click() or True)

    def type(self, text: str) -> None:
        box = self.css("#composer-input")
        box.clear()
        box.send_keys(text)
        self.press("#send")

    def shows(self, words: str, selector: str = "#main") -> None:
        self.until(lambda: words in self.text(selector), f"{words!r} never showed in {selector}")

    def click(self, label: str, within: str = "#main") -> None:
        """The first button labelled `label` in `within`."""
        xpath = f'//*[@id="{within.lstrip("#")}"]//button[normalize-space()="{label}"]'
        self.wait.until(lambda d: d.find_element("xpath", xpath).click() or True)

    def modal(self) -> Any:
        return self.until(
            lambda: (
                self.driver.find_element("id", "modal").is_displayed()
                and self.driver.find_element("id", "modal")
            )
        )

    def choose(self, block_id: str, option: str) -> None:
        from selenium.webdriver.support.ui import Select

        Select(self.css(f'#modal select[data-block="{block_id}"]')).select_by_visible_text(option)

    def pick_date(self, block_id: str, day: str) -> None:
        """What a person's date picker sets: the input's value (yyyy-mm-dd)."""
        field = self.css(f'#modal input[data-block="{block_id}"]')
        self.driver.execute_script("arguments[0].value = arguments[1]", field, day)

    def fill(self, block_id: str, text: str) -> None:
        """Type into the modal's text input `block_id`."""
        field = self.css(f'#modal [data-block="{block_id}"][data-type="plain_text_input"]')
        field.clear()
        field.send_keys(text)

    def submit(self) -> None:
        self.press("#modal-submit")

    def modal_closed(self) -> None:
        self.until(
            lambda: not self.driver.find_element("id", "modal").is_displayed(),
            "the modal stayed open",
        )

    def steady(self, quiet: float = 0.6) -> None:
        """Wait until the page has shown the same workspace version for `quiet` seconds
        (the app may still be sending the last parts of an answer)."""
        version = "return ui.state && ui.state.version"
        seen, since = self.driver.execute_script(version), time.monotonic()
        deadline = since + self.timeout
        while time.monotonic() - since < quiet:
            if time.monotonic() > deadline:
                raise AssertionError("the page never settled")
            time.sleep(0.05)
            now = self.driver.execute_script(version)
            if now != seen:
                seen, since = now, time.monotonic()

    def save(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.driver.save_screenshot(str(path))
        return path
