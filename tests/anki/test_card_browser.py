"""The card templates in a real headless Chromium: pick marking, no-JavaScript use, night mode.

The HTML is what the real Anki library renders (card.question() / card.answer()) from a built
and imported deck. Two ways a client shows the back are covered: replacing the page's content
in the same web view (Anki desktop, AnkiDroid, AnkiMobile) and loading a fresh page.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from srs_trainer.anki.build import build

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"

SOURCE = textwrap.dedent(
    """\
    format: 1
    id: browser-demo
    title: Browser demo
    questions:
      - id: pick-b
        section: challenge
        kind: syntax
        prompt: Which view is async?
        code:
          source: |
            async def my_view(request):
                # a comment
                data = await MyModel.objects.afirst()
                return JsonResponse({'data': data.id, "n": 1})
        choices:
          - Neither.
          - The one above.
          - text: This one
            code: "def view(request): pass"
        answer: B
        hint: Look for `async def`.
        explanation: Only **async def** views are async.
    """
)

# How Anki's reviewer shows a side: put the HTML into #qa and run its scripts.
SHELL = """<!doctype html>
<html><head><meta charset="utf-8"></head>
<body class="card {night}"><div id="qa"></div>
<script>
function showSide(html) {{
  var qa = document.getElementById("qa");
  qa.innerHTML = html;
  var scripts = qa.querySelectorAll("script");
  for (var i = 0; i < scripts.length; i++) {{
    var fresh = document.createElement("script");
    fresh.text = scripts[i].text;
    scripts[i].parentNode.replaceChild(fresh, scripts[i]);
  }}
}}
</script></body></html>"""

STANDALONE = """<!doctype html>
<html><head><meta charset="utf-8"></head><body class="card {night}">{html}</body></html>"""


def _missing_browser() -> str:
    for path in (CHROMIUM, CHROMEDRIVER):
        if not shutil.which(path):
            return f"{path} is not installed"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed"
    return ""


@pytest.fixture(scope="module")
def card_html(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The question and answer HTML of the one card, as the real Anki library renders them."""
    from anki.collection import Collection

    from anki import import_export_pb2 as ie

    folder = tmp_path_factory.mktemp("card")
    (folder / "cards").mkdir()
    (folder / "cards" / "demo.yaml").write_text(SOURCE, "utf-8")
    build([folder / "cards"], folder / "decks", use_cache=False, jobs=1)
    col = Collection(str(folder / "collection.anki2"))
    try:
        condition = ie.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER
        col.import_anki_package(ie.ImportAnkiPackageRequest(
            package_path=str(folder / "decks" / "browser-demo.apkg"),
            options=ie.ImportAnkiPackageOptions(update_notes=condition,
                                                update_notetypes=condition),
        ))
        (card_id,) = col.find_cards("")
        card = col.get_card(card_id)
        return {"question": card.question(), "answer": card.answer()}
    finally:
        col.close()


@pytest.fixture(scope="module")
def site(card_html: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A localhost server with the reviewer shell and each side as a page of its own."""
    root = tmp_path_factory.mktemp("site")
    for night in ("", "nightMode"):
        suffix = "-night" if night else ""
        (root / f"shell{suffix}.html").write_text(SHELL.format(night=night), "utf-8")
        for side, html in card_html.items():
            page = STANDALONE.format(night=night, html=html)
            (root / f"{side}{suffix}.html").write_text(page, "utf-8")
    handler = functools.partial(QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def _driver(tmp: Path, javascript: bool) -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-dev-shm-usage", f"--user-data-dir={tmp}"):
        options.add_argument(flag)
    if not javascript:
        options.add_experimental_option(
            "prefs", {"profile.managed_default_content_settings.javascript": 2}
        )
    return webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    reason = _missing_browser()
    if reason:
        pytest.skip(f"no headless browser: {reason}")
    driver = _driver(tmp_path_factory.mktemp("chromium"), javascript=True)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def browser_without_js(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    reason = _missing_browser()
    if reason:
        pytest.skip(f"no headless browser: {reason}")
    driver = _driver(tmp_path_factory.mktemp("chromium-nojs"), javascript=False)
    yield driver
    driver.quit()


def choice(driver: Any, letter: str) -> Any:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, f'.srs-choice[data-letter="{letter}"]')


def result_text(driver: Any) -> str:
    from selenium.webdriver.common.by import By

    result = driver.find_element(By.ID, "srs-result")
    return result.text if result.is_displayed() else ""


def show(driver: Any, html: str) -> None:
    driver.execute_script("showSide(arguments[0]);", html)


# --- with JavaScript ------------------------------------------------------------------------


@pytest.mark.parametrize(("letter", "expected"), [
    ("B", "Your pick, B, is right."),
    ("A", "Your pick, A, is wrong. The answer is B."),
])
def test_pick_on_front_is_marked_on_back_in_the_same_web_view(
    browser: Any, site: str, card_html: dict[str, str], letter: str, expected: str
) -> None:
    browser.get(f"{site}/shell.html")
    show(browser, card_html["question"])
    choice(browser, letter).click()
    assert "srs-selected" in choice(browser, letter).get_attribute("class")

    show(browser, card_html["answer"])

    assert result_text(browser) == expected
    picked = choice(browser, letter).get_attribute("class")
    assert "srs-picked" in picked
    assert ("srs-right" if letter == "B" else "srs-wrong") in picked


def test_pick_survives_a_fresh_page_for_the_back(browser: Any, site: str) -> None:
    browser.get(f"{site}/question.html")
    choice(browser, "C").click()

    browser.get(f"{site}/answer.html")

    assert result_text(browser) == "Your pick, C, is wrong. The answer is B."
    assert "srs-wrong" in choice(browser, "C").get_attribute("class")


def test_no_pick_means_no_verdict_and_a_new_front_forgets_the_old_pick(
    browser: Any, site: str, card_html: dict[str, str]
) -> None:
    browser.get(f"{site}/shell.html")
    show(browser, card_html["question"])
    choice(browser, "A").click()
    show(browser, card_html["question"])  # the card comes round again; no click this time

    show(browser, card_html["answer"])

    assert result_text(browser) == ""
    assert "srs-picked" not in choice(browser, "A").get_attribute("class")


def test_choices_work_from_the_keyboard(browser: Any, site: str,
                                        card_html: dict[str, str]) -> None:
    from selenium.webdriver.common.keys import Keys

    browser.get(f"{site}/shell.html")
    show(browser, card_html["question"])
    choice(browser, "B").send_keys(Keys.ENTER)
    show(browser, card_html["answer"])
    assert result_text(browser) == "Your pick, B, is right."


def _rgb(css_color: str) -> tuple[float, ...]:
    inside = css_color[css_color.index("(") + 1 : css_color.index(")")]
    return tuple(float(part) for part in inside.split(",")[:3])


def _contrast(one: tuple[float, ...], two: tuple[float, ...]) -> float:
    def luminance(rgb: tuple[float, ...]) -> float:
        linear = [(c / 255 / 12.92) if c <= 10 else ((c / 255 + 0.055) / 1.055) ** 2.4
                  for c in rgb]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(one), luminance(two)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("page", ["question", "question-night"])
def test_code_is_readable_in_day_and_night_mode(browser: Any, site: str, page: str) -> None:
    from selenium.webdriver.common.by import By

    browser.get(f"{site}/{page}.html")
    block = browser.find_element(By.CSS_SELECTOR, ".srs-code .srs-hl")
    background = _rgb(block.value_of_css_property("background-color"))
    assert background == ((39, 40, 34) if page.endswith("night") else (248, 248, 248))
    tokens = block.find_elements(By.CSS_SELECTOR, "span")
    assert len(tokens) > 10
    worst = min(_contrast(_rgb(t.value_of_css_property("color")), background) for t in tokens
                if t.text.strip())
    assert worst >= 4.5, f"some code token has contrast {worst:.2f}:1 on {background}"
    body = browser.find_element(By.TAG_NAME, "body")
    text_contrast = _contrast(_rgb(body.value_of_css_property("color")),
                              _rgb(body.value_of_css_property("background-color")))
    assert text_contrast >= 7


# --- without JavaScript ---------------------------------------------------------------------


def test_front_is_usable_without_javascript(browser_without_js: Any, site: str) -> None:
    from selenium.webdriver.common.by import By

    browser_without_js.get(f"{site}/question.html")

    texts = [choice(browser_without_js, letter).text for letter in "ABC"]
    assert texts[0].replace("\n", " ") == "A Neither."
    assert texts[1].replace("\n", " ") == "B The one above."
    assert texts[2].startswith("C") and "def view(request): pass" in texts[2]
    assert "Which view is async?" in browser_without_js.find_element(By.TAG_NAME, "body").text
    hint = browser_without_js.find_element(By.CSS_SELECTOR, ".srs-hint summary")
    hint.click()  # <details> opens without JavaScript
    assert "Look for async def." in browser_without_js.find_element(
        By.CSS_SELECTOR, ".srs-hint").text
    # The scripts did not run: choices were not turned into buttons.
    assert choice(browser_without_js, "A").get_attribute("role") is None


def test_back_marks_the_answer_without_javascript(browser_without_js: Any, site: str) -> None:
    browser_without_js.get(f"{site}/answer.html")

    correct = choice(browser_without_js, "B")
    other = choice(browser_without_js, "A")
    assert correct.value_of_css_property("border-color") != other.value_of_css_property(
        "border-color"
    )
    assert _rgb(correct.value_of_css_property("border-top-color")) == (46, 125, 50)
    assert result_text(browser_without_js) == ""
