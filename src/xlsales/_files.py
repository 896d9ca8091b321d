"""File-system helpers: atomic writes and names that are safe everywhere."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterator
from pathlib import Path

_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
_UNSAFE_FILE_CHARS = re.compile(r'[\x00-\x1f<>:"/\\|?*]')


@contextlib.contextmanager
def atomic_path(final: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``final``; on success move it over ``final`` at once.

    An interrupted write never leaves a half-written file under the final name, and an
    existing file is replaced only by a complete one.
    """
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".~" + final.stem[:40] + "-", suffix=final.suffix, dir=final.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        with open(tmp_path, "rb") as fh:
            os.fsync(fh.fileno())
        # mkstemp creates 0600; a workbook on a shared drive must be readable as usual.
        os.chmod(tmp_path, 0o666 & ~_umask())
        os.replace(tmp_path, final)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def safe_filename(name: str, *, fallback: str = "_") -> str:
    """A file-name stem for ``name`` that every file system accepts (no path traversal)."""
    s = unicodedata.normalize("NFKC", name).strip()
    s = _UNSAFE_FILE_CHARS.sub("_", s)
    s = s.strip(". ")  # Windows drops trailing dots and spaces; leading dots hide files
    if not s or set(s) <= {"_", "."}:
        s = fallback
    if s.split(".")[0].upper() in _WINDOWS_RESERVED:
        s = "_" + s
    return s[:100]
