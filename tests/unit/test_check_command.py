"""`site-builder check` runs everything a build runs, link and budget checks included, without
touching build/; `--strict` turns the budget warnings into errors, as it does for build."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from site_builder import cli

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def site(tmp_path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(REPO / "tests" / "sites" / "mini", root)
    shutil.copytree(REPO / "themes", root / "themes")
    return root


def test_check_writes_nothing_and_reports_pages(site, capsys):
    assert cli.main(["check", "--root", str(site)]) == 0
    out = capsys.readouterr().out
    assert out.strip() == "ok: 2 lessons, 7 pages"  # index, 404, teachers, two lessons, two embeds
    assert not (site / "build").exists()
    assert not (site / ".cache" / "check-staging").exists()


def test_check_strict_fails_on_the_budget(site, capsys):
    config = site / "content" / "site.yaml"
    config.write_text(config.read_text().replace("lessons:", "page_budget_kb: 5\nlessons:"))
    assert cli.main(["check", "--root", str(site)]) == 0
    assert "over the 5 KB budget" in capsys.readouterr().err
    assert cli.main(["check", "--strict", "--root", str(site)]) == 1
    err = capsys.readouterr().err.strip().split("\n")
    assert all("over the 5 KB budget" in line for line in err) and len(err) == 7  # every page, teachers.html too
    assert "Traceback" not in "\n".join(err)


def test_check_finds_a_broken_link(site, capsys):
    lesson = site / "content" / "lessons" / "01-first.md"
    lesson.write_text(lesson.read_text().replace("second.html#more", "secnd.html"))
    assert cli.main(["check", "--root", str(site)]) == 1
    assert "secnd.html" in capsys.readouterr().err
