"""Texts and styles of xlsales, kept at the top of the repo as the project's layout asks.

This folder ships inside the installed package as ``xlsales.workbook_templates`` (see
pyproject.toml); code reads its files with ``importlib.resources``:

- ``labels.json``: every label a workbook shows, by section and key, in ja and en;
- ``messages.json``: every message a user reads (errors, the add-in's message boxes);
- ``styles.json``: the named cell styles of the generated workbooks, in keys of our own
  (``xlsales.layout.styles`` reads and checks them; each backend converts them);
- ``howto.{ja,en}.txt``: the 使い方 sheet of the master workbook.
"""
