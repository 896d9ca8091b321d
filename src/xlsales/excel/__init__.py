"""The Excel face: the add-in's ribbon, its xlwings adapter, the worksheet functions, the ``.xlam``.

- ``ribbon``: ``on_ribbon``, the entry point the VBA dispatcher calls, and the button table;
- ``handlers``: what each button does, against any ``Book``;
- ``books``: the ``Book`` protocol and ``FileBook`` (a workbook file);
- ``xlwings_book``: ``XlwingsBook``, the workbook open in Excel;
- ``udfs``: the ``XS_*`` worksheet functions;
- ``addin_build``: building and installing ``xlsales.xlam``.
"""
