"""Validate: raw cells become a ``Master`` of typed rows, or every problem at once.

- ``master``: ``read_master``/``validate_master`` (files) and ``read_grids``/
  ``validate_grids`` (the workbook open in Excel), sheet by sheet and row by row;
- ``values``: one cell read as a date, month, number, text or choice (``BadValue`` if not).
"""
