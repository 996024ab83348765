"""Reading a course folder from disk: regular files only, never out of the folder.

A symbolic link could make the checker and the importer read (and store, and serve)
any file of the machine, so links are refused, as are devices, pipes and sockets.
Hidden files and folders (a leading dot: `.git`, `.DS_Store`) are not part of a course.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

SYMLINK_REFUSED = "symbolic links are not allowed in a course (the checker would read a file outside it); copy the file in"
SPECIAL_REFUSED = "only regular files can be part of a course, not devices, pipes or sockets"


def is_hidden(rel_path: str) -> bool:
    return any(part.startswith(".") for part in rel_path.split("/"))


def read_course_folder(folder: Path) -> tuple[dict[str, bytes], list[tuple[str, str]]]:
    """({relative POSIX path: bytes}, [(relative path, why refused)]) for one course folder."""
    files: dict[str, bytes] = {}
    refused: list[tuple[str, str]] = []

    def walk(directory: str, prefix: str) -> None:
        try:
            entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
        except OSError as error:
            refused.append((prefix.rstrip("/") or ".", f"cannot read this folder: {error.strerror}"))
            return
        for entry in entries:
            rel = prefix + entry.name
            if entry.name.startswith("."):
                continue
            if entry.is_symlink():
                refused.append((rel, SYMLINK_REFUSED))
            elif entry.is_dir(follow_symlinks=False):
                walk(entry.path, rel + "/")
            elif not entry.is_file(follow_symlinks=False):
                refused.append((rel, SPECIAL_REFUSED))
            else:
                try:
                    files[rel] = _read_regular(entry.path)
                except OSError as error:
                    refused.append((rel, f"cannot read this file: {error.strerror or error}"))

    walk(str(folder), "")
    return files, refused


def _read_regular(path: str) -> bytes:
    """The bytes of a regular file, refusing one swapped for a link or device since the scan."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    descriptor = os.open(path, flags)
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise OSError(0, SPECIAL_REFUSED)
        with os.fdopen(descriptor, "rb", closefd=False) as handle:
            return handle.read()
    finally:
        os.close(descriptor)


def refused_entry(path: Path) -> str | None:
    """Why a top-level entry (a course folder, tracks.yml) may not be read, or None."""
    try:
        mode = path.lstat().st_mode
    except OSError:
        return None
    if stat.S_ISLNK(mode):
        return SYMLINK_REFUSED
    if not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
        return SPECIAL_REFUSED
    return None


def display_path(path: Path, root: Path, fallback_base: Path) -> str:
    """`path` relative to `root` (the current folder) when inside it, else relative to
    `fallback_base`: problem messages never show the machine's absolute paths."""
    absolute = Path(os.path.abspath(path))  # no resolve(): a link's own name is what the author sees
    for base in (root, fallback_base):
        try:
            return absolute.relative_to(Path(os.path.abspath(base))).as_posix() or "."
        except ValueError:
            continue
    return absolute.name


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, why it is refused or ""). UTF-8 with an optional BOM; CRLF read as LF. A NUL
    character is refused: PostgreSQL text columns cannot hold it, so such a file would
    pass the check and then fail the import. A refused file's text comes back with the
    bad characters replaced, so the rest of it is still checked in the same run."""
    try:
        text = data.decode("utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        text = data.decode("utf-8-sig", errors="replace").replace("\r\n", "\n")
        return text.replace("\x00", "\ufffd"), f"the file is not UTF-8 text (line {line})"
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        return (text.replace("\x00", "\ufffd"),
                f"the file contains a NUL character (a zero byte) on line {line}; text files cannot hold it")
    return text, ""
