"""The web pages in a real browser (issue 11): Debian's headless Chromium driven by selenium, against the real
server (uvicorn on 127.0.0.1 and a free port) of a course made with the CLI.

A student signs in with their token, answers with Persian digits, submits and reads bilingual feedback with the
attempts going down; a format error uses no attempt; a POST without its CSRF field and another student's page
are refused (403); drafts survive a reload (with and without JavaScript); a TA grades a written part in the page
and the exported gradebook changes. With AZMOON_SCREENSHOTS=1 the same tests write docs/screenshots/*.png.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import socket
import sqlite3
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
    pytest.skip("Debian's chromium and chromium-driver are not installed", allow_module_level=True)

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402
from web_course import STUDENTS, WRITTEN, issue_tokens, key_of, make_app, make_course, run_cli  # noqa: E402

SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
TAKE_SCREENSHOTS = os.environ.get("AZMOON_SCREENSHOTS") == "1"
ANSWERER, FORMAT_ERRER, DRAFTER, WRITER = STUDENTS
TO_PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


@pytest.fixture(scope="module")
def course_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_course(tmp_path_factory.mktemp("web"))


@pytest.fixture(scope="module")
def tokens(course_dir: Path) -> tuple[dict[str, str], str]:
    return issue_tokens(course_dir)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(course_dir: Path) -> Iterator[str]:
    """`server.app.create_app(course_dir)` on uvicorn in a thread, 127.0.0.1 and a free port."""
    import uvicorn

    port = _free_port()
    config = uvicorn.Config(make_app(course_dir), host="127.0.0.1", port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not running.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    profile = tempfile.mkdtemp(prefix="azmoon-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={profile}", "--window-size=1100,900", "--lang=fa"):  # fmt: skip
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(browser: webdriver.Chrome, server: str) -> webdriver.Chrome:
    """The browser, signed out (no cookies), at the desktop size."""
    browser.get(server + "/")
    browser.delete_all_cookies()
    browser.set_window_size(1100, 900)
    return browser


# --- helpers --------------------------------------------------------------------------------------------------


def click(driver: webdriver.Chrome, css: str, navigates: bool = True) -> None:
    """Click the element (scrolled to the middle of the screen, clear of the sticky bar); wait for the next page."""
    element = driver.find_element(By.CSS_SELECTOR, css)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    driver.execute_script("window.azmoonOldPage = true")
    element.click()
    if navigates:
        WebDriverWait(driver, 20).until(
            lambda d: d.execute_script("return !window.azmoonOldPage && document.readyState === 'complete'")
        )


def sign_in(driver: webdriver.Chrome, server: str, token: str) -> None:
    driver.get(server + "/")
    driver.find_element(By.ID, "token").send_keys(token)
    click(driver, "form.signin button[type=submit]")


def screenshot(driver: webdriver.Chrome, name: str, width: int = 1100) -> None:
    """docs/screenshots/<name>.png of the whole page, only with AZMOON_SCREENSHOTS=1 (CI keeps the tree clean)."""
    if not TAKE_SCREENSHOTS:
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.set_window_size(width, 900)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(width, min(int(height) + 140, 6000))
    time.sleep(0.2)
    driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))
    driver.set_window_size(1100, 900)


def fill_right_answers(driver: webdriver.Chrome, key: dict[str, dict[str, Any]], written: str) -> None:
    """Every part answered from the key: numbers typed in Persian digits, choices clicked, the written text."""
    for item, parts in key.items():
        for part_id, part in parts.items():
            field = f"{item}.{part_id}"
            if (item, part_id) == WRITTEN:
                box = driver.find_element(By.NAME, field)
                box.clear()
                box.send_keys(written)
            elif driver.find_elements(By.CSS_SELECTOR, f'input[type=radio][name="{field}"]'):
                click(driver, f'[id="f-{field}-{part["answer"]}"]', navigates=False)
            else:
                box = driver.find_element(By.NAME, field)
                box.clear()
                box.send_keys(str(part["answer_text"]).translate(TO_PERSIAN))


def submit_form(driver: webdriver.Chrome) -> None:
    click(driver, "#submit-answers")
    assert "/submissions/" in driver.current_url


def db_rows(course_dir: Path, sql: str, *args: Any) -> list[tuple]:
    conn = sqlite3.connect(course_dir / "course.db")
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def graded_attempts(course_dir: Path, student: str) -> int:
    return db_rows(course_dir, "SELECT count(*) FROM submissions WHERE student_id = ? AND status = 'graded'",
                   student)[0][0]  # fmt: skip


def text_of(driver: webdriver.Chrome, css: str) -> str:
    return driver.find_element(By.CSS_SELECTOR, css).text.strip()


def post_raw(url: str, fields: dict[str, str], cookie: str) -> tuple[int, str]:
    """A POST outside the browser with the browser's session cookie (what a forged cross-site form sends)."""
    data = urllib.parse.urlencode(fields).encode()
    request = urllib.request.Request(url, data=data, method="POST", headers={"Cookie": cookie})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310 (127.0.0.1 test server)
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def session_cookie(driver: webdriver.Chrome) -> str:
    return "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())


# --- the student ----------------------------------------------------------------------------------------------


def test_sign_in_answer_in_persian_digits_and_read_the_feedback(
    page: webdriver.Chrome, server: str, course_dir: Path, tokens: tuple[dict[str, str], str]
) -> None:
    screenshot(page, "01-sign-in")
    sign_in(page, server, tokens[0][ANSWERER])
    assert page.current_url.endswith("/assignments")
    card = "#assignment-hw1"
    assert text_of(page, f"{card} .attempts-left") == "3"
    assert "(Asia/Tehran)" in text_of(
        page, f"{card} dd [lang=fa]"
    )  # the due time in the course's zone, Jalali
    screenshot(page, "02-my-assignments")
    click(page, f"{card} a.button")
    key = key_of(course_dir, ANSWERER)
    solution = json.loads(db_rows(course_dir, "SELECT solved FROM variant_items WHERE student_id = ? AND item = ?",
                                  ANSWERER, "conv_output_size")[0][0])["solution"]["en"]  # fmt: skip
    assert solution.splitlines()[0] not in page.page_source  # no key, no solution in the page
    fill_right_answers(page, key, "Shifting the input shifts the output: f(shift(x)) = shift(f(x)).")
    screenshot(page, "03-answer-form")
    submit_form(page)

    concept = [p["points"] for p in key["concept_equivariance"].values()]
    written_raw = key[WRITTEN[0]][WRITTEN[1]]["points"]
    # conv_output_size is worth 1 point, concept_equivariance 5 (its parts' points): all right but the written part
    expected = 1 + 5 * (sum(concept) - written_raw) / sum(concept)
    score, max_score = db_rows(course_dir, "SELECT score, max_score FROM submissions WHERE student_id = ? "
                               "AND status = 'graded'", ANSWERER)[0]  # fmt: skip
    assert max_score == 1 + 5 and score == pytest.approx(expected, abs=1e-3)
    shown = f"{score:.2f}".rstrip("0").rstrip(".")
    assert page.find_element(By.ID, "score").text == f"{shown} / 6"
    assert page.find_element(By.ID, "attempts-left").text == "2"
    conv = page.find_element(By.ID, "fb-conv_output_size.out")
    assert "right" in conv.find_element(By.CSS_SELECTOR, ".word [lang=en]").text
    assert conv.find_element(By.CSS_SELECTOR, "p[lang=fa]").text and conv.find_element(
        By.CSS_SELECTOR, "p[lang=en]"
    )
    pending = page.find_element(By.ID, f"fb-{WRITTEN[0]}.{WRITTEN[1]}")
    assert "waiting for a TA" in pending.text
    screenshot(page, "04-feedback")

    page.get(server + "/assignments")
    assert text_of(page, "#assignment-hw1 .attempts-left") == "2"
    page.get(server + "/assignments/hw1")
    assert len(page.find_elements(By.CSS_SELECTOR, "#history tbody tr")) == 1


def test_a_format_error_shows_its_problems_and_uses_no_attempt(
    page: webdriver.Chrome, server: str, course_dir: Path, tokens: tuple[dict[str, str], str]
) -> None:
    sign_in(page, server, tokens[0][FORMAT_ERRER])
    page.get(server + "/assignments/hw1")
    page.find_element(By.NAME, "conv_output_size.out").send_keys("about fifty")
    submit_form(page)
    assert page.find_elements(By.ID, "score") == []  # no score, no verdicts: only the problems
    problems = page.find_elements(By.CSS_SELECTOR, "ul.problems li")
    assert problems and "conv_output_size.out" in problems[0].text
    assert problems[0].find_element(By.CSS_SELECTOR, "[lang=fa]").text
    assert page.find_element(By.ID, "attempts-left").text == "3"
    assert page.find_elements(By.CSS_SELECTOR, "ol.feedback") == []
    screenshot(page, "05-format-error")
    assert graded_attempts(course_dir, FORMAT_ERRER) == 0
    page.get(server + "/assignments")
    assert text_of(page, "#assignment-hw1 .attempts-left") == "3"


def test_a_post_without_its_csrf_field_is_refused_and_changes_nothing(
    page: webdriver.Chrome, server: str, course_dir: Path, tokens: tuple[dict[str, str], str]
) -> None:
    sign_in(page, server, tokens[0][FORMAT_ERRER])
    page.get(server + "/assignments/hw1")
    before = db_rows(course_dir, "SELECT count(*) FROM submissions")[0][0]
    page.execute_script("document.querySelector('#answer-form input[name=csrf]').remove()")
    page.find_element(By.NAME, "conv_output_size.out").send_keys("12")
    click(page, "#submit-answers")
    assert "CSRF" in page.page_source
    assert "403" in page.title
    fields = {"action": "submit", "conv_output_size.out": "12"}
    assert post_raw(server + "/assignments/hw1", fields, session_cookie(page))[0] == 403
    forged = {**fields, "csrf": "0" * 64}
    assert post_raw(server + "/assignments/hw1", forged, session_cookie(page))[0] == 403
    assert post_raw(server + "/signin", {"token": tokens[0][FORMAT_ERRER]}, "")[0] == 403
    assert db_rows(course_dir, "SELECT count(*) FROM submissions")[0][0] == before


def test_another_students_pages_are_refused(
    page: webdriver.Chrome, server: str, course_dir: Path, tokens: tuple[dict[str, str], str]
) -> None:
    others = db_rows(course_dir, "SELECT id FROM submissions WHERE student_id = ?", ANSWERER)
    assert others, "runs after the answering test"
    sign_in(page, server, tokens[0][DRAFTER])
    for path in (
        f"/submissions/{others[0][0]}",
        f"/staff/students/{ANSWERER}",
        "/staff/assignments/hw1/written",
    ):
        page.get(server + path)
        assert page.title.startswith("403"), path
        assert "سارا محمدی" not in page.page_source  # nothing of the other student's
    status, _ = post_raw(server + "/staff/assignments/hw1/written",
                         {"submission": str(others[0][0]), "item": WRITTEN[0], "part": WRITTEN[1], "score": "2"},
                         session_cookie(page))  # fmt: skip
    assert status == 403


def test_a_wrong_token_is_refused_without_naming_anyone(page: webdriver.Chrome, server: str) -> None:
    sign_in(page, server, "not-a-real-token")
    assert page.find_elements(By.ID, "token")  # the sign-in form again
    alert = text_of(page, ".alert")
    assert "not valid" in alert and "معتبر نیست" in alert
    assert not any(c["name"] == "azmoon_session" for c in page.get_cookies())


def test_a_signed_out_session_is_over(
    page: webdriver.Chrome, server: str, tokens: tuple[dict[str, str], str]
) -> None:
    sign_in(page, server, tokens[0][DRAFTER])
    cookie = session_cookie(page)
    cookie_row = next(c for c in page.get_cookies() if c["name"] == "azmoon_session")
    assert cookie_row["httpOnly"] and cookie_row["sameSite"] == "Strict"
    click(page, "header form button")
    assert page.find_elements(By.ID, "token")
    request = urllib.request.Request(server + "/assignments", headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
        assert response.url.rstrip("/") == server  # sent back to the sign-in page


def test_drafts_survive_a_reload_with_and_without_javascript(
    page: webdriver.Chrome, server: str, course_dir: Path, tokens: tuple[dict[str, str], str]
) -> None:
    sign_in(page, server, tokens[0][DRAFTER])
    page.get(server + "/assignments/hw1")
    page.find_element(By.NAME, "conv_output_size.out").send_keys("۱۲۳")
    click(page, "button[value=save]")  # the plain form post
    assert "Draft saved" in text_of(page, ".notice")
    assert page.find_element(By.NAME, "conv_output_size.out").get_attribute("value") == "۱۲۳"
    written = page.find_element(By.NAME, f"{WRITTEN[0]}.{WRITTEN[1]}")
    written.send_keys("a draft typed, never submitted")
    WebDriverWait(page, 10).until(lambda d: d.find_element(By.ID, "draft-status").get_attribute("data-saved"))
    page.refresh()
    again = page.find_element(By.NAME, f"{WRITTEN[0]}.{WRITTEN[1]}")
    assert again.get_attribute("value") == "a draft typed, never submitted"
    assert graded_attempts(course_dir, DRAFTER) == 0


# --- the TA ---------------------------------------------------------------------------------------------------


def _gradebook_total(course_dir: Path, student: str) -> dict[str, str]:
    out = course_dir.parent / "grades.csv"
    run_cli("gradebook", "export", "hw1", "--format", "wide", "-o", str(out), "--course", str(course_dir))
    with open(out, encoding="utf-8-sig", newline="") as handle:
        return {r["student_id"]: r for r in csv.DictReader(handle)}[student]


def test_a_ta_grades_a_written_part_and_the_gradebook_changes(
    page: webdriver.Chrome, server: str, course_dir: Path, tokens: tuple[dict[str, str], str]
) -> None:
    students, staff = tokens
    sign_in(page, server, students[WRITER])
    page.get(server + "/assignments/hw1")
    fill_right_answers(
        page, key_of(course_dir, WRITER), "معادل‌بودن: f(shift(x)) = shift(f(x)) برای قطعه‌بندی لازم است."
    )
    submit_form(page)
    before = _gradebook_total(course_dir, WRITER)
    assert before["status"].startswith("pending")

    page.delete_all_cookies()
    sign_in(page, server, staff)
    assert page.current_url.endswith("/staff")
    screenshot(page, "06-staff-assignments")
    page.get(server + "/staff/assignments/hw1/written")
    deadline = time.monotonic() + 20
    while WRITER not in text_of(page, "#entry .where"):
        assert time.monotonic() < deadline
        click(page, "a[rel=next]")
    assert "f(shift(x))" in text_of(page, "blockquote.answer")
    assert text_of(page, ".rubric [lang=en]")
    screenshot(page, "07-written-grading")
    points = re.search(r"of ([\d.]+)", text_of(page, "label[for=score-input] [lang=en]")).group(1)
    page.find_element(By.ID, "score-input").send_keys(points.translate(TO_PERSIAN))  # full marks
    page.find_element(By.ID, "comment-input").send_keys("Good: the equation and why it matters.")
    click(page, ".grade-form button")
    assert "Grade saved" in text_of(page, ".notice")

    after = _gradebook_total(course_dir, WRITER)
    assert not after["status"].startswith("pending")
    assert float(before["total"]) < 1 + 5 and float(after["total"]) == pytest.approx(
        1 + 5
    )  # hw1: 1 + 5 points
    page.get(server + f"/staff/assignments/hw1?student={WRITER}")
    rows = page.find_elements(By.CSS_SELECTOR, "table.grid tbody tr")
    assert len(rows) == 1 and WRITER in rows[0].text
    screenshot(page, "08-staff-submissions")
    page.get(server + f"/staff/students/{WRITER}")
    screenshot(page, "09-student-history")

    page.delete_all_cookies()
    sign_in(page, server, students[WRITER])
    submission = db_rows(course_dir, "SELECT id FROM submissions WHERE student_id = ?", WRITER)[0][0]
    page.get(server + f"/submissions/{submission}")
    assert "Good: the equation" in page.find_element(By.ID, f"fb-{WRITTEN[0]}.{WRITTEN[1]}").text


# --- every page: lang and dir on every block, labels on every input, a phone-sized layout ---------------------

CHECK_PAGE = """
const bad = [];
for (const el of document.querySelectorAll('.fa, .en')) {
  const lang = el.classList.contains('fa') ? 'fa' : 'en';
  if (el.getAttribute('lang') !== lang || el.getAttribute('dir') !== (lang === 'fa' ? 'rtl' : 'ltr'))
    bad.push('block ' + el.outerHTML.slice(0, 80));
}
for (const el of document.querySelectorAll('input, textarea, select')) {
  if (el.type === 'hidden') continue;
  const labelled = (el.id && document.querySelector('label[for="' + CSS.escape(el.id) + '"]')) || el.closest('label');
  if (!labelled) bad.push('unlabelled ' + el.outerHTML.slice(0, 80));
}
if (!document.querySelector('meta[name=viewport]')) bad.push('no viewport');
if (document.documentElement.scrollWidth > window.innerWidth + 1) bad.push('wider than the screen');
return bad;
"""


def test_every_page_marks_its_languages_labels_its_inputs_and_fits_a_phone(
    page: webdriver.Chrome, server: str, course_dir: Path, tokens: tuple[dict[str, str], str]
) -> None:
    students, staff = tokens
    page.set_window_size(390, 844)
    assert page.execute_script(CHECK_PAGE) == []
    sign_in(page, server, students[ANSWERER])
    submission = db_rows(course_dir, "SELECT id FROM submissions WHERE student_id = ?", ANSWERER)[0][0]
    for path in ("/assignments", "/assignments/hw1", f"/submissions/{submission}"):
        page.get(server + path)
        page.set_window_size(390, 844)
        assert page.execute_script(CHECK_PAGE) == [], path
    page.get(server + "/assignments/hw1")
    if TAKE_SCREENSHOTS:
        screenshot(page, "10-answer-form-phone", width=390)
    page.delete_all_cookies()
    sign_in(page, server, staff)
    for path in (
        "/staff",
        "/staff/assignments/hw1",
        "/staff/assignments/hw1/written",
        f"/staff/students/{ANSWERER}",
    ):
        page.get(server + path)
        page.set_window_size(390, 844)
        assert page.execute_script(CHECK_PAGE) == [], path
