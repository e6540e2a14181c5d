"""Reading an author's files: which files in a content folder count, and one ContentError
(never an OSError) for each that cannot be read as UTF-8 text."""
from __future__ import annotations

import re
from pathlib import Path

from site_builder.errors import ContentError

# Characters no page may contain (HTML calls them invalid code points): C0 controls other than
# tab, line feed, form feed and carriage return; DEL and the C1 controls; noncharacters.
NONCHARACTERS = "".join(chr(p * 0x10000 + 0xFFFE) + chr(p * 0x10000 + 0xFFFF) for p in range(17))
BAD_CHAR = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef" + NONCHARACTERS + "]")


def bad_character(text: str) -> tuple[int, str] | None:
    """(0-based offset, message) of the first character a page may not contain, or None."""
    m = BAD_CHAR.search(text)
    if not m:
        return None
    char = m.group(0)
    what = "the noncharacter" if char in NONCHARACTERS or "\ufdd0" <= char <= "\ufdef" else "the invisible control character"
    return m.start(), (f"{what} U+{ord(char):04X} cannot go into a page "
                       "(often pasted from a PDF or a word processor): delete it")


def check_characters(text: str, path) -> None:
    found = bad_character(text)
    if found:
        offset, message = found
        raise ContentError(path, text.count("\n", 0, offset) + 1, message)


def editor_file(name: str) -> bool:
    """Lock, backup and swap files editors leave beside the file being edited: .#x.md (Emacs
    lock, often a dangling link), #x.md#, x.md~, .x.md.swp; and hidden files."""
    return name.startswith((".", "#")) or name.endswith(("~", "#"))


def read_text(path: Path, kind: str, content: Path | None = None, max_bytes: int | None = None,
              hint: str = "", characters: bool = True) -> str:
    """The text of an author's file. `kind` names it in messages ("lesson", "scenario"); a
    file that is a link must stay inside `content` (the site would publish whatever it
    points at). `hint` follows the message for a folder or a file that is not regular.
    `characters`: refuse control characters here (False where the file's own reader already
    names them, as the YAML reader does)."""
    path = Path(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        what = "a link to a file that does not exist" if path.is_symlink() else "not found"
        raise ContentError(path, None, f"cannot read the {kind}: {what}") from None
    except OSError as exc:
        raise ContentError(path, None, f"cannot read the {kind}: {exc.strerror or exc}") from None
    if path.is_dir():
        raise ContentError(path, None, f"this is a folder, not a {kind} file{hint}")
    if not path.is_file():
        raise ContentError(path, None, f"this is not a regular file, so it cannot be a {kind}{hint}")
    if content is not None:
        try:
            path.resolve().relative_to(Path(content).resolve())
        except ValueError:
            raise ContentError(path, None, f"this is a link to a file outside content/ ({path.resolve()}); "
                                           f"copy the {kind} into content/ instead") from None
    if max_bytes is not None and st.st_size > max_bytes:
        raise ContentError(path, None, f"the file is {st.st_size:,} bytes; a {kind} is at most {max_bytes:,} bytes")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ContentError(path, None, f"cannot read the {kind}: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise ContentError(path, line, f"not valid UTF-8 text ({exc.reason} at byte {exc.start}): save it as UTF-8") from None
    if characters:
        check_characters(text, path)
    return text
