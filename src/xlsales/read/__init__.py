"""Read: the raw cells of a master workbook or a CSV log, lined up with their columns.

- ``cells``: workbook (python-calamine) and CSV (UTF-8, cp932) readers, the package
  checks that refuse hostile files before anything is parsed; a sheet's rows as a list or,
  for the log of ``read_master``, one at a time (``RowStream``).
"""
