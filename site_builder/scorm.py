"""SCORM 1.2 packages of the lessons (`make scorm`):

    dist/scorm/<slug>.zip    one lesson, one SCO
    dist/scorm/course.zip    every lesson, each its own SCO, in the site's order

Each zip has imsmanifest.xml at its root and deterministic bytes. The manifest declares the
SCORM 1.2 namespaces (imscp_rootv1p1p2, adlcp_rootv1p2) and the schema/schemaversion metadata,
and names no schema files: an xsi:schemaLocation names ADL's XSDs by relative path, that is
inside the package, and the packages do not carry them. The packaged pages are the
chrome-less lesson pages plus assets/js/scorm.js, which reports to the LMS (see that file).
"""
from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from site_builder.build import gather
from site_builder.bundle import write_zip

MANIFEST = """\
<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier={ident} version="1.0"
    xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
    xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>1.2</schemaversion>
  </metadata>
  <organizations default="org">
    <organization identifier="org">
      <title>{title}</title>
{items}
    </organization>
  </organizations>
  <resources>
{resources}
  </resources>
</manifest>
"""
ITEM = """      <item identifier="item-{slug}" identifierref="res-{slug}" isvisible="true">
        <title>{title}</title>
      </item>"""
RESOURCE = """    <resource identifier="res-{slug}" type="webcontent" adlcp:scormtype="sco" href="{slug}.html">
      <file href="{slug}.html"/>
    </resource>"""


def manifest(ident: str, title: str, lessons) -> bytes:
    items = "\n".join(ITEM.format(slug=l.slug, title=escape(l.title)) for l in lessons)
    resources = "\n".join(RESOURCE.format(slug=l.slug) for l in lessons)
    return MANIFEST.format(ident=quoteattr(ident), title=escape(title), items=items, resources=resources).encode("utf-8")


def packages(root: Path) -> list[Path]:
    from site_builder.render import Renderer

    root = Path(root).resolve()
    g = gather(root)
    config, lessons, traces = g.config, g.lessons, g.traces
    renderer = Renderer(root, config, g.widgets)
    names = sorted(g.scenarios)
    out = root / "dist" / "scorm"
    written = []
    course = {}
    for lesson in lessons:
        alone = renderer.lesson_html(lesson, names, traces, traces.page_json, variant="scorm-alone")
        written.append(write_zip(out / f"{lesson.slug}.zip", {
            "imsmanifest.xml": manifest(f"backprop-explained-{lesson.slug}", lesson.title, [lesson]),
            f"{lesson.slug}.html": alone.encode("utf-8"),
        }))
        course[f"{lesson.slug}.html"] = renderer.lesson_html(lesson, names, traces, traces.page_json, variant="scorm").encode("utf-8")
    course["imsmanifest.xml"] = manifest("backprop-explained-course", config.title, lessons)
    written.append(write_zip(out / "course.zip", course))
    return written


def main(args) -> int:
    for path in packages(Path(args.root)):
        print(f"wrote {path.relative_to(Path(args.root).resolve())} ({path.stat().st_size:,} bytes)")
    return 0
