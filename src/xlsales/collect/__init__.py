"""Collect: the per-person workbooks mailed back by the reps, merged into the master.

The room on top of the flow (it reads, validates, fingerprints and writes):

- ``sources``: the returned ``.xlsx`` files inside the arguments (files, ``.eml`` and
  ``.msg`` mails, folders);
- ``returned``: one returned workbook read: its sent record and its validated log rows;
- ``merge``: what each returned row becomes (added, unchanged, conflict, refused);
- ``package``: the master's zip package edited part by part, nothing else rewritten;
- ``log_sheet``: the 回収ログ sheet (who collected which file when, and the counts);
- ``master``: ``collect`` itself, from the master file and the returned ones to the new master;
- ``adopt``: the annual plan's monthly targets written into the 目標 sheet of a new master
  (``xlsales plan --apply``), with the same package editing.
"""
