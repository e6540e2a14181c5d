"""Publishing on GitHub Pages: the workflow builds what `make build` builds, and the 404 page
works when served for a missing path at any depth under a /<repo>/ prefix."""
from __future__ import annotations

import shutil
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml

from site_builder import cli

REPO = Path(__file__).resolve().parents[2]


def test_workflow_builds_with_make_and_uploads_build():
    wf = yaml.safe_load((REPO / ".github/workflows/pages.yml").read_text())
    steps = wf["jobs"]["build"]["steps"]
    runs = [s.get("run", "") for s in steps]
    assert "make build" in runs
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "build"
    assert upload["with"]["include-hidden-files"] is True  # build/.nojekyll goes along
    assert wf["jobs"]["deploy"]["needs"] == "build"
    assert (REPO / "build/.nojekyll").exists()


class PagesLike(SimpleHTTPRequestHandler):
    """Serves build/ under /repo/ and answers any missing path with 404.html, as Pages does."""

    def do_GET(self):  # noqa: N802
        if not self.path.startswith("/repo/"):
            self.send_error(404)
            return
        rel = self.path[len("/repo/"):].split("#")[0] or "index.html"
        target = Path(self.directory) / rel
        if target.is_file():
            self.path = "/" + rel
            return super().do_GET()
        body = (Path(self.directory) / "404.html").read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


def test_404_links_resolve_under_a_repo_prefix(page, tmp_path):
    root = tmp_path / "site"
    shutil.copytree(REPO / "tests/sites/mini", root)
    shutil.copytree(REPO / "themes", root / "themes")
    cfg = root / "content/site.yaml"
    cfg.write_text(cfg.read_text() + "base_url: /repo/\n")
    assert cli.main(["build", "--quiet", "--root", str(root)]) == 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(PagesLike, directory=str(root / "build")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        response = page.goto(f"{base}/repo/deep/inside/a/missing/page.html")
        assert response.status == 404
        page.wait_for_selector("html[data-ready=true]")
        assert page.locator("h1").inner_text() == "Page not found"
        page.get_by_role("link", name="Second lesson").click()
        page.wait_for_selector("html[data-ready=true]")
        assert page.url == f"{base}/repo/second.html"
        page.go_back()
        page.get_by_role("link", name="Mini site").click()
        assert page.url == f"{base}/repo/index.html"
        assert page.page_errors == []
    finally:
        server.shutdown()
