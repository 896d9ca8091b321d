"""The Excel add-in's Python side: the entry point of the ribbon's buttons and their table.

The VBA dispatcher of ``macros/XlsalesRibbon.bas`` calls
``xlsales.excel.ribbon.on_ribbon(control_id)`` through xlwings' ``RunPython``.  Each button id
of ``addin/buttons.json`` has a handler in ``HANDLERS`` (a test checks both ways).
Handlers live in ``handlers`` and run against a ``Book``: here the workbook open in
Excel (``xlwings_book.XlwingsBook``), in the tests and the command line a file
(``books.FileBook``).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from xlsales.excel.books import Book
from xlsales.excel.handlers import (
    Outcome,
    ask_month,
    checkin_book,
    collect_book,
    evaluation_book,
    mail_drafts,
    monthly_books,
    plan_book,
    previous_month,
    refresh_book,
    validate_book,
)
from xlsales.excel.xlam import check_addin_version
from xlsales.excel.xlwings_book import XlwingsBook
from xlsales.exceptions import XlsalesError
from xlsales.texts import message_text

Handler = Callable[..., Outcome]


def _validate(book: Book, lang: str, **_: Any) -> Outcome:
    return validate_book(book, lang=lang)


def _refresh(book: Book, lang: str, *, as_of: dt.date | None = None, **_: Any) -> Outcome:
    return refresh_book(book, as_of=as_of or dt.date.today(), lang=lang)


def _monthly(book: Book, lang: str, *, month: dt.date | None = None, **_: Any) -> Outcome:
    return monthly_books(book, month=month or previous_month(dt.date.today()), lang=lang)


def _mail(book: Book, lang: str, *, month: dt.date | None = None, **_: Any) -> Outcome:
    return mail_drafts(book, month=month or previous_month(dt.date.today()), lang=lang)


def _checkin(book: Book, lang: str, *, month: dt.date | None = None, **_: Any) -> Outcome:
    today = dt.date.today()
    return checkin_book(book, month=month or today.replace(day=1), lang=lang, today=today)


def _plan(book: Book, lang: str, **_: Any) -> Outcome:
    return plan_book(book, lang=lang, today=dt.date.today())


def _evaluate(book: Book, lang: str, **_: Any) -> Outcome:
    return evaluation_book(book, lang=lang)


# -- 回収 (collect) --------------------------------------------------------------------------


def _collect(book: Book, lang: str, *, files: list[Path] | None = None, **_: Any) -> Outcome:
    return collect_book(book, files or [], lang=lang)


# -- end 回収 ----------------------------------------------------------------------------


# Ribbon control id -> handler: the ids are those of addin/buttons.json.
HANDLERS: dict[str, Handler] = {
    "xsValidate": _validate,
    "xsRefresh": _refresh,
    "xsMonthly": _monthly,
    "xsMail": _mail,
    "xsCheckin": _checkin,
    "xsPlan": _plan,
    "xsEvaluate": _evaluate,
    # -- 回収 (collect)
    "xsCollect": _collect,
    # -- end 回収
}
# The buttons that ask for a month before they run (Cancel: the button does nothing).
ASKS_MONTH: frozenset[str] = frozenset({"xsMonthly", "xsMail", "xsCheckin"})
# The buttons whose month question proposes this month (the others: the last month that ended).
THIS_MONTH: frozenset[str] = frozenset({"xsCheckin"})
# -- 回収 (collect): the buttons that ask for files before they run (Cancel: nothing happens).
ASKS_FILES: frozenset[str] = frozenset({"xsCollect"})
# -- end 回収


def _lang() -> str:
    env = os.environ.get("XLSALES_LANG", "ja").strip().lower()
    return env if env in ("ja", "en") else "ja"


def run_button(control_id: str, book: Book, *, lang: str | None = None, **options: Any) -> Outcome:
    """Run the handler of a ribbon button against ``book``; XlsalesError passes through."""
    lang = lang or _lang()
    handler = HANDLERS.get(control_id)
    if handler is None:
        raise KeyError(message_text("addin_unknown_button", lang, id=control_id))
    outcome = handler(book, lang, **options)
    if outcome.changed:
        saved = book.save()
        if saved is not None:
            outcome.paths.append(saved)
    return outcome


def on_ribbon(control_id: str, addin_version: str | None = None) -> None:
    """Entry point of the VBA dispatcher: never lets a traceback reach the user.

    ``addin_version`` is the add-in's ``XLWINGS_VERSION``; when it is not the installed
    xlwings, the button says to reinstall the add-in instead of running.
    """
    import xlwings as xw

    lang = _lang()
    book = XlwingsBook(xw.Book.caller())
    try:
        check_addin_version(addin_version)
        options: dict[str, Any] = {}
        if control_id in ASKS_MONTH:
            today = dt.date.today()
            month = ask_month(lambda message, default: book.prompt(message, default, lang), lang, today=today,
                              **({"default_month": today.replace(day=1), "question": "addin_ask_checkin_month"}
                                 if control_id in THIS_MONTH else {}))
            if month is None:
                return
            options["month"] = month
        # -- 回収 (collect)
        if control_id in ASKS_FILES:
            files = book.ask_files(lang)
            if not files:
                return
            options["files"] = files
        # -- end 回収
        outcome = run_button(control_id, book, lang=lang, **options)
        book.alert(outcome.message, lang)
    except XlsalesError as err:
        book.alert(err.message(lang), lang)
    except Exception as err:  # the user gets a reason and where the details are
        log = Path(tempfile.gettempdir()) / "xlsales-addin.log"
        logging.basicConfig(filename=log, level=logging.ERROR)
        logging.error("ribbon %s failed:\n%s", control_id, traceback.format_exc())
        book.alert(message_text("addin_failed", lang, kind=type(err).__name__, log=log), lang)
