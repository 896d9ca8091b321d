"""Compute: DOMAIN.md's figures from validated events; nothing here knows a workbook.

- ``engine``: flows, stocks and stage history per rep and month (DOMAIN.md §5);
- ``deals``: the deal-hygiene lists of DOMAIN.md §9 at an as-of date;
- ``plan``: the reverse plan from an annual target and its spread (DOMAIN.md §6);
- ``formulas``: the sheet's figures as plain Python, for the worksheet functions.
"""
