"""Zip packages written byte by byte: what ``zipfile`` refuses to write (bombs, lying headers).

A member is ``(name, compressed bytes, crc32, uncompressed size, method)``.  ``deflate_bomb``
produces the deflate stream of ``prefix + unit * copies + suffix`` without ever holding
the inflated text: the unit is compressed once, with a full flush (which resets the
compressor), so its compressed form can simply be repeated.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from pathlib import Path
from typing import NamedTuple

STORED, DEFLATED = 0, 8
_DOS_TIME, _DOS_DATE = 0, (2026 - 1980) << 9 | 7 << 5 | 1  # 2026-07-01 00:00: deterministic


class Member(NamedTuple):
    name: str
    data: bytes  # as stored in the zip (compressed for DEFLATED)
    crc: int
    size: int  # the uncompressed size: what the directory declares
    method: int = DEFLATED
    flags: int = 0x800  # bit 11: UTF-8 names; bit 0 would mean encrypted


def deflated(name: str, text: str | bytes) -> Member:
    raw = text.encode("utf-8") if isinstance(text, str) else text
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return Member(name, c.compress(raw) + c.flush(), zlib.crc32(raw), len(raw))


def deflate_bomb(name: str, prefix: bytes, unit: bytes, copies: int, suffix: bytes) -> Member:
    """``prefix + unit * copies + suffix`` deflated; ``unit`` is repeated to about 1 MiB per piece."""
    per_piece = max(1, (1 << 20) // len(unit))
    piece_text = unit * per_piece
    pieces, rest = divmod(copies, per_piece)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = c.compress(prefix) + c.flush(zlib.Z_FULL_FLUSH)
    piece = c.compress(piece_text) + c.flush(zlib.Z_FULL_FLUSH)
    tail = c.compress(unit * rest + suffix) + c.flush()
    crc = zlib.crc32(prefix)
    for _ in range(pieces):
        crc = zlib.crc32(piece_text, crc)
    crc = zlib.crc32(unit * rest + suffix, crc)
    size = len(prefix) + len(unit) * copies + len(suffix)
    return Member(name, head + piece * pieces + tail, crc, size)


def write_zip(path: str | Path, members: list[Member]) -> Path:
    """A zip file of ``members`` exactly as given (sizes and CRCs are not checked)."""
    out = bytearray()
    central = bytearray()
    for m in members:
        name = m.name.encode("utf-8")
        offset = len(out)
        fields = (20, m.flags, m.method, _DOS_TIME, _DOS_DATE, m.crc & 0xFFFFFFFF, len(m.data),
                  m.size & 0xFFFFFFFF, len(name))
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields, 0) + name + m.data
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, *fields, 0, 0, 0, 0, 0, offset) + name
    start = len(out)
    out += central
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), start, 0)
    path = Path(path)
    path.write_bytes(bytes(out))
    return path


def read_members(path: str | Path) -> list[Member]:
    """The members of an ordinary zip file (e.g. one openpyxl wrote), to rewrite some of them."""
    with zipfile.ZipFile(path) as zf:
        return [deflated(info.filename, zf.read(info)) for info in zf.infolist()]


def replace_members(path: str | Path, source: str | Path, new: dict[str, Member | str | bytes]) -> Path:
    """Write ``source``'s members to ``path``, with those named in ``new`` replaced (or added)."""
    members = {m.name: m for m in read_members(source)}
    for name, value in new.items():
        members[name] = value if isinstance(value, Member) else deflated(name, value)
    return write_zip(path, list(members.values()))


def sheet_part(path: str | Path, sheet: str) -> str:
    """The zip member of the worksheet called ``sheet`` in an .xlsx file."""
    with zipfile.ZipFile(path) as zf:
        book = zf.read("xl/workbook.xml").decode("utf-8")
        rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    rid = re.search(r'<sheet [^>]*name="%s"[^>]*r:id="([^"]+)"' % re.escape(sheet), book).group(1)
    target = re.search(r'<Relationship [^>]*Id="%s"[^>]*Target="([^"]+)"' % rid, rels)
    if target is None:  # attributes in the other order
        target = re.search(r'<Relationship [^>]*Target="([^"]+)"[^>]*Id="%s"' % rid, rels)
    return "xl/" + target.group(1).lstrip("/").removeprefix("xl/")


def member_text(path: str | Path, name: str) -> str:
    with zipfile.ZipFile(path) as zf:
        return zf.read(name).decode("utf-8")
