"""The returned workbooks inside what the user names: ``.xlsx`` files, mails, folders.

- an ``.xlsx`` (or ``.xlsm``: refused later, with its reason) is itself;
- an ``.eml`` (RFC 5322) gives its ``.xlsx`` attachments, read with the standard ``email``
  package (RFC 2231 file names included);
- an Outlook ``.msg`` gives its ``.xlsx`` attachments, read with ``extract-msg``;
- a folder gives the files of those kinds directly in it, by name.

Attachments are written to ``workdir`` and named ``mail.eml: book.xlsx`` in reports.
"""

from __future__ import annotations

import email
import email.policy
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from xlsales.exceptions import InputError

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
KINDS = (*WORKBOOK_SUFFIXES, ".eml", ".msg")


@dataclass(frozen=True)
class Source:
    """A returned workbook on disk, and the name it is reported by."""

    name: str
    path: Path


def returned_files(args: Iterable[str | os.PathLike], workdir: str | os.PathLike) -> tuple[list[Source],
                                                                                         list[tuple[str, InputError]]]:
    """The workbooks found in ``args``, and the mails or files that gave none (with why).

    Parameters
    ----------
    args : iterable of paths
        Files (``.xlsx``, ``.eml``, ``.msg``) and folders of them.
    workdir : path
        An existing folder where attachments are written.
    """
    workdir = Path(workdir)
    found: list[Source] = []
    failed: list[tuple[str, InputError]] = []
    for arg in args:
        path = Path(arg)
        paths = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in KINDS) \
            if path.is_dir() else [path]
        for p in paths:
            try:
                found.extend(_workbooks(p, workdir / f"{len(found) + len(failed):04d}"))
            except InputError as err:
                failed.append((p.name, err))
    return found, failed


def _workbooks(path: Path, folder: Path) -> list[Source]:
    suffix = path.suffix.lower()
    if not path.is_file():
        raise InputError("input_missing", path=str(path))
    if suffix == ".eml":
        attachments = _eml_attachments(path)
    elif suffix == ".msg":
        attachments = _msg_attachments(path)
    else:
        return [Source(path.name, path)]
    out = []
    for name, data in attachments:
        if Path(name).suffix.lower() not in WORKBOOK_SUFFIXES:
            continue
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{len(out):02d}{Path(name).suffix.lower()}"  # the rep's name may not be a valid path
        target.write_bytes(data)
        out.append(Source(f"{path.name}: {Path(name).name}", target))
    if not out:
        raise InputError("collect_no_attachment", path=path.name)
    return out


def _eml_attachments(path: Path) -> list[tuple[str, bytes]]:
    try:
        with open(path, "rb") as fh:
            msg = email.message_from_binary_file(fh, policy=email.policy.default)
        return [(part.get_filename() or "", part.get_payload(decode=True) or b"")
                for part in msg.walk() if part.get_filename()]
    except (ValueError, LookupError, UnicodeError) as err:
        raise InputError("collect_mail_unreadable", path=path.name, detail=str(err)[:200]) from None


def _msg_attachments(path: Path) -> list[tuple[str, bytes]]:
    import extract_msg

    try:
        msg = extract_msg.openMsg(str(path))
    except Exception as err:  # extract-msg raises its own kinds and OSError: all say "not readable"
        raise InputError("collect_mail_unreadable", path=path.name, detail=f"{type(err).__name__}: {err}"[:200]) \
            from None
    try:
        out = []
        for att in msg.attachments:
            name = getattr(att, "longFilename", None) or getattr(att, "shortFilename", None) or ""
            data = getattr(att, "data", None)
            if isinstance(data, bytes):
                out.append((name, data))
        return out
    finally:
        msg.close()
