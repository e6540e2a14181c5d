"""Render lessons and site pages to self-contained HTML.

A lesson goes: number expressions -> widgets out (line-aware) ->
maths out (MathML) -> Markdown -> the
allow-list check of its HTML (safehtml) -> placeholders back -> jinja2 page template with the theme's
CSS, the scripts the page uses, its traces as JSON blocks, and a CSP that hashes each script.
"""
from __future__ import annotations

import base64
import hashlib
import re
import traceback
from pathlib import Path

import jinja2
from markupsafe import Markup

from site_builder import blocks as lesson_blocks, directives, expressions, glossary, mathml, safehtml
from site_builder.errors import ContentError

GENERATOR = "Backprop Explained site builder"
# Scripts and styles are named by their path inside the theme folder.
CORE_SCRIPTS = ("assets/js/core.js",)
TRACE_SCRIPT = "assets/js/trace.js"
BOOT_SCRIPT = "assets/js/boot.js"
EMBED_SCRIPT = "assets/js/embed.js"
EMBED_DIALOG_SCRIPT = "assets/js/embed-dialog.js"
SCORM_SCRIPT = "assets/js/scorm.js"
# <a href="other.html...">text</a> -> text (a one-lesson package has no other pages)
_OTHER_PAGE_ANCHOR = re.compile(r'<a href="(?![a-z][a-z0-9+.-]*:|/|#)[^"]+\.html(?:#[^"]*)?"[^>]*>(.*?)</a>', re.S)
# href="page.html" or "page.html#x" inside a lesson body (not "#x", not a scheme, not ../)
_RELATIVE_PAGE_LINK = re.compile(r'href="(?![a-z][a-z0-9+.-]*:|/|#|\.\./)([^"]+\.html(?:#[^"]*)?)"')

HOST_SNIPPET = """<iframe id="bpe-{slug}" src="{src}" title="{title}"
        style="width: 100%; border: 0;" height="900" loading="lazy"></iframe>
<script>
  /* Size the frame to the lesson: it posts its height whenever it changes. */
  window.addEventListener("message", function (event) {{
    var frame = document.getElementById("bpe-{slug}");
    if (event.source !== frame.contentWindow) return;  // only this frame
    var data = event.data;
    if (!data || data.type !== "backprop-explained:height" || typeof data.height !== "number") return;
    frame.style.height = Math.ceil(data.height) + "px";
  }});
</script>"""


def host_snippet(slug: str, src: str, title: str) -> str:
    """The copy-paste code a teacher puts in an LMS page (also in the README)."""
    return HOST_SNIPPET.format(slug=slug, src=src, title=title.replace('"', "&quot;"))


def csp_for(scripts: list[str]) -> str:
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode() + "'" for s in scripts
    )
    return ("default-src 'none'; " + f"script-src {hashes}; " +
            "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'")


def without_comment_lines(js: str, path) -> str:
    """A theme script as pages carry it: lines that are only a comment (`// ...`, or a
    `/* ... */` block that starts its line) and empty lines are left out, and each line's
    indentation with them; the code itself is untouched. The source keeps its comments and
    layout; pages stay under their size budget (indentation was 11% of a lesson's scripts).
    A block comment with code after its end on the same line is refused, so nothing
    executable is ever dropped. Only whitespace that no string can hold is removed: a line
    after one ending in a backslash (a string continued) keeps its indentation, and a script
    with a template literal (a backtick, whose strings may span lines) keeps all of it."""
    kept, in_block, continued = [], False, False
    for number, line in enumerate(js.split("\n"), 1):
        s = line.strip()
        if continued:
            kept.append((line, True))
            continued = line.endswith("\\")
            continue
        if in_block or s.startswith("/*"):
            closes = "*/" in (s if in_block else s[2:])
            if closes and not s.endswith("*/"):
                raise ContentError(path, number, "code after the end of a block comment on the same line: "
                                                 "put the code on its own line")
            in_block = not closes
            continue
        if s and not s.startswith("//"):
            kept.append((line, False))
            continued = line.endswith("\\")
    indented = any("`" in line for line, _ in kept)  # in the code left, not in a comment line
    return "\n".join(line if whole or indented else line.lstrip() for line, whole in kept)


# A CSS string (either quote, with escapes) or a comment: strings are kept as they are, so a
# "/*" inside one is never taken for a comment.
_CSS_STRING_OR_COMMENT = re.compile(r"""("(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')|/\*.*?\*/""", re.S)


def without_css_comments(css: str) -> str:
    """A theme style sheet as pages carry it: its comments left out (and the lines they leave
    empty), every rule untouched. The source keeps its comments."""
    css = _CSS_STRING_OR_COMMENT.sub(lambda m: m.group(1) or "", css)
    return "\n".join(line for line in css.split("\n") if line.strip())


class Stash:
    """Placeholders that survive Markdown: plain words, replaced after rendering."""

    def __init__(self, kind: str):
        self.kind, self.items = kind, []

    def __call__(self, html) -> str:
        self.items.append(str(html))
        return f"BPE{self.kind}{len(self.items) - 1}X"

    def restore(self, html: str) -> str:
        if not self.items:
            return html
        pattern = re.compile(rf"(<p>)?BPE{self.kind}(\d+)X(</p>)?")

        def repl(m):
            inner = self.items[int(m.group(2))]
            if m.group(1) and m.group(3):
                return inner
            return (m.group(1) or "") + inner + (m.group(3) or "")

        return pattern.sub(repl, html)


class Renderer:
    def __init__(self, root: Path, config, registry: dict, compiled: Path | None = None):
        """compiled: a folder that keeps the templates compiled (jinja's bytecode cache, keyed
        by each template's source), so a rebuild does not compile them again."""
        self.root, self.config, self.registry = Path(root), config, registry
        self.theme = self.root / "themes" / config.theme
        bytecode = None
        if compiled is not None:
            try:
                compiled.mkdir(parents=True, exist_ok=True)
                bytecode = jinja2.FileSystemBytecodeCache(str(compiled))
            except OSError:
                pass  # compiled again each time
        self.env = jinja2.Environment(
            bytecode_cache=bytecode,
            # Page templates by name ("lesson.html"); widget templates by their theme path
            # ("widgets/NAME/NAME.html").
            loader=jinja2.FileSystemLoader([str(self.theme / "templates"), str(self.theme)]),
            undefined=jinja2.StrictUndefined,
            autoescape=True,
            keep_trailing_newline=False,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        css_dir = self.theme / "assets" / "css"
        self.styles = [Markup(without_css_comments(p.read_text(encoding="utf-8"))) for p in sorted(css_dir.glob("*.css"))]
        self._assets: dict[str, str] = {}
        self.glossary = glossary.load(self.root)
        self._md = None
        self.context_cache = None  # (folder, salt, {scenario: key}), set by the build: _widget_context
        self._bodies: dict = {}  # the last lesson's shared parts (_lesson_body)

    # --- assets ---------------------------------------------------------------------------
    def asset(self, rel: str) -> str:
        """A file of the theme by its path inside the theme folder, read once."""
        if rel not in self._assets:
            path = self.theme / rel
            if not path.is_file():
                raise ContentError(path, None, "theme file is missing")
            text = path.read_text(encoding="utf-8")
            self._assets[rel] = (without_comment_lines(text, path) if rel.endswith(".js") else
                                 without_css_comments(text) if rel.endswith(".css") else text)
        return self._assets[rel]

    def has_asset(self, rel: str) -> bool:
        return (self.theme / rel).is_file()

    def template(self, name: str, **context) -> str:
        try:
            return self.env.get_template(name).render(**context)
        except jinja2.TemplateSyntaxError as exc:
            raise ContentError(exc.filename or self.theme / "templates" / name, exc.lineno, f"template error: {exc.message}") from None
        except jinja2.UndefinedError as exc:
            path, line = self._template_frame(exc, name)
            raise ContentError(path, line, f"{exc.message}{self._suggest(exc.message, context)}") from None
        except jinja2.TemplateNotFound as exc:
            raise ContentError(self.theme / "templates", None, f"template '{exc.name}' not found") from None

    def _template_frame(self, exc, name):
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith((".html", ".j2", ".jinja"))]
        if frames:
            return frames[-1].filename, frames[-1].lineno
        return self.theme / "templates" / name, None

    @staticmethod
    def _suggest(message: str, context: dict) -> str:
        from site_builder.errors import did_you_mean

        m = re.match(r"'([\w]+)' is undefined", message)
        return did_you_mean(m.group(1), context) if m else ""

    def page(self, template: str, *, scripts_used: list[str], data_blocks: list[dict],
             styles_used: list[str] = (), **context) -> str:
        context.setdefault("home_href", "index.html")
        context.setdefault("teachers_href", "teachers.html")
        context.setdefault("glossary_href", "glossary.html" if self.glossary.terms else "")
        scripts = [Markup(self.asset(s)) for s in scripts_used]
        return self.template(
            template,
            site=self.config,
            styles=self.styles + [Markup(self.asset(s)) for s in styles_used],
            scripts=scripts,
            data_blocks=[{"id": d["id"], "json": Markup(d["json"])} for d in data_blocks],
            csp=Markup(csp_for([str(s) for s in scripts])),  # our own text: hashes and keywords only
            generator=GENERATOR,
            **context,
        )

    # --- lessons --------------------------------------------------------------------------
    def lesson_html(self, lesson, scenario_names, traces, page_json, variant: str = "site") -> str:
        """traces(name) -> list[Trace]; page_json(name, fields) -> compact JSON text.
        variant "site": the full page; "embed": chrome-less, for build/embed/, its links lead
        back to the full site; "scorm": chrome-less with the SCORM 1.2 tracker, for a package
        that holds every lesson (links stay as they are); "scorm-alone": the same for a
        one-lesson package, where links to other lessons become plain text."""
        embed = variant != "site"
        body, toc, uses, scripts, styles, blocks = self._lesson_body(lesson, scenario_names, traces, page_json)
        scripts = list(scripts)
        if variant != "site":  # lesson pages carry no embed box: teachers.html holds the snippets
            scripts.append(EMBED_SCRIPT if variant == "embed" else SCORM_SCRIPT)
        if variant == "embed":
            body = _RELATIVE_PAGE_LINK.sub(r'href="../\1"', body)
        elif variant == "scorm-alone":
            body = _OTHER_PAGE_ANCHOR.sub(r"\1", body)
        if variant.startswith("scorm"):  # a package has no glossary page: the words keep their tips
            body = glossary.unlink(body)
        page = {
            "title": lesson.title, "summary": lesson.summary, "objectives": lesson.objectives,
            "slug": lesson.slug, "href": lesson.href, "order": lesson.order,
            "position": lesson.position, "count": _course_length(lesson),
            "needs": lesson.needs, "minutes": lesson.minutes,
            "body": Markup(body), "toc": Markup(toc),
            "prev": {"title": lesson.prev.title, "href": lesson.prev.href} if lesson.prev else None,
            "next": {"title": lesson.next.title, "href": lesson.next.href} if lesson.next else None,
            "has_widgets": bool(uses),
            "site_href": f"../{lesson.href}" if variant == "embed" else "",
        }
        return self.page("embed.html" if embed else "lesson.html", scripts_used=scripts, data_blocks=blocks,
                         styles_used=styles, page=page, lessons=[])

    def _widget_context(self, spec, use, runs, uid, math) -> dict:
        """spec.context(...), through the context cache when the build gave one
        (context_cache = (folder, salt, scenario name -> key); see widgets.context_key)."""
        if not spec.context:
            return {}
        if self.context_cache is None or (use.scenario and use.scenario not in self.context_cache[2]):
            return spec.context(runs, use.options, uid, math)
        from site_builder.widgets import load_context, store_context, use_context_key

        folder, salt, keys = self.context_cache
        key = use_context_key(salt, use, keys)  # its id is uid
        extra = load_context(folder, key)
        if extra is None:
            extra = spec.context(runs, use.options, uid, math)
            store_context(folder, key, extra)
        return extra

    def prepare(self) -> None:
        """Compile every page and widget template of the theme, make the Markdown instance and
        load the maths converter now. A clean build's main process does this while the workers
        train (build._prepare_rendering); the processes forked from it to render the lessons
        then start with all of it done, instead of each doing it again."""
        for name in self.env.list_templates(extensions=["html"]):
            if "/" not in name or (name.startswith("widgets/") and name.count("/") == 2):
                self.env.get_template(name)
        self._markdown()
        import latex2mathml.converter  # noqa: F401

    def _markdown(self):
        """One Markdown instance for every page, reset before each (building one costs more
        than converting a lesson)."""
        if self._md is None:
            import markdown

            exts, cfg = directives.markdown_extensions()
            self._md = markdown.Markdown(extensions=exts, extension_configs=cfg, output_format="html")
        return self._md.reset()

    def _lesson_body(self, lesson, scenario_names, traces, page_json) -> tuple:
        """What every variant of a lesson page shares: the body and table of contents (before
        the variant's link rewriting), the widgets it places, its scripts, styles and trace
        blocks. Worked out once per lesson text and kept, so the site page and the embed page
        (and SCORM's) render the Markdown, maths, widgets and figures once."""
        key = (str(lesson.path), lesson.body, lesson.body_line, tuple(sorted(scenario_names)), traces, page_json)
        if self._bodies.get("key") == key:
            return self._bodies["value"]
        path, first = lesson.path, lesson.body_line
        source = lesson.body
        source, _ = expressions.substitute(source, _LazyTraces(scenario_names, traces), path, first)
        widget_stash = Stash("WIDGET")
        uses_holder: list = []

        def widget_placeholder(use):
            uses_holder.append(use)
            return widget_stash("")  # filled in below, once every use is known

        source, uses = directives.extract_widgets(source, path, first, self.registry, set(scenario_names), widget_placeholder)
        source = lesson_blocks.prepare(source, path, first)
        math_stash = Stash("MATH")
        source = mathml.extract(source, path, first, math_stash)
        marks = glossary.Marks()
        source = glossary.mark(source, path, first, self.glossary, marks)

        md = self._markdown()
        body = md.convert(source)
        toc = md.toc
        safehtml.refuse(math_stash.restore(body), lesson.body, path, first)

        scripts, styles, blocks = list(CORE_SCRIPTS), [], []
        fields: dict[str, set] = {}  # scenario -> every trace field its widgets on this page need
        for k, use in enumerate(uses):
            spec = self.registry[use.name]
            runs = traces(use.scenario) if use.scenario else None
            if spec.scenario_check and runs is not None:
                problem = spec.scenario_check(runs)
                if problem:
                    raise ContentError(path, use.line, problem)
            uid = f"w{use.index}"
            math = lambda tex, display, line=use.line: mathml.render(tex, display, path, line)  # noqa: E731
            try:
                extra = self._widget_context(spec, use, runs, uid, math)
            except ValueError as exc:  # a widget's word on its options (e.g. a word its scenario lacks)
                raise ContentError(path, use.line, str(exc)) from None
            widget = {
                "id": uid, "name": use.name, "scenario": use.scenario, "options": use.options,
                "trace_id": f"trace-{use.scenario}" if use.scenario and spec.fields is not None else "",
                "caption": use.options.get("caption", ""), "controls": use.options.get("controls", []),
                "title": use.scenario or "",
                **{key: Markup(v) if isinstance(v, str) and key in ("figure", "diagram") else v for key, v in extra.items()},
            }
            if not self.has_asset(spec.template):
                raise ContentError(self.theme / spec.template, None, f"widget '{use.name}' has no template in this theme")
            widget_stash.items[k] = self.template(spec.template, widget=widget)
            if spec.fields is not None and use.scenario:
                fields.setdefault(use.scenario, set()).update(spec.fields)
            for s in (*spec.needs, spec.script):
                shared = styles if s.endswith(".css") else scripts  # a shared style goes before the widget's own
                if s not in shared and self.has_asset(s):
                    shared.append(s)
            if spec.style not in styles and self.has_asset(spec.style):
                styles.append(spec.style)
        for name in sorted(fields):
            blocks.append({"id": f"trace-{name}", "json": page_json(name, tuple(sorted(fields[name])))})
        if blocks:
            scripts.insert(len(CORE_SCRIPTS), TRACE_SCRIPT)
        scripts.append(BOOT_SCRIPT)
        body = lesson_blocks.finish(marks.restore(widget_stash.restore(math_stash.restore(body))))
        toc = marks.restore(math_stash.restore(toc), plain=True)
        value = (body, toc, uses, tuple(scripts), styles, blocks)
        self._bodies = {"key": key, "value": value}
        return value

    def index_html(self, lessons, number: int = 1) -> str:
        """Index page `number` (1: index.html, k: index-k.html) of index_pages(...): the
        lessons it lists, and links to the other index pages when there are several."""
        size = self.config.index_page_size
        index = paging(len(lessons), size, number)
        items = [_course_item(l) for l in lessons[index["first"] - 1:index["last"]]]
        page = {"title": self.config.title, "summary": self.config.description, "href": index_href(number)}
        return self.page("index.html", scripts_used=[*CORE_SCRIPTS, BOOT_SCRIPT], data_blocks=[], page=page,
                         lessons=items, index=index)

    def glossary_html(self, lessons) -> str:
        return glossary.page_html(self, lessons, self.glossary, [*CORE_SCRIPTS, BOOT_SCRIPT])

    def not_found_html(self, lessons) -> str:
        """The page for missing pages: the first index page's lessons (all of a small course),
        then how many more the course list holds."""
        items = [_course_item(l) for l in lessons[:self.config.index_page_size]]
        page = {"title": "Page not found", "summary": "", "href": "404.html"}
        return self.page("404.html", scripts_used=[*CORE_SCRIPTS, BOOT_SCRIPT], data_blocks=[], page=page, lessons=items,
                         more=len(lessons) - len(items),
                         home_href=f"{self.config.base_url}index.html",
                         teachers_href=f"{self.config.base_url}teachers.html",
                         glossary_href=f"{self.config.base_url}glossary.html" if self.glossary.terms else "")

    # --- the page for teachers --------------------------------------------------------------
    def widget_uses(self, lesson, scenario_names) -> list:
        """The widgets a lesson places, in page order (their figure ids are w1, w2, ...)."""
        return directives.widget_uses(lesson, self.registry, scenario_names)

    def teachers_html(self, lessons, scenario_names, traces, number: int = 1) -> str:
        """build/teachers.html: per lesson what it covers, its embed snippet (from base_url),
        its SCORM package and links that open its widgets in a chosen state. Paged as the
        index is (index_page_size lessons a page: teachers.html, teachers-2.html, ...)."""
        base = self.config.base_url
        absolute = bool(re.match(r"^https?://", base))
        index = paging(len(lessons), self.config.index_page_size, number, "teachers", "the teachers' notes")
        items = []
        for l in lessons[index["first"] - 1:index["last"]]:
            links = []
            for use in self.widget_uses(l, scenario_names):
                make = STATE_LINKS.get(use.name)
                if make and use.scenario:
                    uid = f"w{use.index}"
                    links.append({"figure": STATE_FIGURES.get(use.name, use.name), "links": [
                        {"label": label, "href": f"{l.href}#" + "&".join(f"{uid}.{k}={v}" for k, v in state)}
                        for label, state in make(traces(use.scenario), uid)]})
            embed_src = f"{base}embed/{l.slug}.html"
            items.append({**_course_item(l), "objectives": l.objectives, "slug": l.slug,
                          "embed_href": f"embed/{l.slug}.html",
                          "snippet": host_snippet(l.slug, embed_src, l.title) if self.config.embed else "",
                          "embed_src": embed_src, "scorm": f"{l.slug}.zip", "links": links})
        page = {"title": "For teachers", "summary": f"How to use {self.config.title} in a class: what each lesson "
                                                     "covers, how to embed it, SCORM packages and links to a chosen moment.",
                "href": index_href(number, "teachers"), "base_url": base, "absolute_base": absolute}
        return self.page("teachers.html", scripts_used=[*CORE_SCRIPTS, BOOT_SCRIPT, EMBED_DIALOG_SCRIPT], data_blocks=[],
                         page=page, lessons=items, index=index)


def paging(total: int, size: int, number: int, stem: str = "index", what: str = "the course list") -> dict:
    """What a paged list's page `number` says of itself and links to (index.html and its
    further pages; teachers.html and its)."""
    count = index_pages(total, size)
    first = (number - 1) * size
    last = min(total, first + size)
    return {"number": number, "count": count, "first": first + 1, "last": last, "total": total, "what": what,
            "links": _index_links(number, count, size, total, stem),
            "prev": _index_page(number - 1, size, total, stem) if number > 1 else None,
            "next": _index_page(number + 1, size, total, stem) if number < count else None}


def index_pages(lessons: int, size: int) -> int:
    """How many index pages list `lessons` lessons at `size` a page (at least one)."""
    return max(1, -(-lessons // size))


def index_href(number: int, stem: str = "index") -> str:
    """Page `number` of a paged list: index.html, index-2.html, ... (teachers.html, teachers-2.html, ...)."""
    return f"{stem}.html" if number == 1 else f"{stem}-{number}.html"


INDEX_LINKS_AROUND = 2  # index pages linked on each side of the current one (with the first and last)


def _index_links(number: int, count: int, size: int, total: int, stem: str = "index") -> list[dict]:
    """The index pages a paged index links to: every page when there are few, else the first,
    the last and those near the current one, with a gap mark between runs; so the list stays
    short at any number of lessons and every page is still reached by walking Next."""
    if count == 1:
        return []
    near = set(range(max(1, number - INDEX_LINKS_AROUND), min(count, number + INDEX_LINKS_AROUND) + 1))
    shown = sorted({1, count} | near) if count > 2 * INDEX_LINKS_AROUND + 5 else list(range(1, count + 1))
    links, last = [], 0
    for n in shown:
        if n > last + 1:
            links.append({"gap": True})
        links.append({"gap": False, "current": n == number, **_index_page(n, size, total, stem)})
        last = n
    return links


def _index_page(n: int, size: int, total: int, stem: str = "index") -> dict:
    """Index page n: its address and the lessons it lists, short ("21–40") and in words."""
    first, last = (n - 1) * size + 1, min(total, n * size)
    return {"number": n, "href": index_href(n, stem), "first": first, "last": last,
            "short": f"{first}–{last}" if last > first else f"{first}",
            "words": f"Lessons {first} to {last}" if last > first else f"Lesson {first}"}


def _course_length(lesson) -> int:
    n, l = lesson.position, lesson
    while l.next is not None:
        l, n = l.next, n + 1
    return n


def _course_item(l) -> dict:
    return {"title": l.title, "summary": l.summary, "href": l.href, "order": l.order, "position": l.position,
            "needs": l.needs, "minutes": l.minutes}


# Links to a widget in a chosen state, for the teachers' page: widget name -> fn(traces, uid)
# -> [(label, [(key, value), ...])]. The keys are the ones each widget's script saves in the
# URL hash (BPE.hashState); every value comes from the recorded runs.
def _weight_descent_links(runs, uid):
    tr = runs[0]
    steps = [int(s) for s in tr.steps]
    picks = dict.fromkeys([steps[0], steps[min(3, len(steps) - 1)], steps[-1]])
    return [(f"Step {s}: w = {fmt_number(float(tr.params['W1'][steps.index(s)][0, 0]), 3)}", [("step", s)]) for s in picks]


def _learning_rates_links(runs, uid):
    return [(f"Learning rate η = {eta:g}", [("eta", f"{eta:g}")]) for eta in sorted({tr.eta for tr in runs})]


def _worked_steps_links(runs, uid):
    from site_builder.widgets._worked_example import WorkedStep

    calcs = {c.key: c for c in WorkedStep(runs[0]).calcs()}
    keys = [k for k in ("out-o1", "error-total", "w5-grad", "w1-sum", "w1-grad", "update-w1") if k in calcs]
    return [(calcs[k].title, [("step", k)]) for k in keys]


def _xor_circuit_links(runs, uid):
    from site_builder.widgets.xor_circuit import presets

    by = {(tr.eta, tr.seed): tr for tr in runs}
    return [(f"{p['label']} (η = {p['eta']:g}, start {p['seed']}, at the last epoch)",
             [("rate", f"{p['eta']:g}"), ("seed", p["seed"]), ("step", int(by[p["eta"], p["seed"]].steps[-1]))])
            for p in presets(runs)]


def _xor_hidden_layer_links(runs, uid):
    steps = [int(s) for s in runs[-1].steps]
    picks = dict.fromkeys([steps[0], steps[len(steps) // 2], steps[-1]])
    return [(f"Epoch {s:,}", [("step", s)]) for s in picks]


STATE_FIGURES = {
    "weight-descent": "The weight sliding down the loss curve",
    "learning-rates": "The loss curves of forty runs",
    "worked-steps": "The calculation, one step at a time",
    "xor-circuit": "The network drawn as a circuit",
    "xor-hidden-layer": "One neuron against a network with a hidden layer",
}
STATE_LINKS = {
    "weight-descent": _weight_descent_links,
    "learning-rates": _learning_rates_links,
    "worked-steps": _worked_steps_links,
    "xor-circuit": _xor_circuit_links,
    "xor-hidden-layer": _xor_hidden_layer_links,
}


def fmt_number(x: float, digits: int) -> str:
    """Fixed decimals with a real minus sign (U+2212)."""
    return f"{x:.{digits}f}".replace("-", "\u2212")


class _LazyTraces(dict):
    """Scenario name -> traces, trained or loaded only when an expression asks."""

    def __init__(self, names, load):
        super().__init__({n: None for n in names})
        self._load = load

    def __getitem__(self, name):
        return self._load(name)

