"""A pandas face: a master's figures and its activity log as DataFrames.

``figures`` gives every number of the target/process sheets as one tidy frame (rep,
month, key, value).  It does not compute them again: it lays the team workbook out
(``xlsales.layout.workbook``) and reads the values its cells carry, the very values a
build caches in the files, so a frame and a workbook of the same master and as-of date
cannot disagree.  ``read_log`` gives the validated activity log, typed.

Like ``cli.py`` this is a face: it may use every room, and no room uses it.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from typing import TYPE_CHECKING

from xlsales.compute.annual_plan import planned
from xlsales.compute.engine import period_months
from xlsales.layout.process import figure_keys, month_columns, process_row_index
from xlsales.layout.workbook import layout_workbook, process_sheets
from xlsales.model import Master
from xlsales.texts import check_lang
from xlsales.validate.master import read_master

if TYPE_CHECKING:
    import pandas as pd

# pandas is imported inside the functions: it takes longer to import than the rest of
# xlsales, and the CLI and the add-in start without it.


def figures(master: Master, *, as_of: dt.date | None = None, lang: str | None = None) -> pd.DataFrame:
    """Every figure of the target/process sheets of ``master`` as a tidy DataFrame.

    One row per sheet (the team's, then each member's) x month of the period x numeric
    row of the sheet, with the values the built workbooks hold (DOMAIN.md §8).

    Parameters
    ----------
    master : Master
        A validated master (``read_master``).
    as_of : date, optional
        The report date (DOMAIN.md §5); default today, as for ``build``.
    lang : {"ja", "en"}, optional
        The language the sheets are laid out in (default: the master's 言語 setting).
        Keys and values do not depend on it; it is checked as ``build`` checks it.

    Returns
    -------
    pandas.DataFrame
        Columns:

        - ``rep`` (string): the member, or ``""`` for the team's totals;
        - ``month`` (datetime64[ns]): the first day of the month;
        - ``key`` (string): the row, by the keys of the layout: ``sales_target``,
          ``sales``, ``achievement``, ``cum_sales_target``, ``cum_sales``,
          ``cum_achievement``, ``last_year_sales``, ``yoy``, ``orders``, ``unit_price``, ``open_amount``, ...,
          ``visits``, ``new_topics``, ``new_deals``, ``win_rate``, ``forecast``,
          ``visits_target``, ``visits_achievement``, ..., ``lost_forever``;
        - ``value`` (float64): NaN where the sheet's cell is blank (a month after the
          as-of date, a ratio whose denominator is zero, a month without a target).

        Rows are ordered by rep (team first, then members in the master's order), month
        and sheet row.  Not included: the names of the three largest opportunities
        (商談◯1…), the total (合計) column and the benchmark column.

    See Also
    --------
    read_log : the activity log as a DataFrame.

    Examples
    --------
    >>> import datetime, xlsales
    >>> df = xlsales.figures(xlsales.demo_master(), as_of=datetime.date(2026, 12, 31))
    >>> sales = df[(df.rep == "佐藤 健太") & (df.key == "sales")]
    >>> sales.set_index("month").value["2026-07"].tolist()
    [120.0]
    >>> team = df[df.rep == ""].pivot(index="key", columns="month", values="value")
    """
    import pandas as pd

    as_of = as_of or dt.date.today()
    lang = check_lang(lang or master.settings.language)
    reps = [m.rep for m in master.members]
    book = layout_workbook(planned(master, as_of), reps, as_of=as_of, lang=lang, team=True)
    row_of = process_row_index()
    keys = figure_keys()
    columns = month_columns(period_months(master.settings, as_of))
    out: dict[str, list] = {"rep": [], "month": [], "key": [], "value": []}
    for rep, sheet in process_sheets(book, reps, team=True).items():
        for month, col in columns.items():
            for key in keys:
                value = sheet.cells[(row_of[key], col)].value
                out["rep"].append(rep)
                out["month"].append(month)
                out["key"].append(key)
                # A blank cell is "" (a formula's empty result) or None (no value at all).
                out["value"].append(float(value) if isinstance(value, (int, float)) else math.nan)
    return pd.DataFrame({
        "rep": pd.array(out["rep"], dtype="string"),
        "month": pd.to_datetime(out["month"]).astype("datetime64[ns]"),
        "key": pd.array(out["key"], dtype="string"),
        "value": pd.array(out["value"], dtype="float64"),
    })


def read_log(path: str | os.PathLike, *, log: str | os.PathLike | None = None) -> pd.DataFrame:
    """The validated activity log of a master workbook as a typed DataFrame.

    Parameters
    ----------
    path : str or os.PathLike
        The master workbook, read and validated by ``read_master``.
    log : str or os.PathLike, optional
        A CSV activity log that replaces the master's log sheet (as for ``read_master``).

    Returns
    -------
    pandas.DataFrame
        One row per event, in the order of the log, with the fields of ``Event``:

        - ``id``, ``rep`` (string);
        - ``date`` (datetime64[ns]);
        - ``activity`` (string): the key (``visit``, ``topic``, ``order``, ...), not the
          label the sheet shows; ``lost_reason`` (string): ``now``, ``forever`` or <NA>;
        - ``customer``, ``note`` (string): <NA> where the cell is blank;
        - ``amount`` (float64): NaN where there is none;
        - ``close_month`` (datetime64[ns]): the first day of the month, NaT where none.

    Raises
    ------
    InputError
        The file cannot be read, or a required sheet is missing.
    ValidationError
        Some rows break the rules; ``err.problems`` lists every one of them.

    See Also
    --------
    figures : the figures of the target/process sheets.

    Examples
    --------
    >>> import xlsales
    >>> df = xlsales.read_log("master.xlsx")  # doctest: +SKIP
    >>> df.groupby([df.date.dt.to_period("M"), "activity"]).size().unstack(fill_value=0)  # doctest: +SKIP
    >>> df[df.activity == "order"].groupby("rep").amount.sum()  # doctest: +SKIP
    """
    import pandas as pd

    events = read_master(path, log=log).events

    def text(values: list[str | None]) -> pd.api.extensions.ExtensionArray:
        # The model keeps "" for a blank text cell; a frame says missing.
        return pd.array([v or None for v in values], dtype="string")

    def dates(values: list[dt.date | None]) -> pd.Series:
        return pd.Series(pd.to_datetime(values), dtype="datetime64[ns]")

    return pd.DataFrame({
        "id": text([e.id for e in events]),
        "date": dates([e.date for e in events]),
        "rep": text([e.rep for e in events]),
        "activity": text([e.activity for e in events]),
        "customer": text([e.customer for e in events]),
        "amount": pd.array([math.nan if e.amount is None else float(e.amount) for e in events], dtype="float64"),
        "lost_reason": text([e.lost_reason for e in events]),
        "close_month": dates([e.close_month for e in events]),
        "note": text([e.note for e in events]),
    })
