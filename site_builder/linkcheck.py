"""Checks over the built pages: every relative link and #anchor resolves, and no URL leaves
the page (the contract: zero network requests)."""
from __future__ import annotations

import re
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
    p = _Page()
    p.feed(path.read_text(encoding="utf-8"))
    p.close()
    return p


def check_site(folder: Path, sources: dict[str, Path] | None = None, base_url: str = "/") -> list[str]:
    """Problems as 'source: message' lines; `sources` maps a built page to its lesson file.
    Links that start with base_url (the 404 page's) are checked from the site's root."""
    folder = Path(folder)
    pages = {p.relative_to(folder).as_posix(): parse(p) for p in sorted(folder.rglob("*.html"))}
    problems = []
    for name, page in pages.items():
        where = str((sources or {}).get(name, f"build/{name}"))
        for tag, attr, url, line in page.urls:
            if url.startswith("data:") or url.startswith("#") or not url.strip():
                continue
            if attr in ("src", "poster", "data", "srcset", "background") and tag != "a":
                problems.append(f"{where}: '{url}' would load a separate file; a page is one file "
                                f"(embed images as data: URLs) ({name}, <{tag} {attr}>)")
                continue
            if EXTERNAL.match(url) and not url.lower().startswith("data:"):
                if attr == "xmlns" or url.startswith("http://www.w3.org/"):
                    continue
                problems.append(f"{where}: link leaves the page: {url} ({name}, <{tag} {attr}>)")
        for href, line in page.links:
            if EXTERNAL.match(href) or href.startswith("data:"):
                continue
            parts = urlsplit(href)
            if parts.path.startswith("/"):
                if not parts.path.startswith(base_url):
                    problems.append(f"{where}: link '{href}' is outside the site's base_url {base_url} ({name})")
                    continue
                target = parts.path[len(base_url):] or "index.html"
            else:
                target = name if not parts.path else (Path(name).parent / unquote(parts.path)).as_posix()
            target = _normalise(target)
            if parts.path.endswith("/") or (parts.path and not parts.path.endswith(".html")):
                problems.append(f"{where}: link '{href}' should name an .html file ({name})")
                continue
            if target not in pages:
                problems.append(f"{where}: broken link '{href}': no page {target} ({name})")
                continue
            frag = unquote(parts.fragment)
            if frag and frag not in pages[target].ids:
                problems.append(f"{where}: broken anchor '{href}': {target} has no id '{frag}' ({name})")
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
