"""The site pipeline on a mini-site fixture: errors name file and line, builds are
deterministic and atomic, links are checked, pages are self-contained."""
from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from site_builder import build as build_mod
from site_builder.errors import ContentError, ContentErrors

REPO = Path(__file__).resolve().parents[2]
MINI = REPO / "tests" / "sites" / "mini"


@pytest.fixture
def site(tmp_path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(MINI, root)
    shutil.copytree(REPO / "themes", root / "themes")
    return root


def tree_hash(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def errors_of(root: Path) -> list[str]:
    with pytest.raises((ContentError, ContentErrors)) as info:
        build_mod.build(root)
    exc = info.value
    return [str(e) for e in (exc.errors if isinstance(exc, ContentErrors) else [exc])]


def edit(path: Path, old: str, new: str):
    text = path.read_text()
    assert old in text, f"fixture changed: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1))


def line_of(path: Path, needle: str) -> int:
    return next(i for i, l in enumerate(path.read_text().split("\n"), 1) if needle in l)


# --- a good build ----------------------------------------------------------------------

def test_builds_flat_self_contained_pages(site):
    result = build_mod.build(site)
    out = site / "build"
    assert sorted(p.name for p in out.iterdir()) == [".nojekyll", "404.html", "embed", "first.html", "index.html", "second.html", "teachers.html"]
    assert sorted(p.name for p in (out / "embed").iterdir()) == ["first.html", "second.html"]
    html = (out / "first.html").read_text()
    # Numbers in prose come from the trace: L0 = 1/2 * ((2 - 0.5)^2 + (4 - 1)^2).
    assert f"{0.5 * ((2 - 0.5) ** 2 + (4 - 1.0) ** 2):.4f}" in html
    assert "<math" in html and "<mfenced" not in html and "columnalign" not in html
    assert '<script type="application/json" id="trace-tiny">' in html
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1)
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert len(re.findall(r"<script>", html)) == csp.count("'sha256-")
    assert "http://" not in html.replace("http://www.w3.org/", "") and "https://" not in html
    assert "$not math$" in (out / "second.html").read_text()
    assert result.pages["first.html"] == (out / "first.html").stat().st_size


def test_two_clean_builds_are_byte_identical(site, tmp_path):
    build_mod.build(site, tmp_path / "one")
    shutil.rmtree(site / ".cache")
    build_mod.build(site, tmp_path / "two")
    assert tree_hash(tmp_path / "one") == tree_hash(tmp_path / "two")


def test_noop_rebuild_renders_and_trains_nothing(site):
    first = build_mod.build(site)
    assert sorted(first.rendered) == ["404", "embed-first", "embed-second", "first", "index", "second", "teachers"]
    again = build_mod.build(site)
    assert again.rendered == [] and again.trained == []
    edit(site / "content/lessons/02-second.md", "The weight", "Its weight")
    third = build_mod.build(site)
    # A prose edit renders that lesson's pages only: teachers.html reads its objectives and widgets.
    assert third.rendered == ["second", "embed-second"]
    edit(site / "content/lessons/01-first.md", "caption: Tiny run.", "caption: Tiny run, again.")
    assert build_mod.build(site).rendered == ["first", "embed-first", "teachers"]  # it lists each lesson's widgets
    edit(site / "content/lessons/01-first.md", "[Read a number from a trace.]", "[Read two numbers from a trace.]")
    assert build_mod.build(site).rendered == ["first", "embed-first", "teachers"]
    assert "Read two numbers from a trace." in (site / "build/teachers.html").read_text()


class Said:
    """A CLI build: its exit code, and its last line of output (after the stage timings)."""

    def __init__(self, proc: subprocess.CompletedProcess):
        self.returncode = proc.returncode
        self.stdout = (proc.stdout.strip().splitlines() or [""])[-1]


def cli_build(site: Path, *extra: str) -> Said:
    return Said(subprocess.run([sys.executable, "-m", "site_builder", "build", "--root", str(site), *extra],
                               capture_output=True, text=True, cwd=site))


def test_up_to_date_build_does_nothing_and_any_change_undoes_it(site):
    """A build whose inputs and output are as the last good build left them says so and
    touches nothing; a changed input, an edited or removed page, or a failed build in between
    each make the next build a real one, which puts build/ right again."""
    first = cli_build(site)
    assert first.returncode == 0 and first.stdout.startswith("built ")
    pages = tree_hash(site / "build")
    times = {p: p.stat().st_mtime_ns for p in (site / "build").rglob("*.html")}
    again = cli_build(site)
    assert again.returncode == 0 and again.stdout.startswith("up to date: ") and "7 pages" in again.stdout
    assert tree_hash(site / "build") == pages and {p: p.stat().st_mtime_ns for p in times} == times

    page = site / "build" / "first.html"
    page.write_text("edited by hand")  # the output changed: rebuilt, and the page is right again
    assert cli_build(site).stdout.startswith("built ") and tree_hash(site / "build") == pages
    (site / "build" / "embed" / "second.html").unlink()
    assert cli_build(site).stdout.startswith("built ") and tree_hash(site / "build") == pages
    assert cli_build(site).stdout.startswith("up to date: ")

    (site / "themes" / "default" / "extra.txt").write_text("a new file in the theme")
    assert cli_build(site).stdout.startswith("built ")
    assert cli_build(site, "--strict").stdout.startswith("built ")  # asked differently
    assert cli_build(site, "--strict").stdout.startswith("up to date: ")

    lesson = site / "content/lessons/02-second.md"
    good = lesson.read_text()
    lesson.write_text(good.replace("{{ tiny.W1[0,0] @last :.5f }}", "{{ tiny.W9[0,0] @last }}"))
    assert cli_build(site).returncode == 1
    lesson.write_text(good)  # the inputs are the last good build's again, but a build failed since
    assert cli_build(site).stdout.startswith("built ")


def test_glossary_page_renders_again_only_when_the_marked_terms_change(site):
    (site / "content/glossary.yaml").write_text(
        "weight:\n  short: A number the network learns.\nloss:\n  short: How wrong the network is.\n")
    edit(site / "content/lessons/02-second.md", "The weight ends", "The [[weight]] ends")
    assert "glossary" in build_mod.build(site).rendered
    html = (site / "build/glossary.html").read_text()
    assert "second.html#bpe-use-weight" in html and "bpe-use-loss" not in html
    edit(site / "content/lessons/02-second.md", "## More", "## More\n\nA new sentence, no new term.")
    assert build_mod.build(site).rendered == ["second", "embed-second"]
    edit(site / "content/lessons/02-second.md", "A new sentence", "A new [[loss]] sentence")
    assert build_mod.build(site).rendered == ["second", "embed-second", "glossary"]
    assert "second.html#bpe-use-loss" in (site / "build/glossary.html").read_text()


def test_stored_figures_are_the_sites_own(site):
    """.cache/widgets keeps the drawn context of each widget the site places, and no other:
    an edited caption draws that figure again and the old drawing goes."""
    build_mod.build(site)
    stored = sorted(p.name for p in (site / ".cache/widgets").glob("*.pickle"))
    assert len(stored) == 1  # lesson one's weight-descent; lesson two has no widget
    edit(site / "content/lessons/01-first.md", "caption: Tiny run.", "caption: The tiny run.")
    assert build_mod.build(site).rendered == ["first", "embed-first", "teachers"]
    now = sorted(p.name for p in (site / ".cache/widgets").glob("*.pickle"))
    assert len(now) == 1 and now != stored



def test_many_lessons_render_in_worker_processes_as_they_would_in_one(site, tmp_path, monkeypatch):
    """Enough lessons to render (a clean build) are shared between worker processes: the same
    pages, byte for byte, the same order of rendered pages, and a lesson with a problem is
    reported at its line as a build in one process reports it."""
    for i in range(3, 3 + build_mod.PARALLEL_RENDER_MIN):
        (site / f"content/lessons/{i:02d}-extra-{i}.md").write_text(
            f"---\ntitle: Extra {i}\n---\n\n## Part\n\nThe loss starts at {{{{ tiny.loss @0 :.3f }}}}; $w_{i}$.\n")
    parallel = build_mod.build(site, tmp_path / "parallel")
    shutil.rmtree(site / ".cache")
    monkeypatch.setattr(build_mod, "PARALLEL_RENDER_MIN", 10 ** 9)
    serial = build_mod.build(site, tmp_path / "serial")
    assert parallel.rendered == serial.rendered and "extra-5" in parallel.rendered
    assert tree_hash(tmp_path / "parallel") == tree_hash(tmp_path / "serial")

    monkeypatch.undo()
    shutil.rmtree(site / ".cache")
    bad = site / "content/lessons/05-extra-5.md"
    bad.write_text(bad.read_text().replace("tiny.loss @0", "tiny.loss @999"))
    found = errors_of(site)
    assert len(found) == 1 and found[0].startswith(f"{bad}:{line_of(bad, '@999')}: step 999 of 'tiny' was not recorded")


def test_failed_build_leaves_previous_build_untouched(site):
    build_mod.build(site)
    before = tree_hash(site / "build")
    edit(site / "content/lessons/02-second.md", "{{ tiny.W1[0,0] @last :.5f }}", "{{ tiny.W9[0,0] @last }}")
    errors_of(site)
    assert tree_hash(site / "build") == before
    assert not any(p.name.startswith(".build") for p in site.iterdir())


# --- errors name the file and the line -------------------------------------------------

def test_bad_front_matter_key(site):
    lesson = site / "content/lessons/01-first.md"
    edit(lesson, "summary: The first one.", "sumary: The first one.")
    (msg,) = errors_of(site)
    assert msg.endswith("01-first.md:3: unknown key 'sumary' in front matter (did you mean 'summary'?)")


def test_unknown_widget_with_suggestion(site):
    lesson = site / "content/lessons/01-first.md"
    edit(lesson, "/// widget | weight-descent", "/// widget | weight-decent")
    (msg,) = errors_of(site)
    assert msg.endswith(f":{line_of(lesson, 'weight-decent')}: unknown widget 'weight-decent' (did you mean 'weight-descent'?)")


def test_unknown_scenario_in_widget(site):
    lesson = site / "content/lessons/01-first.md"
    edit(lesson, "scenario: tiny", "scenario: tiyn")
    (msg,) = errors_of(site)
    assert f":{line_of(lesson, 'scenario: tiyn')}: unknown scenario 'tiyn' (did you mean 'tiny'?)" in msg


def test_unknown_widget_option(site):
    lesson = site / "content/lessons/01-first.md"
    edit(lesson, "caption: Tiny run.", "captoin: Tiny run.")
    (msg,) = errors_of(site)
    assert msg.endswith(f":{line_of(lesson, 'captoin')}: unknown option 'captoin' for widget 'weight-descent' (did you mean 'caption'?)")


def test_bad_number_expression(site):
    lesson = site / "content/lessons/01-first.md"
    edit(lesson, "{{ tiny.loss @0 :.4f }}", "{{ tiny.los @0 :.4f }}")
    (msg,) = errors_of(site)
    assert f":{line_of(lesson, 'tiny.los @0')}: unknown field 'los' for scenario 'tiny' (did you mean 'loss'?)" in msg


def test_unrecorded_step_in_expression(site):
    lesson = site / "content/lessons/01-first.md"
    edit(lesson, "{{ tiny.loss @0 :.4f }}", "{{ tiny.loss @99 :.4f }}")
    (msg,) = errors_of(site)
    assert f":{line_of(lesson, '@99')}: step 99 of 'tiny' was not recorded" in msg


def test_raw_script_is_refused(site):
    lesson = site / "content/lessons/02-second.md"
    edit(lesson, "## More", "## More\n\n<script>alert(1)</script>")
    (msg,) = errors_of(site)
    assert f":{line_of(lesson, '<script>')}: raw HTML <script> is not allowed in a lesson" in msg


def test_misspelt_template_variable(site):
    tpl = site / "themes/default/templates/lesson.html"
    edit(tpl, "<h1>{{ page.title }}</h1>", "<h1>{{ pgae.title }}</h1>")
    msgs = errors_of(site)
    assert any(m.endswith(f"lesson.html:{line_of(tpl, 'pgae.title')}: 'pgae' is undefined (did you mean 'page'?)") for m in msgs), msgs


def test_broken_link_and_anchor(site):
    lesson = site / "content/lessons/01-first.md"
    edit(lesson, "(second.html#more)", "(secnd.html)")
    edit(lesson, "(#start)", "(#strat)")
    msgs = errors_of(site)
    assert any("broken link 'secnd.html'" in m and "01-first.md" in m for m in msgs), msgs
    assert any("broken anchor '#strat'" in m for m in msgs), msgs


def test_config_reports_every_problem_at_once(site):
    (site / "content/site.yaml").write_text("titel: x\nbase_url: /repo\nlessons: [first, secnd]\n")
    msgs = errors_of(site)
    text = "\n".join(msgs)
    assert "site.yaml:1: unknown key 'titel' in site.yaml (did you mean 'title'?)" in text
    assert "site.yaml:2: base_url should end with '/'" in text
    assert "site.yaml:1: site.yaml is missing 'title'" in text
    assert len(msgs) == 3


def test_cli_prints_one_line_and_exits_1(site):
    lesson = site / "content/lessons/01-first.md"
    edit(lesson, "/// widget | weight-descent", "/// widget | nope")
    proc = subprocess.run([sys.executable, "-m", "site_builder", "build", "--root", str(site)],
                          capture_output=True, text=True, cwd=site)
    assert proc.returncode == 1
    assert proc.stderr.strip() == f"content/lessons/01-first.md:{line_of(lesson, 'nope')}: unknown widget 'nope'"
    assert "Traceback" not in proc.stderr + proc.stdout


def test_strict_turns_budget_warning_into_error(site):
    edit(site / "content/site.yaml", "lessons:", "page_budget_kb: 5\nlessons:")
    result = build_mod.build(site)
    assert any("over the 5 KB budget" in w for w in result.warnings)
    with pytest.raises(ContentErrors):
        build_mod.build(site, strict=True)


def test_new_lesson_builds_at_once(site, capsys):
    from site_builder import cli

    assert cli.main(["new", "Learning rates: too big", "--root", str(site)]) == 0
    out = capsys.readouterr().out
    assert "03-learning-rates-too-big.md" in out and "make serve" in out
    result = build_mod.build(site)
    assert "learning-rates-too-big.html" in result.pages
    html = (site / "build" / "learning-rates-too-big.html").read_text()
    # The stub scenario: w from 0 on (x, t) = (1, 2), (2, 4): L0 = 1/2 (2^2 + 4^2) = 10.
    assert "10.0000" in html and 'data-widget="weight-descent"' in html
    assert cli.main(["new", "Learning rates: too big", "--root", str(site)]) == 1  # never overwrites
