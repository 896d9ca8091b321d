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
' set to "xlsales", so settings come from the add-in's xlsales.conf sheet (UDF
' Modules only) and from xlwings' user config file of that name, which
' "xlsales addin install" writes (Windows: %USERPROFILE%\.xlsales\xlsales.conf; Mac:
' ~/Library/Containers/com.microsoft.Excel/Data/xlsales.conf), as xlwings' GetConfig
' reads them.
'
' XLWINGS_VERSION, a Public Const of the "xlwings" module, is the xlwings version
' this add-in was built with: its VBA calls that version's DLL (Windows) or
' AppleScript (Mac). OnButton passes it to Python, which says to reinstall the add-in
' when the installed xlwings differs. On a Mac a missing script fails in VBA before
' Python starts, so OnButton looks for it first.
'
' The Sub is not named after its module: VBA cannot run a procedure that has the
' name of its own module unqualified, and the qualified onAction also keeps the
' call away from any same-named macro of another open add-in.
'
' Keep this file ASCII: the VBA project's code page is Windows-1252.
Option Explicit

' What OnButton says on a Mac when this add-in's RunPython script is missing: the
' message "addin_mac_script_missing" of workbook_templates/messages.json in English
' and Japanese ("{version}" is replaced by XLWINGS_VERSION). The Japanese text is kept
' as its UTF-16 code units, four hex digits a character, because this file must stay
' ASCII; tests/excel/test_addin_proof.py checks both against messages.json.
Private Const MAC_SCRIPT_MISSING_EN As String = _
    "The xlsales add-in is for xlwings {version}, but its RunPython script xlwings-{version}.applescript is not on this Mac. Quit Excel, run xlsales addin install in Terminal, and open Excel again."
Private Const MAC_SCRIPT_MISSING_JA As String = _
    "0078006C00730061006C00650073002030A230C930A430F3306F00200078006C00770069006E006700730020" & _
    "007B00760065007200730069006F006E007D0020752830673059304C3001305D306E002000520075006E0050" & _
    "007900740068006F006E0020752830B930AF30EA30D730C800200078006C00770069006E00670073002D007B" & _
    "00760065007200730069006F006E007D002E006100700070006C00650073006300720069007000740020304C" & _
    "3053306E0020004D006100630020306B3042308A307E305B309330020045007800630065006C002030927D42" & _
    "4E863057300130BF30FC30DF30CA30EB306700200078006C00730061006C0065007300200061006400640069" & _
    "006E00200069006E007300740061006C006C002030925B9F884C30573066304B308900200045007800630065" & _
    "006C00203092958B304D76F430573066304F3060305530443002"

Public Sub OnButton(control As IRibbonControl)
    #If Mac Then
        If Not MacScriptInstalled() Then
            MsgBox MacScriptMissing(), vbCritical, "xlsales"
            Exit Sub
        End If
    #End If
    ' control.Id is an id of buttons.json, which the build checks against
    ' [A-Za-z][A-Za-z0-9_]*, and XLWINGS_VERSION is digits and dots: neither can
    ' break out of the quoted Python strings.
    RunPython "import xlsales.excel.ribbon; xlsales.excel.ribbon.on_ribbon('" & control.Id & "', '" & XLWINGS_VERSION & "')"
End Sub

#If Mac Then
Private Function MacScriptInstalled() As Boolean
    ' RunPython calls AppleScriptTask("xlwings-" & XLWINGS_VERSION & ".applescript"),
    ' a script that xlwings' "runpython install" (run by "xlsales addin install")
    ' copies into ~/Library/Application Scripts/com.microsoft.Excel. After a pip
    ' upgrade of xlwings without reinstalling the add-in, only another version's
    ' script is there. GetMacDir("$HOME", True) is xlwings' own way to the home
    ' folder outside Excel's sandbox.
    Dim folder As String
    folder = GetMacDir("$HOME", True)
    If Right$(folder, 1) <> "/" Then folder = folder & "/"
    folder = folder & "Library/Application Scripts/com.microsoft.Excel/"
    On Error GoTo CannotLook
    MacScriptInstalled = (Dir(folder & "xlwings-" & XLWINGS_VERSION & ".applescript") <> "")
    Exit Function
CannotLook:
    ' When Excel cannot look, let RunPython try: xlwings says what to run if it fails.
    MacScriptInstalled = True
End Function

Private Function MacScriptMissing() As String
    Dim ja As String, i As Long
    For i = 1 To Len(MAC_SCRIPT_MISSING_JA) Step 4
        ja = ja & ChrW(CLng("&H" & Mid$(MAC_SCRIPT_MISSING_JA, i, 4)))
    Next i
    MacScriptMissing = Replace(MAC_SCRIPT_MISSING_EN & vbLf & vbLf & ja, "{version}", XLWINGS_VERSION)
End Function
#End If
