"""Write: sheet models rendered to files, each written atomically.

- ``xlsxwriter_backend``: new workbooks; ``openpyxl_backend``: edits of existing files;
- ``build``: the monthly team and per-person workbooks of a master;
- ``checkin``: the check-in workbooks of ``xlsales checkin``;
- ``master``: the manager's master workbook (``xlsales new``, ``xlsales demo``);
- ``files``: atomic writes and file names safe on every system.
"""
