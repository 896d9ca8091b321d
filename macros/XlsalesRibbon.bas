Attribute VB_Name = "XlsalesRibbon"
' The xlsales ribbon dispatcher (source of truth: macros/XlsalesRibbon.bas in git;
' xlsales.excel.xlam puts it into xlsales.xlam, never edit it inside the add-in).
'
' Every button of the xlsales tab (addin/buttons.json, rendered into the add-in's
' customUI) has onAction="XlsalesRibbon.OnButton": one VBA entry point, so adding a
' button means a line in buttons.json and a Python handler, never new VBA. The
' button's id goes to Python, and xlsales.excel.ribbon.on_ribbon does the work on the
' active workbook (RunPython hands it over as xlwings.Book.caller()).
'
' RunPython is the public API of the "xlwings" module of this VBA project, which
' comes with xlwings' quickstart_addin_ribbon.xlam template. Its PROJECT_NAME is
' set to "xlsales", so settings such as Interpreter_Win come from an xlsales.conf
' sheet or from xlwings' config file of that name (Windows:
' %USERPROFILE%\.xlsales\xlsales.conf), as xlwings documents for custom add-ins.
'
' The Sub is not named after its module: VBA cannot run a procedure that has the
' name of its own module unqualified, and the qualified onAction also keeps the
' call away from any same-named macro of another open add-in.
'
' Keep this file ASCII: the VBA project's code page is Windows-1252.
Option Explicit

Public Sub OnButton(control As IRibbonControl)
    ' control.Id is an id of buttons.json, which the build checks against
    ' [A-Za-z][A-Za-z0-9_]*: it cannot break out of the quoted Python string.
    RunPython "import xlsales.excel.ribbon; xlsales.excel.ribbon.on_ribbon('" & control.Id & "')"
End Sub
