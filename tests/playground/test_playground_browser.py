"""The playground in a real browser (headless Chromium, Debian's chromium + chromedriver).

One playground and one browser for the module: the scenarios run in order on the same
workspace, as a newcomer would click through it (a swap requested in one test is
accepted in the next). Each step waits for what the page should show; a screenshot of
each surface is saved in the module's temporary folder.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from harness import DAVIS, JAMES, JOHN, TEAM_FILE
from slack_sdk import WebClient

from bot.playground import browser
from bot.playground.main import Playground, start_playground
from bot.playground.workspace import INCIDENT_ID

why_not = browser.available()
pytestmark = pytest.mark.skipif(why_not is not None, reason=why_not or "")

# Tuesday 1 Dec 2026, 10:00 in New York: week 0 (John's), the rotation's first week.
START = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
CHANNEL = "C0000000000"


@pytest.fixture(scope="module")
def playground() -> Iterator[Playground]:
    running = start_playground(TEAM_FILE, at=START)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def page(playground: Playground) -> Iterator[browser.Page]:
    driver = browser.chromium()
    try:
        yield browser.Page(driver, playground.url)
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the screenshots go: PLAYGROUND_SHOTS to keep them, else a temporary folder."""
    kept = os.environ.get("PLAYGROUND_SHOTS")
    return Path(kept) if kept else tmp_path_factory.mktemp("screenshots")


def test_john_types_oncall_and_sees_the_engineer(page: browser.Page, shots: Path) -> None:
    page.be("John")
    page.open(CHANNEL)
    page.type("/oncall")
    page.shows("On call now: John")
    answer = page.text("#messages .message:last-child")
    assert "Only visible to you" in answer and "Backup: @James" in answer
    assert page.save(shots / "oncall.png").stat().st_size > 10_000


def test_john_requests_a_swap_in_the_modal(
    page: browser.Page, playground: Playground, shots: Path
) -> None:
    page.open("home")
    page.shows("Your next weeks")
    page.click("Request swap")  # his first swappable week: week 4, Mon 28 Dec
    page.modal()
    page.choose("counterpart", "James")
    page.save(shots / "swap-modal.png")
    page.submit()
    page.modal_closed()
    page.open("D" + JOHN)
    page.shows("James")  # the requester's confirmation, with a Cancel button
    assert "Cancel request" in page.text()


def test_james_accepts_in_his_dm_and_both_homes_change(page: browser.Page, shots: Path) -> None:
    page.be("James")
    page.open("D" + JAMES)
    page.shows("Accept")
    page.save(shots / "swap-request-dm.png")
    page.click("Accept")
    page.shows("Accepted")
    page.open("home")
    page.shows("Mon 28 Dec – Mon 04 Jan (week 4)")  # John's week is now his
    page.save(shots / "home.png")
    page.be("John")
    page.until(lambda: "Mon 04 Jan – Mon 11 Jan (week 5)" in page.text(), "John's week 5")
    next_weeks, _, changes = page.text().partition("Recent changes")
    assert "(week 4)" not in next_weeks  # it moved to James: now only a recent change
    assert "Mon 28 Dec – Mon 04 Jan (week 4) · on call: you → James" in changes


def test_time_off_too_soon_shows_the_error_under_the_field(page: browser.Page) -> None:
    page.be("Davis")
    page.open("home")
    page.click("Request time off")
    page.modal()
    page.pick_date("start", "2026-12-03")
    page.pick_date("end", "2026-12-04")
    page.submit()
    page.until(lambda: page.text('[data-error-for="start"]').strip(), "no error under the field")
    assert "notice" in page.text('[data-error-for="start"]')
    assert page.driver.find_element("id", "modal").is_displayed()  # nothing was recorded
    page.press("#modal-close")
    page.modal_closed()


def test_jump_to_monday_0859_and_see_the_handover(
    page: browser.Page, playground: Playground, shots: Path
) -> None:
    page.be("Davis")
    page.open(CHANNEL)
    page.press("#jump-handover")
    page.shows("Mon 07 Dec 2026, 08:59", "#clock-now")
    assert "On-call handover" not in page.text()
    page.press("#jump-minute")  # 09:00: the app's own handover job runs
    page.shows("On-call handover: week 1")
    assert "On call this week" in page.text() or "James" in page.text()
    page.save(shots / "handover.png")
    # Friday's heads-up was jumped over by days: skipped, as a stopped scheduler would.
    jobs = [name for name, _ in playground.ticker.fired if name != "housekeeping"]
    assert jobs == ["handover"]


def test_a_hostile_name_renders_as_text(page: browser.Page, playground: Playground) -> None:
    # As an app that forgot to escape would send it, and as the app escapes it.
    hostile = '<img src=x onerror="window.pwned=1"> *<b>bold</b>* &lt;script&gt;x&lt;/script&gt;'
    client = WebClient(token="xoxb-test", base_url=playground.fake.url)
    client.chat_postMessage(channel=INCIDENT_ID, text=hostile)
    page.be("Davis")
    page.open(INCIDENT_ID)
    page.shows('<img src=x onerror="window.pwned=1">')
    shown = page.text()
    assert "<script>x</script>" in shown and "<b>bold</b>" in shown
    assert page.driver.execute_script("return window.pwned") is None
    assert not page.driver.find_elements("css selector", "#main img, #main script, #main b b")


def test_a_thread_reply_is_shown_under_its_message(
    page: browser.Page, playground: Playground
) -> None:
    client = WebClient(token="xoxb-test", base_url=playground.fake.url)
    ts = client.chat_postMessage(channel=INCIDENT_ID, text="the parent")["ts"]
    client.chat_postMessage(channel=INCIDENT_ID, text="a note", thread_ts=ts)
    page.open(INCIDENT_ID)
    page.shows("a note")
    reply = page.text("#messages .message.reply")
    assert "in the thread" in reply and "a note" in reply
    assert "in the thread" not in page.text(f'#messages .message[data-ts="{ts}"]')


@pytest.mark.refusals_expected
def test_a_refused_payload_is_shown_as_slacks_error(
    page: browser.Page, playground: Playground
) -> None:
    client = WebClient(token="xoxb-test", base_url=playground.fake.url)
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]
    with pytest.raises(Exception, match="invalid_blocks"):
        client.chat_postMessage(channel=INCIDENT_ID, text="too long", blocks=blocks)
    page.open(INCIDENT_ID)
    page.shows("Slack refused this message: invalid_blocks")
    assert "x" * 100 not in page.text()
    assert playground.fake.take_refusals()


def test_json_on_demand_and_keyboard_labels(page: browser.Page) -> None:
    page.be("Davis")
    page.open(CHANNEL)
    page.press("#show-json")
    page.shows('"blocks"')
    page.press("#show-json")
    composer = page.css("#composer-input")
    label = page.driver.find_element("css selector", 'label[for="composer-input"]')
    assert label.get_attribute("textContent").startswith("Message")
    assert composer.get_attribute("id") == "composer-input"
    assert DAVIS in page.driver.execute_script("return ui.state.members")


def test_reset_links_asks_first_and_keeping_them_changes_nothing(
    page: browser.Page, shots: Path
) -> None:
    page.be("Jill")
    page.open(CHANNEL)
    page.type("/oncall calendar")
    page.shows("Reset links")
    first = page.text("#messages .message:last-child")
    page.click("Reset links")
    page.until(lambda: page.driver.find_element("id", "confirm").is_displayed(), "no confirm")
    assert "Reset your calendar links?" in page.text("#confirm")
    page.save(shots / "calendar-confirm.png")
    page.press("#confirm-deny")  # "Keep them": Slack sends nothing
    page.steady()
    assert page.text("#messages .message:last-child") == first
    page.click("Reset links")
    page.press("#confirm-ok")
    page.shows("revoked")
    assert page.text("#messages .message:last-child") != first


def test_a_channel_mention_shows_the_channels_name(page: browser.Page) -> None:
    page.be("Davis")
    page.open(CHANNEL)
    page.type("/oncall incident aggregate-growth loads failing")
    page.shows("is open")
    page.until(lambda: "#inc-" in page.text(), "the new channel's name never showed")
    assert "#C9" not in page.text()  # <#C…> as Slack shows it: by name, not by id
