"""Untrusted files: spreadsheet cells that could run formulas, and zip archives that
could escape their folder or explode in size. Used by every export and upload."""

from __future__ import annotations

import stat
import zipfile
from pathlib import PurePosixPath

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value) -> str:
    """A CSV cell that a spreadsheet will show as text, never run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class UnsafeArchive(ValueError):
    pass


def read_zip(data: bytes, *, max_files: int = 2000, max_total_bytes: int = 50 * 1024 * 1024,
             max_ratio: int = 100) -> dict[str, bytes]:
    """The files of a zip archive by safe relative path; refuses path tricks (absolute
    paths, `..`, drive letters, symbolic links, devices) and zip bombs."""
    import io

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise UnsafeArchive("not a zip archive") from error
    entries = [info for info in archive.infolist() if not info.is_dir()]
    if len(entries) > max_files:
        raise UnsafeArchive(f"more than {max_files} files")
    total = 0
    files: dict[str, bytes] = {}
    for info in entries:
        name = info.filename.replace("\\", "/")
        path = PurePosixPath(name)
        if path.is_absolute() or ".." in path.parts or name.startswith("/") or ":" in path.parts[0]:
            raise UnsafeArchive(f"unsafe path in archive: {info.filename}")
        kind = stat.S_IFMT(info.external_attr >> 16) if info.create_system == 3 else 0  # 3: Unix, mode in the high bits
        if kind == stat.S_IFLNK:
            raise UnsafeArchive(f"symbolic link in archive: {info.filename}")
        if kind not in (0, stat.S_IFREG):
            raise UnsafeArchive(f"not a regular file in archive: {info.filename}")
        if info.file_size > max_ratio * max(info.compress_size, 1) and info.file_size > 1024 * 1024:
            raise UnsafeArchive(f"suspicious compression ratio: {info.filename}")
        total += info.file_size
        if total > max_total_bytes:
            raise UnsafeArchive("archive too large when unpacked")
        with archive.open(info) as handle:
            content = handle.read(info.file_size + 1)  # never trust the declared size
        if len(content) > info.file_size:
            raise UnsafeArchive(f"size mismatch: {info.filename}")
        files[str(path)] = content
    return files
