"""The Excel face: the add-in's ribbon, its xlwings adapter, the worksheet functions, the ``.xlam``.

- ``ribbon``: ``on_ribbon``, the entry point the VBA dispatcher calls, and the button table;
- ``handlers``: what each button does, against any ``Book``;
- ``books``: the ``Book`` protocol and ``FileBook`` (a workbook file);
- ``xlwings_book``: ``XlwingsBook``, the workbook open in Excel;
- ``blocks``: a sheet model's cells gathered into rectangles, so Excel is written per block;
- ``udfs``: the ``XS_*`` worksheet functions;
- ``ribbon_spec``: ``addin/buttons.json`` checked, and the ribbon's customUI XML;
- ``xlam``: building ``xlsales.xlam`` (xlwings' template, our VBA and ribbon put in);
- ``install``: installing it into Excel with xlwings' installer.
"""
