"""Lay out: figures become sheet models (cells with formula, cached value and style).

- ``sheetmodel``: the plain model every writer renders;
- ``styles``: the named cell styles the model's cells refer to, in no engine's terms;
- ``process``: the activity-log table and the target/process sheet;
- ``deals``: the deal-hygiene lists (放置案件, 延期・期限切れ, 訪問報告, 今だめ), values at the as-of date;
- ``workbook``: whole workbooks (team, per rep) and the file names of a build;
- ``names``: sheet names made valid and unique by Excel's rules.
"""
