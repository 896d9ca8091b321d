"""Text sources of the xlsales Excel add-in's ribbon (buttons.json, ribbon.xml.j2).

This folder ships inside the installed package as ``xlsales._addin_files`` (see
pyproject.toml); xlsales.excel.ribbon_spec reads it with importlib.resources.  The file
makes it a regular package, which editable installs find as well as wheels do.
"""
