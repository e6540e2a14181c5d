"""`make serve`: build, serve build/ on 127.0.0.1, rebuild when content/, themes/, the site's
widgets/ or the builder's own code change, and reload the open page as soon as the new build
is in place.

Changes are watched with watchfiles (the operating system's file events, not polling). A
rebuild after a content or theme change runs in this long-lived process, so the builder is
imported once and its caches stay warm; a change to the builder's code (site_builder/, or a
site's widgets/*.py) rebuilds in a fresh `python -m site_builder build` process so the new code
takes effect, and so does every rebuild after it (restart `make serve` to be fast again).

The open page learns of a new build by Server-Sent Events on /__events and reloads. The files
in build/ are never altered: only the copy sent to the browser gets the small reload script
(and a CSP that allows it and its connection to /__events). A failed rebuild prints its
errors, shows them in a banner on the open page, and the last good build keeps being served.
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
import traceback
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

PACKAGE = Path(__file__).resolve().parent
CONTENT_DIRS = ("content", "themes")
CODE_DIRS = ("widgets",)  # a site's own widget modules: Python, imported once per process
KEEPALIVE = 15.0  # seconds between comments on an idle event stream (finds closed tabs)

# The page knows the build it was served from and says so when it connects, so a rebuild that
# finished in between still reloads it. An "error" event shows the failed build's messages in
# a banner (the page itself stays as it was); the next good build reloads the page.
RELOAD_JS = ("(function(){var seen=%s,bar=null;"
             "var es=new EventSource('/__events?v='+encodeURIComponent(seen));"
             "es.onmessage=function(e){if(e.data!==seen){es.close();location.reload();}};"
             "es.addEventListener('failed',function(e){if(!bar){bar=document.createElement('div');"
             "bar.id='bpe-serve-error';bar.setAttribute('role','alert');"
             "bar.style.cssText='position:fixed;left:0;right:0;bottom:0;z-index:99999;margin:0;max-height:40vh;"
             "overflow:auto;padding:.75rem 1rem;background:#fff4f4!important;color:#5a0000!important;"
             "border-top:3px solid #b00020;font:14px/1.4 monospace;white-space:pre-wrap;overflow-wrap:anywhere';"
             "document.body.appendChild(bar);}"
             "bar.textContent='Build failed; this page is the last good build.\\n\\n'+JSON.parse(e.data);});"
             "})();")


def inject_reload(html: str, version: str) -> str:
    """The served copy: the reload script, hashed into a CSP that lets it open /__events."""
    js = RELOAD_JS % json.dumps(version)
    digest = "'sha256-" + base64.b64encode(hashlib.sha256(js.encode()).digest()).decode() + "'"
    html = re.sub(r"script-src ", f"connect-src 'self'; script-src {digest} ", html, count=1)
    return html.replace("</body>", f"<script>{js}</script>\n</body>", 1)


class State:
    """The version of the build being served and the last failure, with a condition the
    event streams wait on."""

    def __init__(self):
        self.version = str(time.time_ns())
        self.error = ""  # the last rebuild's messages when it failed, else ""
        self.cond = threading.Condition()
        self.stopping = False

    def built(self) -> None:
        with self.cond:
            self.version, self.error = str(time.time_ns()), ""
            self.cond.notify_all()

    def failed(self, message: str) -> None:
        with self.cond:
            self.error = message
            self.cond.notify_all()

    def stop(self) -> None:
        with self.cond:
            self.stopping = True
            self.cond.notify_all()

    def wait(self, seen: tuple, timeout: float) -> tuple:
        """(version, error) once either differs from `seen`, or at the timeout."""
        with self.cond:
            self.cond.wait_for(lambda: self.stopping or (self.version, self.error) != seen, timeout)
            return self.version, self.error


def make_handler(build_dir: Path, state: State):
    class Handler(SimpleHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's naming
            if self.path.startswith("/__events"):
                return self._events()
            path = self.path.split("?")[0].split("#")[0]
            if path.endswith("/"):
                path += "index.html"
            target = (build_dir / path.lstrip("/")).resolve()
            if target.suffix == ".html" and target.is_file() and build_dir.resolve() in target.parents:
                try:
                    body = inject_reload(target.read_text(encoding="utf-8"), state.version).encode("utf-8")
                except FileNotFoundError:  # swapped away between the check and the read: ask again
                    body = None
                if body is not None:
                    return self._send(body, "text/html; charset=utf-8")
            if not target.exists() and (build_dir / "404.html").exists():
                self.path = "/404.html"
            super().do_GET()

        def _events(self) -> None:
            """Server-Sent Events: a message with the new version after each good build, a
            'failed' event with the messages of a failed one."""
            query = parse_qs(urlsplit(self.path).query)
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            seen = (query.get("v", [state.version])[0], "")
            try:
                while True:
                    now = state.wait(seen, KEEPALIVE)
                    if state.stopping:
                        return
                    if now[0] != seen[0]:
                        self.wfile.write(f"data: {now[0]}\n\n".encode())
                    elif now[1] and now[1] != seen[1]:
                        self.wfile.write(f"event: failed\ndata: {json.dumps(now[1])}\n\n".encode())
                    else:
                        self.wfile.write(b": idle\n\n")
                    self.wfile.flush()
                    seen = now
            except (BrokenPipeError, ConnectionResetError):
                return

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


class Builder:
    """Rebuilds: in this process while the builder's code is the one imported, else in a
    fresh process. Returns None on success, else the messages to show."""

    def __init__(self, root: Path):
        self.root = root
        self.fresh = False  # True once the builder's code changed under us

    def __call__(self, code_changed: bool = False) -> str | None:
        if code_changed and not self.fresh:
            self.fresh = True
            print("the builder's code changed: rebuilding in a fresh process from now on "
                  "(restart make serve for fast rebuilds)", flush=True)
        t = time.perf_counter()
        problem = self._fresh() if self.fresh else self._here()
        stamp = time.strftime("%H:%M:%S")
        if problem is None:
            print(f"[{stamp}] rebuilt in {time.perf_counter() - t:.2f} s", flush=True)
        else:
            print(f"[{stamp}] build failed; still serving the last good build:\n{problem}", flush=True)
        return problem

    def warm(self) -> None:
        """Ready the renderer for the first rebuild (see build.warm); a problem here is the
        next rebuild's to report."""
        from site_builder.build import warm

        try:
            warm(self.root)
        except Exception:  # noqa: BLE001
            pass

    def _here(self) -> str | None:
        from site_builder.build import build
        from site_builder.errors import ContentError, ContentErrors

        try:
            result = build(self.root, quiet=True)
        except (ContentError, ContentErrors) as exc:
            return str(exc)
        except Exception:  # noqa: BLE001 - a builder bug: show it, keep serving
            return traceback.format_exc().strip()
        for w in result.warnings:
            print(f"warning: {w}", flush=True)
        return None

    def _fresh(self) -> str | None:
        proc = subprocess.run([sys.executable, "-m", "site_builder", "build", "--quiet", "--root", str(self.root)],
                              capture_output=True, text=True)
        if proc.stderr.strip() and proc.returncode == 0:
            print(proc.stderr.strip(), flush=True)
        return None if proc.returncode == 0 else (proc.stderr.strip() or f"build exited with {proc.returncode}")


def watched(root: Path) -> tuple[list[Path], list[Path]]:
    """(content folders, code folders) that exist: a rebuild after a code change needs a
    fresh process."""
    content = [root / d for d in CONTENT_DIRS if (root / d).is_dir()]
    code = [PACKAGE, *[root / d for d in CODE_DIRS if (root / d).is_dir()]]
    return content, code


def watch(root: Path, state: State, rebuild: Builder, stop: threading.Event) -> None:
    import watchfiles

    content, code = watched(root)
    code_dirs = [str(p.resolve()) for p in code]
    # step: a burst of saves (an editor writes, renames, touches) is one change once 30 ms pass
    # quietly; debounce caps how long a stream of changes is gathered before a rebuild.
    for changes in watchfiles.watch(*content, *code, stop_event=stop, step=30, debounce=400,
                                    raise_interrupt=False):
        paths = [str(Path(p).resolve()) for _, p in changes]  # (watchfiles' filter skips .pyc, editors' swap files)
        code_changed = any(p == d or p.startswith(d + "/") for p in paths for d in code_dirs)
        problem = rebuild(code_changed)
        if problem is None:
            state.built()
        else:
            state.failed(problem)


def main(args) -> int:
    root = Path(args.root).resolve()
    rebuild = Builder(root)
    state = State()
    problem = rebuild()
    if problem is not None:
        state.failed(problem)
    else:
        rebuild.warm()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(root / "build", state))
    server.daemon_threads = True
    stop = threading.Event()
    watcher = threading.Thread(target=watch, args=(root, state, rebuild, stop), daemon=True)
    watcher.start()
    print(f"serving {root / 'build'} at http://127.0.0.1:{args.port}/ (Ctrl-C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        state.stop()
        server.server_close()
    return 0
