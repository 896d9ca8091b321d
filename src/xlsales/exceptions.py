"""Exceptions raised by xlsales.

    XlsalesError                 base of everything xlsales raises on purpose
    ├── InputError               a file cannot be read at all (missing, corrupt, wrong kind)
    ├── ValidationError          the file was read, and some rows break DOMAIN.md's rules
    │   └── LogTableError        rows of a log range handed to a worksheet function break them (also ValueError)
    ├── CellError                one argument of a worksheet function cannot be read (also ValueError)
    ├── PlanError                a reverse-plan input is missing or out of range (also ValueError)
    ├── AddinError               the Excel add-in cannot be built or installed
    └── CollectError             returned workbooks cannot be merged into the master, or the result not written

Every one carries its message in Japanese and English (``err.message("ja")``), from
``workbook_templates/messages.json``; ``str(err)`` is the English one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from xlsales.texts import check_lang, labels, message_text


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: where it is and why (a message key and its params)."""

    sheet: str
    row: int | None  # 1-based row number as Excel shows it; None for a whole sheet/file
    column: str | None  # the header text of the column, as found in the file
    value: object
    reason: str  # a key of messages.json
    params: dict = field(default_factory=dict, compare=False, hash=False)

    def message(self, lang: str = "ja") -> str:
        """``シート「活動ログ」 12行目 「金額」: ...`` in the user's language."""
        reason = message_text(self.reason, lang, **self.params)
        where = message_text(
            "where_cell" if self.row is not None else "where_sheet",
            lang,
            sheet=self.sheet,
            row=self.row,
            column=self.column or "-",
        )
        value = "" if self.value in (None, "") else message_text("value_was", lang, value=_short(self.value))
        return f"{where}: {reason}{value}"


def _short(value: object, limit: int = 60) -> str:
    s = str(value)
    return s if len(s) <= limit else s[:limit] + "…"


class XlsalesError(Exception):
    """Base class of the errors xlsales raises on purpose."""

    def message(self, lang: str = "ja") -> str:  # pragma: no cover - overridden
        return str(self)


class InputError(XlsalesError):
    """A file cannot be read at all."""

    def __init__(self, key: str, **params: object) -> None:
        self.key = key
        self.params = params
        super().__init__(self.message("en"))

    def message(self, lang: str = "ja") -> str:
        return message_text(self.key, lang, **self.params)


class ValidationError(XlsalesError):
    """Rows of the input break the rules; ``problems`` lists every one of them."""

    def __init__(self, problems: list[Problem], source: str = "") -> None:
        self.problems = list(problems)
        self.source = source  # the file's name, when there is one
        super().__init__(self.message("en"))

    def message(self, lang: str = "ja") -> str:
        if self.source:
            head = message_text("n_problems_in", lang, n=len(self.problems), path=self.source)
        else:
            head = message_text("n_problems", lang, n=len(self.problems))
        return "\n".join([head, *(p.message(lang) for p in self.problems)])


class LogTableError(ValidationError, ValueError):
    """Rows of a log range break DOMAIN.md §3's rules; ``problems`` lists every one."""

    def message(self, lang: str = "ja") -> str:
        """One line per problem: ``シート「活動ログ」 5行目 「金額」: ...``."""
        return "\n".join(p.message(lang) for p in self.problems)


class CellError(XlsalesError, ValueError):
    """One argument of a worksheet function cannot be read.

    ``argument`` is the argument's name as the function wizard shows it; ``reason`` is a
    key of messages.json with its ``params``.
    """

    def __init__(self, argument: str, reason: str, **params: object) -> None:
        self.argument = argument
        self.reason = reason
        self.params = params
        super().__init__(self.message("en"))

    def message(self, lang: str = "ja") -> str:
        return f"{self.argument}: {message_text(self.reason, lang, **self.params)}"


class PlanError(XlsalesError, ValueError):
    """A reverse-plan input is missing or out of range; ``name`` is the argument."""

    def __init__(self, key: str, name: str) -> None:
        self.key = key  # a key of messages.json
        self.name = name  # a key of labels.json section "plan_input", or a name shown as it is
        super().__init__(self.message("en"))

    def message(self, lang: str = "ja") -> str:
        lang = check_lang(lang)
        name = labels("plan_input", lang).get(self.name, self.name)
        return message_text(self.key, lang, name=name)


class AddinError(XlsalesError):
    """The add-in cannot be built or installed; ``key`` of messages.json says why."""

    def __init__(self, key: str, **params: object) -> None:
        self.key = key
        self.params = params
        super().__init__(self.message("en"))

    def message(self, lang: str = "ja") -> str:
        # Stripped: the output xlwings printed, put at the end of a message, may be empty.
        return message_text(self.key, lang, **self.params).strip()


class CollectError(XlsalesError):
    """Returned workbooks cannot be merged, or the merged master cannot be written; ``key``
    of messages.json says why.  The master is left as it was."""

    def __init__(self, key: str, **params: object) -> None:
        self.key = key
        self.params = params
        super().__init__(self.message("en"))

    def message(self, lang: str = "ja") -> str:
        return message_text(self.key, lang, **self.params)
