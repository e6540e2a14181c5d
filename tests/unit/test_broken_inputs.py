"""The corpus of broken inputs (tests/sites/broken/cases*.yaml): each gives exactly one line
`path:line: message`, exit code 1, no traceback, and leaves the previous build/ untouched,
with a warm cache (the good site's traces already trained) and with a cold one (nothing
cached: training runs, in worker processes when several scenarios need it)."""
from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest
import yaml

from site_builder import cli

REPO = Path(__file__).resolve().parents[2]
BROKEN = REPO / "tests" / "sites" / "broken"
CASES = [case for f in sorted(BROKEN.glob("cases*.yaml")) for case in yaml.safe_load(f.read_text())]


def tree(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def good_site(tmp_path_factory) -> Path:
    """The mini-site with themes, built once (cache included) to copy for every case."""
    root = tmp_path_factory.mktemp("good") / "site"
    shutil.copytree(REPO / "tests" / "sites" / "mini", root)
    shutil.copytree(REPO / "themes", root / "themes")
    assert cli.main(["build", "--quiet", "--root", str(root)]) == 0
    return root


def _each(value) -> list:
    return value if isinstance(value, list) else [value]


def apply(case: dict, root: Path) -> None:
    """The case's changes, in this order; each key takes one mapping or a list of them:
    edit {file, old, new}, write {file, text}, copy {from, file} (bytes as they are),
    mkdir {file} (a folder), symlink {file, to} (`to` as written, may dangle)."""
    for e in _each(case.get("edit", [])):
        path = root / e["file"]
        text = path.read_text()
        assert e["old"] in text, "the case no longer matches the mini-site"
        path.write_text(text.replace(e["old"], e["new"], 1))
    for w in _each(case.get("write", [])):
        (root / w["file"]).parent.mkdir(parents=True, exist_ok=True)
        (root / w["file"]).write_text(w["text"])
    for c in _each(case.get("copy", [])):
        shutil.copy(BROKEN / c["from"], root / c["file"])
    for m in _each(case.get("mkdir", [])):
        (root / m["file"]).mkdir(parents=True, exist_ok=True)
    for s in _each(case.get("symlink", [])):
        (root / s["file"]).symlink_to(s["to"])


def test_corpus_is_large_enough():
    assert len(CASES) >= 30
    assert len({c["name"] for c in CASES}) == len(CASES)


@pytest.mark.parametrize("cache", ["warm", "cold"])
@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_broken_input(case, cache, good_site, tmp_path, capsys):
    root = tmp_path / "site"
    shutil.copytree(good_site, root)
    if cache == "cold":
        shutil.rmtree(root / ".cache")
    before = tree(root / "build")
    exp = case["expect"]
    target = root / exp["file"]
    apply(case, root)
    if "line_of" in exp:
        line = next(i for i, l in enumerate(target.read_text(errors="replace").split("\n"), 1) if exp["line_of"] in l)
    else:
        line = exp["line"]

    capsys.readouterr()
    code = cli.main(["build", "--quiet", "--root", str(root)])
    out, err = capsys.readouterr()
    assert code == 1
    lines = err.strip().split("\n")
    assert len(lines) == 1, err
    where = re.escape(exp["file"]) + (f":{line}" if line is not None else "")
    assert re.search(rf"(^|/){where}: ", lines[0]), lines[0]
    assert exp["message"] in lines[0]
    assert "Traceback" not in out + err
    assert tree(root / "build") == before
    assert not (root / ".build.staging").exists()
