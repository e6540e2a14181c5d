"""`make serve`: build, serve build/ on 127.0.0.1, rebuild when content/, themes/ or
site_builder/ change, and reload the open page.

Each rebuild runs in a fresh `python -m site_builder build` process, so edits to the builder
itself take effect. The files in build/ are never altered: only the copy sent to the browser
gets a small polling script (and a CSP that allows it and its request to /__version).
A failed rebuild prints its errors and the last good build keeps being served.
"""
from __future__ import annotations

import base64
import hashlib
import json
import re
import subprocess
import sys
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

WATCHED = ("content", "themes", "site_builder")
POLL = 0.5
# The page learns the build version it was served with, so a rebuild that finishes before
# its first poll still reloads it.
RELOAD_JS = ("(function(){var seen=%s;setInterval(function(){fetch('/__version',{cache:'no-store'})"
             ".then(function(r){return r.text();}).then(function(v){if(v!==seen)location.reload();})"
             ".catch(function(){});},1000);})();")


def snapshot(root: Path) -> dict:
    out = {}
    for name in WATCHED:
        for p in (root / name).rglob("*"):
            if p.is_file() and "__pycache__" not in p.parts:
                try:
                    out[p] = p.stat().st_mtime_ns
                except FileNotFoundError:
                    pass
    return out


def inject_reload(html: str, version: str) -> str:
    """The served copy: the reload script, hashed into a CSP that lets it ask /__version."""
    js = RELOAD_JS % json.dumps(version)
    digest = "'sha256-" + base64.b64encode(hashlib.sha256(js.encode()).digest()).decode() + "'"
    html = re.sub(r"script-src ", f"connect-src 'self'; script-src {digest} ", html, count=1)
    return html.replace("</body>", f"<script>{js}</script>\n</body>", 1)


class State:
    def __init__(self):
        self.version = str(time.time_ns())
        self.lock = threading.Lock()


def make_handler(build_dir: Path, state: State):
    class Handler(SimpleHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's naming
            if self.path.startswith("/__version"):
                return self._send(state.version.encode(), "text/plain")
            path = self.path.split("?")[0].split("#")[0]
            if path.endswith("/"):
                path += "index.html"
            target = (build_dir / path.lstrip("/")).resolve()
            if target.suffix == ".html" and target.is_file() and build_dir.resolve() in target.parents:
                body = inject_reload(target.read_text(encoding="utf-8"), state.version).encode("utf-8")
                return self._send(body, "text/html; charset=utf-8")
            if not target.exists() and (build_dir / "404.html").exists():
                self.path = "/404.html"
            super().do_GET()

        def _send(self, body: bytes, content_type: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, fmt, *args):  # quiet: one line per rebuild is enough
            pass

    return partial(Handler, directory=str(build_dir))


def rebuild(root: Path) -> bool:
    proc = subprocess.run([sys.executable, "-m", "site_builder", "build", "--quiet", "--root", str(root)],
                          capture_output=True, text=True)
    if proc.returncode == 0:
        print(f"[{time.strftime('%H:%M:%S')}] rebuilt", flush=True)
        return True
    print(f"[{time.strftime('%H:%M:%S')}] build failed; still serving the last good build:\n{proc.stderr.strip()}", flush=True)
    return False


def watch(root: Path, state: State, stop: threading.Event):
    seen = snapshot(root)
    while not stop.wait(POLL):
        now = snapshot(root)
        if now != seen:
            seen = now
            if rebuild(root):
                with state.lock:
                    state.version = str(time.time_ns())


def main(args) -> int:
    root = Path(args.root).resolve()
    rebuild(root)
    state = State()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(root / "build", state))
    stop = threading.Event()
    threading.Thread(target=watch, args=(root, state, stop), daemon=True).start()
    print(f"serving {root / 'build'} at http://127.0.0.1:{args.port}/ (Ctrl-C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.server_close()
    return 0
