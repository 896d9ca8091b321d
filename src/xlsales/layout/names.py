"""Names taken from input and used for sheets and files: made valid, safe and unique."""

from __future__ import annotations

import re
import unicodedata

_SHEET_BAD = re.compile(r"[:\\/?*\[\]\uff1a\uff3c\uff0f\uff1f\uff0a\uff3b\uff3d]")  # ASCII and full-width
SHEET_MAX = 31
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
_UNSAFE_FILE_CHARS = re.compile(r'[\x00-\x1f<>:"/\\|?*]')


def safe_sheet_name(name: str, taken: set[str] | None = None, *, fallback: str = "Sheet") -> str:
    """``name`` made valid as a sheet name and unique (case-insensitively) among ``taken``.

    Excel refuses ``: \\ / ? * [ ]``, names over 31 characters, names that start or end
    with an apostrophe, and the reserved name ``History``.  ``taken`` is updated.
    """
    taken = taken if taken is not None else set()
    s = unicodedata.normalize("NFC", name)
    s = _SHEET_BAD.sub("_", s).strip().strip("'")
    s = "".join(ch for ch in s if ch.isprintable())
    if not s or s.casefold() == "history":
        s = fallback if s.casefold() != "history" else s + "_"
    base, n = _cut(s, SHEET_MAX), 1
    candidate = base
    while candidate.casefold() in {t.casefold() for t in taken}:
        n += 1
        suffix = f"({n})"
        candidate = _cut(base, SHEET_MAX - len(suffix)) + suffix
    taken.add(candidate)
    return candidate


def _cut(s: str, units: int) -> str:
    """``s`` cut to ``units`` UTF-16 code units, Excel's measure (an emoji counts twice)."""
    while len(s.encode("utf-16-le")) // 2 > units:
        s = s[:-1]
    return s


def quote_sheet(name: str) -> str:
    """The sheet name as a formula needs it: ``'目標 (2)'!A1``."""
    return "'" + name.replace("'", "''") + "'"


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
