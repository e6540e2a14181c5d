"""Deterministic zip files of the built site: the offline bundle (`make offline`), and the
writer the SCORM packages use. Same input bytes, same zip bytes: entries sorted, one fixed
timestamp (SOURCE_DATE_EPOCH when set, else 1980-01-01), fixed permissions."""
from __future__ import annotations

import os
import time
import zipfile
from pathlib import Path

from site_builder.config import load_config
from site_builder.new import slugify

README = """\
{title}
{rule}

Open index.html in a web browser. Everything works offline: every page is one file with
its pictures, maths, data and scripts inside, and no page needs the internet.
"""


def fixed_time() -> tuple:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is None:
        return (1980, 1, 1, 0, 0, 0)
    t = time.gmtime(max(int(epoch), 315532800))  # zip cannot say anything before 1980
    return (t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec - t.tm_sec % 2)


def write_zip(path: Path, entries: dict[str, bytes]) -> Path:
    """Write {name: bytes} to path atomically, deterministically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # A name of its own, so two runs at once (two `make offline`, parallel tests) never
    # write into one file; each replaces the zip whole with the same bytes.
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    when = fixed_time()
    with zipfile.ZipFile(tmp, "w") as zf:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3  # unix, so the permissions mean the same everywhere
            zf.writestr(info, entries[name], compresslevel=9)
    os.replace(tmp, path)
    return path


def site_files(build: Path) -> dict[str, bytes]:
    if not (build / "index.html").exists():
        raise SystemExit(f"{build} has no index.html: run `make build` first")
    return {p.relative_to(build).as_posix(): p.read_bytes() for p in sorted(build.rglob("*")) if p.is_file()}


def offline(root: Path) -> Path:
    config = load_config(root)
    name = slugify(config.title) or "site"
    files = {f"{name}/{rel}": data for rel, data in site_files(root / "build").items() if rel != ".nojekyll"}
    files[f"{name}/README.txt"] = README.format(title=config.title, rule="=" * len(config.title)).encode()
    return write_zip(root / "dist" / f"{name}-offline.zip", files)


def offline_main(args) -> int:
    path = offline(Path(args.root))
    print(f"wrote {path.relative_to(Path(args.root).resolve()) if path.is_relative_to(Path(args.root).resolve()) else path} "
          f"({path.stat().st_size:,} bytes)")
    return 0
