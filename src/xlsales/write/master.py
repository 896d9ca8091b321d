"""The manager's master workbook (DOMAIN.md §3, §4): written for ``xlsales new`` and ``xlsales demo``.

Sheets, in order: 使い方 (how to use), 活動ログ (table ``ActivityLog``), メンバー
(``Members``), 目標 (``Targets``), 設定 (``Settings``), ベンチマーク (``Benchmark``),
評価設定 (``Weights``: the evaluation weights by grade, DOMAIN.md §7) and a
hidden リスト値 sheet that holds the long drop-down list of benchmark items.
Every data sheet has its header in row 1, frozen, and is an Excel Table (autofilter included), so
the reader finds the columns by their header names and rows a rep appends belong to
the table.

Contract with the reader (``xlsales.validate``):

* headers are the labels of ``labels.json`` sections ``log``, ``members``, ``targets``,
  ``settings`` (項目 / 値), ``benchmark`` and ``weights`` (等級 / 結果 / プロセス), in ``lang``;
* enumerations are written as their labels in ``lang`` (区分, ボツ理由, 等級, 項目);
* dates are real dates (``yyyy/mm/dd``), months are ``YYYY-MM`` text in ``@`` cells,
  numbers are numbers, and every other text is written as a string, never a formula;
* an empty table has one blank data row (XlsxWriter needs one): readers skip blank rows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import math
import os
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from xlsales.layout.names import quote_sheet
from xlsales.layout.styles import Border, base_style, named_styles
from xlsales.model import Event, Master, Member, ReplyBy, Settings, Target
from xlsales.texts import check_lang, label, labels, message_text, template_text
from xlsales.validate.values import closed_days_text
from xlsales.write.files import atomic_path
from xlsales.write.xlsxwriter_backend import Formats, write_plain

__all__ = ["write_master", "MASTER_TABLES", "DROPDOWN_ROWS", "REP_LIST_NAME"]

# Table name of each data sheet (sheet key of labels.json section "sheet" -> table name).
MASTER_TABLES: dict[str, str] = {
    "log": "ActivityLog",
    "members": "Members",
    "targets": "Targets",
    "settings": "Settings",
    "benchmark": "Benchmark",
    "weights": "Weights",
}
# Drop-downs and input checks reach at least this row (1-based), or 2,000 rows below the data.
DROPDOWN_ROWS = 5000
_APPEND_ROOM = 2000
# Defined names the drop-downs refer to.
REP_LIST_NAME = "RepList"
_ITEM_LIST_NAME = "BenchmarkItems"
_REP_LIST_ROWS = 1000  # メンバー!$A$2:$A$1000: room for far more reps than a team has

_TABLE_STYLE = "Table Style Medium 2"
_ROW_KEYS_NOT_BENCHMARKED = ("target_suffix", "achievement_suffix")


# ----------------------------------------------------------------------------------
# Public API.
# ----------------------------------------------------------------------------------


def write_master(path: str | os.PathLike, master: Master | None = None, *, lang: str = "ja") -> Path:
    """Write a manager's master workbook to ``path``, atomically.

    Parameters
    ----------
    path : str or os.PathLike
        The ``.xlsx`` file to write.  Missing folders are created; an existing file is
        replaced only once the new one is complete.
    master : Master, optional
        The contents to write (events, members, targets, settings, benchmarks).  ``None``
        writes a blank master: empty tables, default settings (言語 = ``lang``).
    lang : {"ja", "en"}, default "ja"
        Language of sheet names, headers, drop-down values and the how-to sheet.

    Returns
    -------
    Path
        ``path`` as a :class:`~pathlib.Path`.

    Notes
    -----
    Keys (activity, lost reason, grade, benchmark row) are written as their labels in
    ``lang``.  Events are written in list order; ``Event.row`` is not consulted.  Text
    from the data is always stored as text: a customer called ``=1+1`` stays a string.

    Examples
    --------
    >>> write_master("master.xlsx")  # doctest: +SKIP
    >>> from xlsales.demo import demo_master
    >>> write_master("demo.xlsx", demo_master(), lang="en")  # doctest: +SKIP
    """
    lang = check_lang(lang)
    master = master if master is not None else Master(settings=Settings(language=lang))
    path = Path(path)
    with atomic_path(path) as tmp:
        book = xlsxwriter.Workbook(str(tmp), {
            "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False,
            "default_date_format": "yyyy/mm/dd",
        })
        # The Normal style: cells the user types into get the same font as ours.
        book.formats[0].set_font_name(base_style().font.name)
        _MasterWriter(book, master, lang).write()
        book.close()
    return path


# ----------------------------------------------------------------------------------
# Private API.
# ----------------------------------------------------------------------------------


def text_width(text: object) -> int:
    """Display width of ``text`` in columns: full-width characters count 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))


@functools.lru_cache(maxsize=None)
def _howto_source(lang: str) -> str:
    return template_text(f"howto.{lang}.txt")


def howto_lines(lang: str) -> list[str]:
    """The how-to sheet's text in ``lang``: the template with every label filled in."""
    import jinja2

    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=False,
                             autoescape=False)
    template = env.from_string(_howto_source(lang))
    sections = {name: labels(name, lang) for name in
                ("sheet", "log", "members", "targets", "settings", "benchmark", "weights")}
    text = template.render(act=labels("activity", lang), reason=labels("lost_reason", lang),
                           grade=labels("grade", lang), unit=Settings().amount_unit, **sections)
    return text.strip("\n").splitlines()


def _month_text(d: dt.date | None) -> str | None:
    return d.strftime("%Y-%m") if d else None


class _Column:
    """One column of a data table: header, kind of value, width and input checks."""

    def __init__(self, header: str, kind: str = "text", *, min_width: int = 8, max_width: int = 40) -> None:
        self.header = header
        self.kind = kind  # text | code | date | month | amount | pct | general
        self.min_width = min_width
        self.max_width = max_width


class _MasterWriter:
    def __init__(self, book: xlsxwriter.Workbook, master: Master, lang: str) -> None:
        self.book = book
        self.master = master
        self.lang = lang
        self.sheet_names = labels("sheet", lang)
        self.fmt = Formats(book)

    # -- formats -------------------------------------------------------------------

    def cell_format(self, kind: str, *, border: bool = True) -> Any:
        # kind: text | code | date | month | amount | pct | general, the styles master_<kind>.
        name = "master_" + kind
        if border:
            return self.fmt(name)
        # A column's own format, for the rows a user types below the table: without the grid.
        return self.fmt.of(dataclasses.replace(named_styles()[name], border=Border()))

    def header_format(self) -> Any:
        return self.fmt("head")

    # -- the workbook ----------------------------------------------------------------

    def write(self) -> None:
        names = self.sheet_names
        howto = self.book.add_worksheet(names["howto"])
        log = self.book.add_worksheet(names["log"])
        members = self.book.add_worksheet(names["members"])
        targets = self.book.add_worksheet(names["targets"])
        settings = self.book.add_worksheet(names["settings"])
        benchmark = self.book.add_worksheet(names["benchmark"])
        weights = self.book.add_worksheet(names["weights"])
        lists = self.book.add_worksheet(names["lists"])
        self.book.define_name(REP_LIST_NAME,
                              f"={quote_sheet(names['members'])}!$A$2:$A${_REP_LIST_ROWS}")
        self._howto(howto)
        self._log(log)
        self._members(members)
        self._targets(targets)
        self._settings(settings)
        self._benchmark(benchmark, lists)
        self._weights(weights)
        howto.activate()

    # -- one data table --------------------------------------------------------------

    def table(self, ws: Any, name: str, columns: Sequence[_Column], rows: Sequence[Sequence[object]],
              *, tab_color: str) -> int:
        """Write the table ``name`` at A1 and return the last row (1-based) drop-downs reach."""
        n = len(rows)
        last_data = max(n, 1)  # an empty table keeps one blank data row
        spec_cols = [{"header": c.header, "header_format": self.header_format(),
                      "format": self.cell_format(c.kind)} for c in columns]
        ws.add_table(0, 0, last_data, len(columns) - 1,
                     {"name": name, "style": _TABLE_STYLE, "columns": spec_cols})
        for i, values in enumerate(rows):
            for j, (col, value) in enumerate(zip(columns, values)):
                self.put(ws, i + 1, j, value, col.kind)
        if not rows:
            for j, col in enumerate(columns):
                ws.write_blank(1, j, None, self.cell_format(col.kind))
        for j, col in enumerate(columns):
            # Fit the longest value (full-width characters count 2) within the column's
            # limits, and always the header with its filter button.
            data = max([text_width(_shown(r[j], col.kind)) + 1 for r in rows if r[j] not in (None, "")], default=0)
            width = max(text_width(col.header) + 4, min(max(data, col.min_width), col.max_width))
            ws.set_column(j, j, width, self.cell_format(col.kind, border=False))
        ws.set_row(0, 22)
        ws.freeze_panes(1, 0)
        ws.set_tab_color(tab_color)
        self.print_setup(ws, repeat_header=True)
        return max(DROPDOWN_ROWS, n + 1 + _APPEND_ROOM)

    def put(self, ws: Any, row: int, col: int, value: object, kind: str) -> None:
        write_plain(ws, row, col, value, self.cell_format(kind))

    def print_setup(self, ws: Any, *, repeat_header: bool) -> None:
        ws.set_paper(9)  # A4
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
        ws.set_footer("&L&A&R&P / &N")
        if repeat_header:
            ws.repeat_rows(0)

    # -- data validation helpers -----------------------------------------------------

    def validate_list(self, ws: Any, col: int, last: int, source: list[str] | str, *, error: str,
                      title: str, prompt: str | None = None, stop: bool = True) -> None:
        options: dict[str, Any] = {
            "validate": "list", "source": source, "ignore_blank": True,
            "error_type": "stop" if stop else "warning", "error_title": title[:32], "error_message": error,
        }
        if prompt:
            options.update(input_title=title[:32], input_message=prompt)
        ws.data_validation(1, col, last - 1, col, options)

    def validate_date(self, ws: Any, col: int, last: int, title: str) -> None:
        ws.data_validation(1, col, last - 1, col, {
            "validate": "date", "criteria": "between",
            "minimum": dt.date(2000, 1, 1), "maximum": dt.date(2099, 12, 31), "ignore_blank": True,
            "input_title": title[:32], "input_message": label("master", "date_input", self.lang),
            "error_title": title[:32], "error_message": label("master", "date_error", self.lang),
        })

    def validate_number(self, ws: Any, col: int, last: int, title: str) -> None:
        ws.data_validation(1, col, last - 1, col, {
            "validate": "decimal", "criteria": ">=", "value": 0, "ignore_blank": True,
            "error_title": title[:32], "error_message": label("master", "number_error", self.lang),
        })

    def validate_month(self, ws: Any, col: int, last: int, title: str, prompt_key: str) -> None:
        # A typed 2026-07 stays text in an "@" cell; a pasted date is let through with a warning.
        c = xl_col_to_name(col) + "2"
        ws.data_validation(1, col, last - 1, col, {
            "validate": "custom", "ignore_blank": True, "error_type": "warning",
            "value": f'=AND(LEN({c})=7,MID({c},5,1)="-",ISNUMBER(-LEFT({c},4)),ISNUMBER(-RIGHT({c},2)))',
            "input_title": title[:32], "input_message": label("master", prompt_key, self.lang),
            "error_title": title[:32], "error_message": label("master", "month_error", self.lang),
        })

    def validate_rep(self, ws: Any, col: int, last: int, title: str, prompt_key: str = "rep_input") -> None:
        self.validate_list(ws, col, last, f"={REP_LIST_NAME}", title=title,
                           error=label("master", "rep_error", self.lang),
                           prompt=label("master", prompt_key, self.lang))

    # -- the sheets ------------------------------------------------------------------

    def _log(self, ws: Any) -> None:
        lang, h = self.lang, labels("log", self.lang)
        kinds = {"id": "code", "date": "date", "amount": "amount", "close_month": "month"}
        limits = {"note": (24, 50), "customer": (16, 36), "date": (12, 14), "close_month": (11, 14),
                  "id": (10, 14), "rep": (12, 20)}
        columns = [_Column(h[k], kinds.get(k, "text"), min_width=limits.get(k, (8, 40))[0],
                           max_width=limits.get(k, (8, 40))[1]) for k in h]
        rows = [_event_row(ev, lang) for ev in self.master.events]
        last = self.table(ws, MASTER_TABLES["log"], columns, rows, tab_color="#548235")
        col = {k: i for i, k in enumerate(h)}
        self.validate_date(ws, col["date"], last, h["date"])
        self.validate_rep(ws, col["rep"], last, h["rep"])
        self.validate_list(ws, col["activity"], last, list(labels("activity", lang).values()),
                           title=h["activity"], error=label("master", "list_error", lang))
        self.validate_number(ws, col["amount"], last, h["amount"])
        self.validate_list(ws, col["lost_reason"], last, list(labels("lost_reason", lang).values()),
                           title=h["lost_reason"], error=label("master", "list_error", lang))
        self.validate_month(ws, col["close_month"], last, h["close_month"], "close_input")

    def _members(self, ws: Any) -> None:
        lang, h = self.lang, labels("members", self.lang)
        kinds = {"hire_date": "date", "left_on": "date"}
        limits = {"rep": 14, "team": 12, "grade": 12, "email": 24, "hire_date": 12, "left_on": 12, "leader": 9}
        columns = [_Column(h[k], kinds.get(k, "text"), min_width=limits[k]) for k in h]
        rows = [_member_row(m, lang) for m in self.master.members]
        last = self.table(ws, MASTER_TABLES["members"], columns, rows, tab_color="#2F5597")
        col = {k: i for i, k in enumerate(h)}
        a = xl_col_to_name(col["rep"])
        ws.data_validation(1, col["rep"], last - 1, col["rep"], {
            "validate": "custom", "ignore_blank": True,
            "value": f"=COUNTIF(${a}$2:${a}${last},{a}2)=1",
            "error_title": h["rep"], "error_message": label("master", "rep_duplicate", lang),
        })
        self.validate_list(ws, col["grade"], last, list(labels("grade", lang).values()),
                           title=h["grade"], error=label("master", "list_error", lang))
        self.validate_date(ws, col["hire_date"], last, h["hire_date"])
        self.validate_date(ws, col["left_on"], last, h["left_on"])
        self.validate_list(ws, col["leader"], last, [label("leader_mark", "yes", lang)], title=h["leader"],
                           error=message_text("leader_invalid", lang), stop=False)

    def _targets(self, ws: Any) -> None:
        h = labels("targets", self.lang)
        kinds = {"rep": "text", "month": "month"}
        columns = [_Column(h[k], kinds.get(k, "amount"), min_width=11 if k != "rep" else 14) for k in h]
        rows = [_target_row(t, list(h)) for t in self.master.targets]
        last = self.table(ws, MASTER_TABLES["targets"], columns, rows, tab_color="#BF9000")
        col = {k: i for i, k in enumerate(h)}
        self.validate_rep(ws, col["rep"], last, h["rep"])
        self.validate_month(ws, col["month"], last, h["month"], "month_input")
        for k in list(h)[2:]:
            self.validate_number(ws, col[k], last, h[k])

    def _settings(self, ws: Any) -> None:
        lang, h = self.lang, labels("settings", self.lang)
        keys = [k for k in h if k not in ("item", "value")]
        values = [_setting_value(self.master.settings, k, lang) for k in keys]
        columns = [_Column(h["item"], "text", min_width=18), _Column(h["value"], "general", min_width=14)]
        rows = [[h[k], v] for k, v in zip(keys, values)]
        self.table(ws, MASTER_TABLES["settings"], columns, rows, tab_color="#7F7F7F")
        kinds = {"period_start": "month", "amount_unit": "text", "language": "text", "master_id": "text",
                 "manager_email": "text", "smtp_host": "text", "smtp_security": "text", "mail_from": "text",
                 "closed_days": "text", "weight_deal_a": "pct", "weight_deal_b": "pct", "retention": "pct",
                 "last_year_sales": "amount", "annual_target": "amount", "unit_price": "amount",
                 "win_rate": "pct", "deal_rate": "pct", "topic_rate": "pct", "appointment_rate": "pct",
                 "achievement_cap": "pct"}
        for i, (k, v) in enumerate(zip(keys, values), start=1):
            kind = kinds.get(k, "general")
            self.put(ws, i, 1, v, kind)
            options: dict[str, Any] = {"validate": "any"}
            if k == "fiscal_year_start":
                options = {"validate": "integer", "criteria": "between", "minimum": 1, "maximum": 12}
            elif k == "period_months":
                options = {"validate": "integer", "criteria": "between", "minimum": 1, "maximum": 36}
            elif k in ("weight_deal_a", "weight_deal_b"):
                options = {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 1}
            elif k in ("retention", "last_year_sales"):
                options = {"validate": "decimal", "criteria": ">=", "value": 0}
            elif k == "language":
                options = {"validate": "list", "source": ["ja", "en"]}
            elif k == "smtp_security":
                options = {"validate": "list", "source": ["STARTTLS", "SSL", "none"]}
            elif k in ("win_rate", "deal_rate", "topic_rate", "appointment_rate"):
                options = {"validate": "decimal", "criteria": "between", "minimum": 0.0001, "maximum": 1}
            elif k in ("annual_target", "unit_price", "list_rate"):
                options = {"validate": "decimal", "criteria": ">", "value": 0}
            elif k == "achievement_cap":
                options = {"validate": "decimal", "criteria": ">=", "value": 1}
            elif k == "stale_days":
                options = {"validate": "integer", "criteria": ">=", "value": 1}
            elif k == "smtp_port":
                options = {"validate": "integer", "criteria": "between", "minimum": 1, "maximum": 65535}
            options.update(ignore_blank=True, input_title=h[k][:32],
                           input_message=label("settings_help", k, lang))
            if options["validate"] != "any":
                options.update(error_title=h[k][:32], error_message=label("settings_help", k, lang))
            ws.data_validation(i, 1, i, 1, options)
        # The help text beside each setting, outside the table (the table stays 項目 / 値).
        note = self.fmt("master_help")
        for i, k in enumerate(keys, start=1):
            ws.write_string(i, 3, label("settings_help", k, lang), note)
        ws.set_column(2, 2, 2)
        ws.set_column(3, 3, 90)

    def _benchmark(self, ws: Any, lists: Any) -> None:
        lang, h = self.lang, labels("benchmark", self.lang)
        row_labels = labels("row", lang)
        rows = [[rep or None, row_labels.get(key, key), value]
                for (rep, key), value in self.master.benchmarks.items()]
        columns = [_Column(h["rep"], "text", min_width=14), _Column(h["item"], "text", min_width=20),
                   _Column(h["value"], "general", min_width=10)]
        last = self.table(ws, MASTER_TABLES["benchmark"], columns, rows, tab_color="#7030A0")
        # Benchmark items: too long for an inline list (Excel stops at 255 characters).
        items = [text for key, text in row_labels.items()
                 if key not in _ROW_KEYS_NOT_BENCHMARKED and not re.search(r"_\d$", key)]
        for r, text in enumerate(items):
            lists.write_string(r, 0, text)
        lists.hide()
        self.book.define_name(_ITEM_LIST_NAME, f"={quote_sheet(self.sheet_names['lists'])}!$A$1:$A${len(items)}")
        self.validate_rep(ws, 0, last, h["rep"], "bench_rep_input")
        self.validate_list(ws, 1, last, f"={_ITEM_LIST_NAME}", title=h["item"],
                           error=label("master", "list_error", lang), prompt=label("master", "bench_item_input", lang))
        ws.data_validation(1, 2, last - 1, 2, {"validate": "decimal", "criteria": ">=", "value": 0,
                                               "ignore_blank": True, "error_title": h["value"],
                                               "error_message": label("master", "number_error", lang)})

    def _weights(self, ws: Any) -> None:
        lang, h = self.lang, labels("weights", self.lang)
        rows = [[label("grade", grade, lang), result, process]
                for grade, (result, process) in self.master.weights.items()]
        columns = [_Column(h["grade"], "text", min_width=22), _Column(h["result"], "pct", min_width=10),
                   _Column(h["process"], "pct", min_width=10)]
        last = self.table(ws, MASTER_TABLES["weights"], columns, rows, tab_color="#C55A11")
        self.validate_list(ws, 0, last, list(labels("grade", lang).values()), title=h["grade"],
                           error=label("master", "list_error", lang))
        for col in (1, 2):
            ws.data_validation(1, col, last - 1, col, {
                "validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 1, "ignore_blank": True,
                "input_title": h["result" if col == 1 else "process"],
                "input_message": label("master", "weight_input", lang),
                "error_title": h["result" if col == 1 else "process"],
                "error_message": label("master", "weight_error", lang)})
        # The help lines beside the table, outside it (the table stays 等級 / 結果 / プロセス).
        note = self.fmt("master_help")
        for i, key in enumerate(("weights_help", "weights_help2", "weights_help3")):
            ws.write_string(i, 4, label("master", key, lang), note)
        ws.set_column(3, 3, 2)
        ws.set_column(4, 4, 100)

    # -- the how-to sheet ------------------------------------------------------------

    def _howto(self, ws: Any) -> None:
        widths = (2, 34, 80)  # margin, term column, text column
        for c, w in enumerate(widths):
            ws.set_column(c, c, w)
        total = widths[1] + widths[2]
        title, intro, heading, th, term, cell, text, command = (self.fmt("howto_" + name) for name in (
            "title", "intro", "heading", "th", "term", "cell", "text", "command"))
        line_h = 18.0

        def lines(s: str, width: int) -> int:
            # Excel does not fit merged or wrapped rows itself: estimate the lines.  In
            # Meiryo UI a kanji is about two digits wide and Latin text a little narrower.
            w = sum(2.0 if unicodedata.east_asian_width(ch) in "WF" else 0.9 for ch in s)
            return max(1, math.ceil(w / max(width - 1, 1)))

        heights: list[float] = []
        headings: set[int] = set()
        for row, raw in enumerate(howto_lines(self.lang)):
            s = raw.rstrip()
            if not s:
                h = 8.0
            elif s.startswith("# "):
                ws.merge_range(row, 1, row, 2, s[2:].strip(), title)
                h = 34.0
            elif s.startswith("> "):
                body = s[2:].strip()
                ws.merge_range(row, 1, row, 2, body, intro)
                h = line_h * lines(body, total) + 6
            elif s.startswith("## "):
                ws.merge_range(row, 1, row, 2, s[3:].strip(), heading)
                headings.add(row)
                h = 24.0
            elif s.startswith("|"):
                is_head = s.startswith("|!")
                parts = [p.strip() for p in s.lstrip("|!").rstrip("|").split("|")]
                a, b = (parts + [""])[:2]
                ws.write_string(row, 1, a, th if is_head else term)
                ws.write_string(row, 2, b, th if is_head else cell)
                h = line_h * max(lines(a, widths[1]), lines(b, widths[2])) + 2
            elif s.startswith("$ "):
                cmd, _, desc = (part.strip() for part in s[2:].partition("|"))
                ws.write_string(row, 1, cmd, command)
                ws.write_string(row, 2, desc, cell)
                h = line_h * max(lines(cmd, widths[1]), lines(desc, widths[2])) + 2
            else:
                body = s
                if s.startswith("- "):
                    body = ("・" if self.lang == "ja" else "•  ") + s[2:].strip()
                ws.merge_range(row, 1, row, 2, body, text)
                h = line_h * lines(body, total) + 2
            ws.set_row(row, h)
            heights.append(h)
        ws.set_h_pagebreaks(_page_breaks(heights, headings, keep_with_heading=3))
        row = len(heights)
        ws.hide_gridlines(2)
        ws.set_tab_color(named_styles()["howto_heading"].fill)  # the headings' blue
        self.print_setup(ws, repeat_header=False)
        ws.print_area(0, 0, max(row - 1, 0), 2)


# Printable height of an A4 landscape page with the margins of print_setup, in points
# (the how-to sheet prints at 100%: its columns fit the width).
_PAGE_HEIGHT = 500.0


def _page_breaks(heights: Sequence[float], headings: set[int], *, keep_with_heading: int) -> list[int]:
    """Rows to break before so that no heading ends a page without its first rows."""
    breaks, used = [], 0.0
    for row, h in enumerate(heights):
        need = sum(heights[row:row + keep_with_heading]) if row in headings else h
        if used and used + need > _PAGE_HEIGHT:
            breaks.append(row)
            used = 0.0
        used += h
    return breaks


def _shown(value: object, kind: str) -> str:
    if isinstance(value, (dt.date, dt.datetime)):
        return "0000/00/00"
    if isinstance(value, float) and kind in ("amount", "general"):
        return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _event_row(ev: Event, lang: str) -> list[object]:
    return [
        ev.id or None, ev.date, ev.rep, label("activity", ev.activity, lang), ev.customer or None,
        ev.amount, label("lost_reason", ev.lost_reason, lang) if ev.lost_reason else None,
        _month_text(ev.close_month), ev.note or None,
    ]


def _member_row(m: Member, lang: str) -> list[object]:
    return [m.rep, m.team or None, label("grade", m.grade, lang) if m.grade else None, m.email or None,
            m.hire_date, m.left_on, label("leader_mark", "yes", lang) if m.leader else None]


def _target_row(t: Target, keys: list[str]) -> list[object]:
    return [t.rep, _month_text(t.month), t.sales_target] + [t.process.get(k) for k in keys[3:]]


def _setting_value(settings: Settings, key: str, lang: str) -> object:
    value = getattr(settings, key)
    if isinstance(value, ReplyBy):  # the forms parse_reply_by reads
        if value.working_days:
            return value.n
        return f"{value.n}日" if lang == "ja" else f"day {value.n}"
    if key == "smtp_security":
        return {"starttls": "STARTTLS", "ssl": "SSL"}.get(value, value)
    if key == "closed_days":
        return closed_days_text(value) or None
    if isinstance(value, dt.date):
        return _month_text(value)
    return value
