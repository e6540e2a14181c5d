"""Lesson blocks and the glossary (issue 13), driven as a reader would: a think-first answer
waits behind its button (mouse and keyboard) but is printed and shown without JavaScript; a
marked word shows its definition on hover and on keyboard focus and leads to the glossary
page, which lists every word with links back to the lessons that use it. Expected texts are
read from the sources (content/lessons/*.md, content/glossary.yaml), never from the page."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
LESSONS = ROOT / "content" / "lessons"
GLOSSARY = yaml.safe_load((ROOT / "content" / "glossary.yaml").read_text())
SLUGS = yaml.safe_load((ROOT / "content" / "site.yaml").read_text())["lessons"]
MARK = re.compile(r"\[\[([^\[\]|\n]+?)(?:\|([^\[\]|\n]+?))?\]\]")


def lesson_source(slug: str) -> str:
    return next(LESSONS.glob(f"*-{slug}.md")).read_text()


def think_first_answers(slug: str) -> list[str]:
    """The answer text of each think-first block, maths and emphasis stripped to plain words."""
    out = []
    for block in re.findall(r"^/// think-first[^\n]*\n(.*?)^///\s*$", lesson_source(slug), re.S | re.M):
        answer = block.split("\n---\n", 1)[1]
        answer = re.sub(r"\$[^$]*\$", " ", answer).replace("*", "")
        out.append(" ".join(answer.split()))
    return out


def words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z]{4,}", text)


def term_of(word: str) -> str:
    """The glossary entry a marked word belongs to (its name or one of its aliases)."""
    w = " ".join(word.split()).lower()
    for name, entry in GLOSSARY.items():
        if w == name.lower() or w in [a.lower() for a in entry.get("aliases", [])]:
            return name
    raise AssertionError(f"{word!r} is not in the glossary")


def anchor(name: str) -> str:
    return "term-" + re.sub(r"[^\w]+", "-", name.lower()).strip("-")


def marked(slug: str) -> list[str]:
    src = re.sub(r"\$\$.*?\$\$|\$[^$\n]+\$|`[^`\n]*`", " ", lesson_source(slug), flags=re.S)
    return [term_of(m.group(2) or m.group(1)) for m in MARK.finditer(src)]


def test_reveal_button_shows_the_answer_with_the_mouse(page, site_url):
    page.goto(site_url("one-weight.html"))
    page.wait_for_selector("html[data-ready=true]")
    box = page.locator(".think-first").first
    answer, button = box.locator(".think-answer"), box.locator("button.think-reveal")
    assert button.inner_text() == "Show the answer"
    assert not answer.is_visible()
    assert button.get_attribute("aria-expanded") == "false"
    assert button.get_attribute("aria-controls") == answer.get_attribute("id")
    button.click()
    assert answer.is_visible()
    assert button.get_attribute("aria-expanded") == "true"
    shown = " ".join(answer.inner_text().split())
    expected = think_first_answers("one-weight")[0]
    assert words(expected) and all(w in shown for w in words(expected)), (expected, shown)
    assert button.inner_text() == "Hide the answer"
    button.click()
    assert not answer.is_visible()
    assert page.page_errors == []


def test_reveal_button_works_from_the_keyboard(page, site_url):
    page.goto(site_url("learning-rates.html"))
    page.wait_for_selector("html[data-ready=true]")
    box = page.locator(".think-first").first
    answer, button = box.locator(".think-answer"), box.locator("button.think-reveal")
    # reach the button with Tab from the question's paragraph, as a keyboard user does
    box.locator("p").nth(1).click()
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('think-reveal')"):
            break
    assert page.evaluate("document.activeElement.classList.contains('think-reveal')")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # a visible focus ring
    assert not answer.is_visible()
    page.keyboard.press("Enter")
    assert answer.is_visible() and button.get_attribute("aria-expanded") == "true"
    expected = think_first_answers("learning-rates")[0]
    shown = " ".join(answer.inner_text().split())
    assert all(w in shown for w in words(expected)), (expected, shown)
    page.keyboard.press("Space")
    assert not answer.is_visible() and button.get_attribute("aria-expanded") == "false"


@pytest.mark.parametrize("slug", [s for s in SLUGS if "/// think-first" in lesson_source(s)])
def test_answers_are_printed_and_shown_without_javascript(page, browser, site_url, slug):
    expected = think_first_answers(slug)
    page.goto(site_url(f"{slug}.html"))
    page.wait_for_selector("html[data-ready=true]")
    page.emulate_media(media="print")
    answers = page.locator(".think-answer")
    assert answers.count() == len(expected)
    for i, text in enumerate(expected):
        assert answers.nth(i).is_visible()
        assert all(w in " ".join(answers.nth(i).inner_text().split()) for w in words(text))
    assert page.locator("button.think-reveal").first.is_hidden()

    ctx = browser.new_context(java_script_enabled=False)
    nojs = ctx.new_page()
    nojs.goto(site_url(f"{slug}.html"))
    assert nojs.locator(".think-answer").count() == len(expected)
    for i in range(len(expected)):
        assert nojs.locator(".think-answer").nth(i).is_visible()
    assert nojs.locator("button.think-reveal").count() == 0
    ctx.close()


def test_each_block_has_its_label(page, site_url):
    labels = {"big-question": "The big question", "why-it-matters": "Why it matters", "analogy": "Think of it like this",
              "mistake": "A common mistake", "think-first": "Think first", "moves": "Moves to watch"}
    seen = set()
    for slug in SLUGS:
        src = lesson_source(slug)
        kinds = [k for k in labels if re.search(rf"^/// {k}\s*$", src, re.M)]
        if not kinds:
            continue
        page.goto(site_url(f"{slug}.html"))
        for kind in kinds:
            title = page.locator(f".admonition.{kind} > .admonition-title").first
            assert title.inner_text().strip() == labels[kind]
            # an icon besides the label: not colour alone
            icon = title.evaluate("e => getComputedStyle(e, '::before').content")
            assert icon not in ("none", "normal", '""'), (kind, icon)
            seen.add(kind)
    assert seen == set(labels)  # every kind is used by some lesson


def test_term_shows_its_definition_on_hover_and_on_focus(page, site_url):
    page.goto(site_url("one-weight.html"))
    page.wait_for_selector("html[data-ready=true]")
    first = marked("one-weight")
    assert "slope" in first
    link = page.locator('.term > a[href="glossary.html#term-slope"]')
    assert link.count() == 1  # marked once, where first used
    tip = page.locator("#" + link.get_attribute("aria-describedby"))
    assert tip.get_attribute("role") == "tooltip"
    assert tip.inner_text().strip() == GLOSSARY["slope"]["short"]
    assert not tip.is_visible()
    link.hover()
    assert tip.is_visible()
    page.mouse.move(0, 0)
    assert not tip.is_visible()
    # keyboard: Tab until the word's link has focus
    page.locator("h1").click()
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('href')") == "glossary.html#term-slope":
            break
    assert page.evaluate("document.activeElement.getAttribute('href')") == "glossary.html#term-slope"
    assert tip.is_visible()
    page.keyboard.press("Escape")  # dismissable without moving focus
    assert not tip.is_visible()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    assert tip.is_visible()
    # inside the viewport, at phone width too
    page.set_viewport_size({"width": 375, "height": 800})
    box = tip.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375


def test_term_links_to_the_glossary_and_back(page, site_url):
    page.goto(site_url("one-weight.html"))
    page.locator('.term > a[href="glossary.html#term-slope"]').click()
    page.wait_for_url(re.compile(r"glossary\.html#term-slope$"))
    entry = page.locator("#term-slope")
    assert GLOSSARY["slope"]["short"] in entry.inner_text()
    back = entry.locator('a[href^="one-weight.html"]')
    assert back.count() == 1
    back.click()
    page.wait_for_url(re.compile(r"one-weight\.html#bpe-use-slope$"))
    assert page.locator("#bpe-use-slope").inner_text().strip().lower() == "slope"


def test_terms_work_as_plain_links_without_javascript(browser, site_url):
    ctx = browser.new_context(java_script_enabled=False)
    page = ctx.new_page()
    page.goto(site_url("neuron-to-network.html"))
    link = page.locator('.term > a[href="glossary.html#term-bias"]')
    tip = page.locator("#" + link.get_attribute("aria-describedby"))
    link.focus()
    assert tip.is_visible() and tip.inner_text().strip() == GLOSSARY["bias"]["short"]  # CSS only
    link.click()
    page.wait_for_url(re.compile(r"glossary\.html#term-bias$"))
    ctx.close()


def test_glossary_page_lists_every_term_with_links_back(page, site_url):
    page.goto(site_url("glossary.html"))
    for name, entry in GLOSSARY.items():
        row = page.locator(f"#{anchor(name)}")
        assert row.locator("dt").inner_text().startswith(name)
        assert entry["short"] in row.locator("dd").inner_text()
        want = [s for s in SLUGS if name in marked(s)]
        got = [a.get_attribute("href") for a in row.locator(".glossary-used a").all()]
        assert got == [f"{s}.html#bpe-use-{anchor(name)[5:]}" for s in want], name
    # every link back lands on an element of that lesson
    checked = 0
    for name in GLOSSARY:
        for slug in [s for s in SLUGS if name in marked(s)][:1]:
            page.goto(site_url(f"{slug}.html"))
            assert page.locator(f"#bpe-use-{anchor(name)[5:]}").count() == 1
            checked += 1
    assert checked >= 10
