"""Command line: `python -m site_builder build | serve | check | new | trace`.

Author errors (ContentError/ContentErrors) print as `path:line: message` lines and exit 1 with
no traceback; `--debug` re-raises them so the traceback shows.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from site_builder.errors import ContentError, ContentErrors


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="site-builder", description=__doc__.splitlines()[0])
    p.add_argument("--debug", action="store_true", help="show tracebacks for content errors")
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="build the site into build/")
    b.add_argument("--root", default=".", help="project folder holding content/ and themes/")
    b.add_argument("--out", default=None, help="output folder (default: ROOT/build)")
    b.add_argument("--strict", action="store_true", help="treat warnings as errors")
    b.add_argument("--quiet", action="store_true", help="print only errors")

    c = sub.add_parser("check", help="validate content and scenarios without writing build/")
    c.add_argument("--root", default=".")
    c.add_argument("--strict", action="store_true")

    s = sub.add_parser("serve", help="build, serve on 127.0.0.1, rebuild and reload on change")
    s.add_argument("--root", default=".")
    s.add_argument("--port", type=int, default=8000)

    n = sub.add_parser("new", help="start a lesson: a Markdown file with one widget and its scenario")
    n.add_argument("title", help='the lesson title, e.g. "Learning rates"')
    n.add_argument("--root", default=".")

    o = sub.add_parser("offline", help="zip build/ into dist/<site>-offline.zip for a USB stick")
    o.add_argument("--root", default=".")

    sc = sub.add_parser("scorm", help="SCORM 1.2 packages in dist/scorm/: one per lesson and course.zip")
    sc.add_argument("--root", default=".")

    t = sub.add_parser("trace", help="train one scenario and summarise its trace")
    t.add_argument("scenario", help="path to content/scenarios/NAME.yaml")
    t.add_argument("--json", action="store_true", help="print the plain JSON trace to stdout")
    t.add_argument("--no-cache", action="store_true", help="train even when a cached trace exists")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "build":
            from site_builder import fresh

            root = Path(args.root).resolve()
            out = Path(args.out).resolve() if args.out else root / "build"
            args.inputs = fresh.inputs(root, out, args.strict)  # the build below reuses it
            saved = fresh.up_to_date(root, out, args.strict, args.inputs)
            if saved is not None:  # nothing it reads changed: not even the pipeline is imported
                for w in saved["warnings"]:
                    print(f"warning: {w}", file=sys.stderr)
                if not args.quiet:
                    print(f"up to date: {len(saved['pages'])} pages, {sum(saved['pages'].values()):,} bytes, "
                          "as the last build left them")
                return 0
            from site_builder.build import main as run
        elif args.command == "check":
            from site_builder.build import check_main as run
        elif args.command == "serve":
            from site_builder.serve import main as run
        elif args.command == "new":
            from site_builder.new import main as run
        elif args.command == "offline":
            from site_builder.bundle import offline_main as run
        elif args.command == "scorm":
            from site_builder.scorm import main as run
        elif args.command == "trace":
            from site_builder.scenarios import trace_main as run
        else:  # pragma: no cover - argparse guards this
            raise AssertionError(args.command)
        return run(args) or 0
    except (ContentError, ContentErrors) as exc:
        if args.debug:
            raise
        print(str(exc), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
