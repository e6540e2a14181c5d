"""Up to date: when nothing a build reads has changed since the last good build, and its
output is as that build left it, `build` does nothing at all (the way make does).

What a build reads: every file under content/, themes/ and the site's own widgets/, and the
builder's own code; and how it was asked (the output folder, --strict). What it left: every
file under the output folder, by name, size, modification time and inode. Both are kept in
.cache/fresh.json by a build that succeeded; anything else (a failed build, an edited page,
a file added anywhere) makes the next build a real one. Only the standard library is imported
here, so the answer costs a few milliseconds, not the pipeline's imports.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
STAMP = Path(".cache") / "fresh.json"


def _walk(base: Path, h) -> bool:
    """Hash every file under base (names, link targets, bytes). False when the tree holds a
    linked folder: what is behind it is not followed here, so such a tree is never fresh."""
    if not base.exists():
        h.update(b"\0absent\0")
        return True
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        if any(os.path.islink(os.path.join(dirpath, d)) for d in dirnames):
            return False
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            h.update(os.path.relpath(path, base).encode("utf-8", "surrogateescape") + b"\0")
            try:
                if os.path.islink(path):
                    h.update(b"->" + os.readlink(path).encode("utf-8", "surrogateescape") + b"\0")
                with open(path, "rb") as f:
                    h.update(f.read())
            except OSError:
                h.update(b"\0unreadable\0")
            h.update(b"\0")
    return True


def inputs(root: Path, out: Path, strict: bool) -> str | None:
    """The digest of everything a build of root into out reads (None: cannot be known)."""
    h = hashlib.sha256(repr((str(out), bool(strict))).encode())
    for base in (PACKAGE, root / "content", root / "themes", root / "widgets"):
        h.update(str(base).encode() + b"\0")
        if not _walk(base, h):
            return None
    return h.hexdigest()


def outputs(out: Path) -> list | None:
    """Every file under out: (name, size, mtime_ns, inode); None when out is missing."""
    if not out.is_dir():
        return None
    found = []
    for dirpath, dirnames, filenames in os.walk(out):
        dirnames.sort()
        for name in sorted(filenames):
            st = os.lstat(os.path.join(dirpath, name))
            found.append([os.path.relpath(os.path.join(dirpath, name), out), st.st_size, st.st_mtime_ns, st.st_ino])
    return found


def up_to_date(root: Path, out: Path, strict: bool, digest: str | None = None) -> dict | None:
    """The last build's summary when nothing it read changed and its output is untouched
    (digest: inputs(root, out, strict), when the caller has it already)."""
    try:
        saved = json.loads((root / STAMP).read_text(encoding="utf-8"))
        if saved["inputs"] != (digest or inputs(root, out, strict)) or saved["outputs"] != outputs(out):
            return None
        return saved["result"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def forget(root: Path) -> None:
    try:
        (root / STAMP).unlink()
    except OSError:
        pass


def remember(root: Path, out: Path, digest: str | None, result: dict) -> None:
    """Kept after a build that succeeded; digest is inputs() taken before it read anything."""
    if digest is None:
        return forget(root)
    stamp = root / STAMP
    try:
        stamp.parent.mkdir(parents=True, exist_ok=True)
        tmp = stamp.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"inputs": digest, "outputs": outputs(out), "result": result}), encoding="utf-8")
        os.replace(tmp, stamp)
    except OSError:
        forget(root)
