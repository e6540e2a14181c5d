"""Checks over the built pages: every relative link and #anchor resolves, and no URL leaves
the page (the contract: zero network requests)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

URL_ATTRS = {"href", "src", "action", "formaction", "poster", "data", "srcset", "xlink:href", "cite", "background"}
EXTERNAL = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:|//)", re.I)
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)")


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids, self.links, self.urls = set(), [], []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value is None:
                continue
            if name in ("id", "name") and (name == "id" or tag == "a"):
                self.ids.add(value)
            if name in URL_ATTRS:
                self.urls.append((tag, name, value, self.getpos()[0]))
                if tag == "a" and name == "href":
                    self.links.append((value, self.getpos()[0]))
            if name == "style":
                self.urls.extend((tag, "style", u, self.getpos()[0]) for u in CSS_URL.findall(value))
        self._in_style = tag == "style"

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.urls.extend(("style", "url", u, self.getpos()[0]) for u in CSS_URL.findall(data))


def parse(path: Path) -> _Page:
    return parse_text(path.read_text(encoding="utf-8"))


def parse_text(text: str) -> _Page:
    p = _Page()
    p.feed(text)
    p.close()
    return p


class _Parsed:
    """What the check reads of a page (ids, links, urls), rebuilt from the parse cache."""

    def __init__(self, ids, links, urls):
        self.ids, self.links, self.urls = set(ids), [tuple(x) for x in links], [tuple(x) for x in urls]


def parse_cached(path: Path, cache: Path | None, kept: set | None = None):
    """parse(path), kept in cache/ by the page's content digest: a page that did not change
    is never parsed again (parsing is nearly all of the check's time)."""
    if cache is None:
        return parse(path)
    import hashlib
    import json
    import os

    data = path.read_bytes()
    stamp = cache / f"{hashlib.sha256(data).hexdigest()[:40]}.json"
    if kept is not None:
        kept.add(stamp.name)
    if stamp.exists():
        try:
            d = json.loads(stamp.read_text(encoding="utf-8"))
            return _Parsed(d["ids"], d["links"], d["urls"])
        except (ValueError, KeyError, TypeError, OSError):
            pass  # a damaged entry is parsed again
    page = parse_text(data.decode("utf-8"))
    cache.mkdir(parents=True, exist_ok=True)
    tmp = stamp.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"ids": sorted(page.ids), "links": page.links, "urls": page.urls}), encoding="utf-8")
    os.replace(tmp, stamp)
    return page


@dataclass
class LinkProblem:
    page: str     # the built page, relative to the site folder
    url: str      # the link or URL as written in the page
    message: str


def check_site(folder: Path, base_url: str = "/", cache: Path | None = None) -> list[LinkProblem]:
    """Every relative link and #anchor must resolve and no URL may leave the page. Links that
    start with base_url (the 404 page's) are checked from the site's root. With a cache
    folder, each page's parse is kept there by its content digest."""
    folder = Path(folder)
    kept: set[str] = set()
    pages = {p.relative_to(folder).as_posix(): parse_cached(p, cache, kept) for p in sorted(folder.rglob("*.html"))}
    if cache is not None:  # keep only the parses of the pages this site has now
        for old in cache.glob("*.json"):
            if old.name not in kept:
                old.unlink(missing_ok=True)
    problems = []
    absolute_base = bool(EXTERNAL.match(base_url))
    for name, page in pages.items():
        def say(url, message):
            problems.append(LinkProblem(name, url, message))

        def own(url):  # a full address under base_url is a page of this site
            return absolute_base and url.startswith(base_url)

        for tag, attr, url, line in page.urls:
            if url.startswith("data:") or url.startswith("#") or not url.strip():
                continue
            if attr in ("src", "poster", "data", "srcset", "background") and tag != "a":
                say(url, f"'{url}' would load a separate file; a page is one file (embed images as data: URLs) "
                         f"({name}, <{tag} {attr}>)")
                continue
            if EXTERNAL.match(url) and not url.lower().startswith("data:") and not own(url):
                if attr == "xmlns" or url.startswith("http://www.w3.org/"):
                    continue
                say(url, f"link leaves the page: {url} ({name}, <{tag} {attr}>)")
        for href, line in page.links:
            if own(href):
                parts = urlsplit(href[len(base_url):])
                target = parts.path or "index.html"
            elif EXTERNAL.match(href) or href.startswith("data:"):
                continue
            else:
                parts = urlsplit(href)
                if parts.path.startswith("/"):
                    if not parts.path.startswith(base_url):
                        say(href, f"link '{href}' is outside the site's base_url {base_url} ({name})")
                        continue
                    target = parts.path[len(base_url):] or "index.html"
                else:
                    target = name if not parts.path else (Path(name).parent / unquote(parts.path)).as_posix()
            target = _normalise(target)
            if parts.path.endswith("/") or (parts.path and not parts.path.endswith(".html")):
                say(href, f"link '{href}' should name an .html file ({name})")
                continue
            if target not in pages:
                say(href, f"broken link '{href}': no page {target} ({name})")
                continue
            frag = unquote(parts.fragment)
            if "=" in frag:  # widget state (BPE.hashState): FIGUREID.KEY=VALUE&...; each figure must exist
                missing = sorted({pair.partition("=")[0].partition(".")[0] for pair in frag.split("&")} - pages[target].ids)
                if missing:
                    say(href, f"broken widget state '{href}': {target} has no figure '{missing[0]}' ({name})")
            elif frag and frag not in pages[target].ids:
                say(href, f"broken anchor '{href}': {target} has no id '{frag}' ({name})")
    return problems


def _normalise(path: str) -> str:
    out = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if out:
                out.pop()
            continue
        out.append(part)
    return "/".join(out)
