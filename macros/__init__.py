"""VBA source (.bas/.cls text) of the xlsales Excel add-in.

This folder ships inside the installed package as ``xlsales._macros`` (see
pyproject.toml); xlsales.excel.xlam puts every module of it into xlsales.xlam.
The file makes it a regular package, which editable installs find as well as
wheels do.
"""
