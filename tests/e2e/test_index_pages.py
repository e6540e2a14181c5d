"""A paged index (index_page_size in site.yaml): every lesson is reached from index.html by
clicking through the index pages, numbered in course order, and no index page outgrows the
page budget however many lessons there are."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from site_builder import build as build_mod

REPO = Path(__file__).resolve().parents[2]
LESSONS, SIZE = 23, 2  # 12 index pages: more than the nav shows at once, so it has gaps


def generated_site(root: Path, lessons: int, size: int) -> list[tuple[str, str]]:
    """A site of `lessons` prose-only lessons, listed `size` to an index page; returns the
    (slug, title) of each lesson in course order."""
    (root / "content" / "lessons").mkdir(parents=True)
    shutil.copytree(REPO / "themes", root / "themes")
    (root / "content" / "site.yaml").write_text(f"title: Paged site\nindex_page_size: {size}\n")
    out = []
    for i in range(1, lessons + 1):
        slug, title = f"topic-{i}", f"Topic number {i}"
        (root / "content" / "lessons" / f"{i:03d}-{slug}.md").write_text(
            f"---\ntitle: {title}\nsummary: The summary of topic {i}.\n---\n\n## Body\n\nProse of topic {i}.\n")
        out.append((slug, title))
    return out


@pytest.fixture(scope="module")
def paged(tmp_path_factory):
    root = tmp_path_factory.mktemp("paged")
    lessons = generated_site(root, LESSONS, SIZE)
    result = build_mod.build(root)
    return root / "build", lessons, result


def test_every_lesson_is_reached_by_clicking_through_the_index(page, paged):
    out, lessons, result = paged
    count = -(-LESSONS // SIZE)
    assert sorted(n for n in result.pages if n.startswith("index")) == sorted(
        ["index.html"] + [f"index-{k}.html" for k in range(2, count + 1)])
    page.goto((out / "index.html").as_uri())
    seen, visited = [], 0
    while True:
        visited += 1
        start = (visited - 1) * SIZE + 1
        heading = page.locator("h2#the-course")
        expect(heading).to_contain_text(f"lessons {start} to {min(LESSONS, start + SIZE - 1)} of {LESSONS}")
        current = page.locator(".index-pages a[aria-current=page]")
        end = min(LESSONS, start + SIZE - 1)
        expect(current).to_have_text(f"{start}–{end}" if end > start else f"{start}")
        for item in page.locator(".lesson-list li > a").all():
            seen.append((item.get_attribute("href"), item.locator(".lesson-name").inner_text(),
                         item.locator(".lesson-num").inner_text()))
        nxt = page.locator("a[rel=next]")
        if nxt.count() == 0:
            break
        nxt.click()
        page.wait_for_load_state()
    assert visited == count
    assert seen == [(f"{slug}.html", title, str(i)) for i, (slug, title) in enumerate(lessons, 1)]

    # The nav reaches the first and last pages from anywhere, and walks back.
    page.get_by_role("link", name=f"Lessons 1 to {SIZE}", exact=True).click()
    expect(page).to_have_url(re.compile(r"/index\.html$"))
    page.get_by_role("link", name=f"Lesson {LESSONS}", exact=True).click()  # the last page lists one
    expect(page).to_have_url(re.compile(rf"/index-{count}\.html$"))
    page.locator("a[rel=prev]").click()
    expect(page).to_have_url(re.compile(rf"/index-{count - 1}\.html$"))
    # A lesson opens from a later index page.
    slug, title = lessons[-3]
    page.get_by_role("link", name=re.compile(rf"\b{title}$")).click()
    expect(page.locator("h1")).to_have_text(title)
    assert page.page_errors == []


def test_the_index_nav_stays_short_and_pages_stay_in_budget(paged):
    out, lessons, result = paged
    from site_builder.config import load_config
    from site_builder.lessons import load_lessons
    from site_builder.render import Renderer
    from site_builder.widgets import discover

    root = out.parent
    config = load_config(root)
    assert [p.name for p in sorted(out.glob("index*.html"))] == sorted(
        ["index.html", *[f"index-{k}.html" for k in range(2, 13)]])
    # Middle page 6 of 12: the first, 4 to 8 and the last, with a gap mark on each side.
    html = (out / "index-6.html").read_text()
    nav = html.split('class="index-pages"')[1].split("</nav>")[0]
    assert re.findall(r">([\d–]+)</a>", nav) == ["1–2", "7–8", "9–10", "11–12", "13–14", "15–16", "23"]
    assert nav.count("index-gap") == 2

    # 20,000 lessons at the default page size: every index page well under the budget.
    many = load_lessons(root, config) * (20_000 // LESSONS + 1)
    many = many[:20_000]
    config.index_page_size = 100
    renderer = Renderer(root, config, discover(root))
    for number in (1, 2, 100, 200):
        size = len(renderer.index_html(many, number).encode("utf-8"))
        assert size < config.page_budget_kb * 1000, (number, size)


def test_teachers_pages_are_paged_like_the_index(page, paged):
    """teachers.html lists index_page_size lessons too: every lesson's notes are reached by
    clicking Next from teachers.html, in course order, and the 404 page lists the first
    index page's lessons and points to the rest."""
    out, lessons, result = paged
    count = -(-LESSONS // SIZE)
    assert sorted(n for n in result.pages if n.startswith("teachers")) == sorted(
        ["teachers.html"] + [f"teachers-{k}.html" for k in range(2, count + 1)])
    page.goto((out / "teachers.html").as_uri())
    seen = []
    for visited in range(1, count + 1):
        start = (visited - 1) * SIZE + 1
        expect(page.locator("h2#lessons")).to_contain_text(f"{start} to {min(LESSONS, start + SIZE - 1)} of {LESSONS}")
        seen += [h.inner_text() for h in page.locator(".teacher-lesson h3 a").all()]
        expect(page.locator(".index-pages a[aria-current=page]")).to_have_count(1)
        if visited < count:
            page.locator("a[rel=next]").click()
            page.wait_for_load_state()
    assert page.locator("a[rel=next]").count() == 0
    assert seen == [title for _, title in lessons]
    page.get_by_role("link", name=f"Lessons 1 to {SIZE}", exact=True).click()
    expect(page).to_have_url(re.compile(r"/teachers\.html$"))

    page.goto((out / "404.html").as_uri())
    listed = page.locator(".lesson-list li .lesson-name").all_inner_texts()
    assert listed == [title for _, title in lessons[:SIZE]]
    expect(page.locator("main")).to_contain_text(f"And {LESSONS - SIZE} more lessons")
    assert page.page_errors == []


def test_teachers_pages_stay_in_budget_at_any_size(paged):
    out, lessons, result = paged
    from site_builder.config import load_config
    from site_builder.lessons import load_lessons
    from site_builder.render import Renderer
    from site_builder.widgets import discover

    root = out.parent
    config = load_config(root)
    many = (load_lessons(root, config) * (5_000 // LESSONS + 1))[:5_000]
    config.index_page_size = 100
    renderer = Renderer(root, config, discover(root))
    for number in (1, 2, 50):
        size = len(renderer.teachers_html(many, [], None, number).encode("utf-8"))
        assert size < config.page_budget_kb * 1000, (number, size)
    assert len(renderer.not_found_html(many).encode("utf-8")) < config.page_budget_kb * 1000
