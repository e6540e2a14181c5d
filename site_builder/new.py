"""`site-builder new "Lesson title"`: a lesson file with front matter and one working widget,
plus the scenario it replays, ready to build."""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from site_builder.errors import ContentError

LESSON = """\
---
title: {title}
summary: One sentence that tells a learner what this lesson gives them.
objectives:
  - Something a learner can do after this lesson.
---

Write the lesson here. Numbers come from the trace, never typed: the loss starts at
{{{{ {slug}.loss @0 :.4f }}}} and after {{{{ {slug}.steps @last }}}} steps it is
{{{{ {slug}.loss @last :.4f }}}}.

Maths is TeX between dollars: $w \\leftarrow w - \\eta \\, \\frac{{dL}}{{dw}}$.

/// widget | weight-descent
scenario: {slug}
controls: [step, play, back, reset]
caption: Describe what the learner should notice.
///

/// tip | Callouts
Use `/// note`, `/// tip` or `/// warning` blocks for asides.
///
"""

SCENARIO = """\
title: {title}
# One weight w predicting p = w * x; the data say the right weight is 2. Change anything:
# the build retrains this scenario and every number on the page follows.
network:
  sizes: [1, 1]
  activations: [linear]
  loss: squared_error
data:
  inputs: [[1.0], [2.0]]
  targets: [[2.0], [4.0]]
init:
  weights:
    W1: [[0.0]]
    b1: [0.0]
train:
  learning_rate: 0.05
  steps: 25
  freeze: [b1]
"""


def slugify(title: str) -> str:
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def main(args) -> int:
    root = Path(args.root)
    title = args.title.strip()
    slug = slugify(title)
    if not slug:
        raise ContentError(None, None, f"cannot make a file name from the title {title!r}: use some letters or digits")
    lessons = root / "content" / "lessons"
    scenarios = root / "content" / "scenarios"
    lessons.mkdir(parents=True, exist_ok=True)
    scenarios.mkdir(parents=True, exist_ok=True)
    taken = [p for p in lessons.glob("*.md") if re.match(rf"^\d+-{re.escape(slug)}\.md$", p.name)]
    if taken or (scenarios / f"{slug}.yaml").exists():
        raise ContentError((taken or [scenarios / f"{slug}.yaml"])[0], None, f"a lesson or scenario named '{slug}' already exists")
    numbers = [int(m.group(1)) for p in lessons.glob("*.md") if (m := re.match(r"^(\d+)-", p.name))]
    number = max(numbers, default=0) + 1
    lesson = lessons / f"{number:02d}-{slug}.md"
    scenario = scenarios / f"{slug}.yaml"
    quoted = '"' + title.replace("\\", "\\\\").replace('"', '\\"') + '"'
    lesson.write_text(LESSON.format(title=quoted, slug=slug), encoding="utf-8")
    scenario.write_text(SCENARIO.format(title=quoted), encoding="utf-8")
    print(f"wrote {lesson.as_posix()}\nwrote {scenario.as_posix()}\n")
    print("Next:")
    print("  make serve          # preview at http://127.0.0.1:8000/, rebuilding as you edit")
    print(f"  edit {lesson.as_posix()} (prose) and {scenario.as_posix()} (what the engine trains)")
    print("  docs/authoring.md   # the whole guide; docs/widgets.md lists every widget")
    return 0
