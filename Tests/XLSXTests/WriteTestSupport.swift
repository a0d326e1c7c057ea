import Foundation

/// Runs python3 with `script` and `arguments`; nil when python3 cannot be started.
func writeTestPython(_ script: String, _ arguments: [String]) -> (status: Int32, stdout: String, stderr: String)? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script] + arguments
    let out = Pipe()
    // stderr to a file: reading one pipe to its end while the other fills could block the child.
    let errPath = NSTemporaryDirectory() + "xlsx-write-stderr-\(UUID().uuidString)"
    _ = FileManager.default.createFile(atPath: errPath, contents: nil)
    defer { try? FileManager.default.removeItem(atPath: errPath) }
    guard let err = FileHandle(forWritingAtPath: errPath) else { return nil }
    process.standardOutput = out
    process.standardError = err
    do { try process.run() } catch { return nil }
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    try? err.close()
    let stderr = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
    return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), stderr)
}

/// Whether python3 can import `module`.
func writeTestPythonHas(_ module: String) -> Bool {
    writeTestPython("import \(module)", [])?.status == 0
}

/// A fresh directory for one test's files.
func writeTestDirectory() -> String {
    let path = NSTemporaryDirectory() + "xlsx-write-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Reads every sheet of a workbook with openpyxl and python-calamine, as JSON
/// `{"openpyxl": {sheet: rows}, "calamine": {sheet: rows}}` with each cell `n:NUMBER`,
/// `s:TEXT` or null. openpyxl hands back texts as stored, ECMA-376's `_xHHHH_` escapes
/// included (Part 1, 22.9.2.19); the script decodes them as Excel does. Calamine decodes them
/// itself.
let writeTestReadBackScript = #"""
import json, re, sys
import openpyxl
from python_calamine import CalamineWorkbook

def ecma(text):
    return re.sub(r'_x([0-9A-Fa-f]{4})_', lambda m: chr(int(m.group(1), 16)), text)

def cell(value, decode):
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "b:%s" % value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (int, float)):
        return "n:%s" % value
    if isinstance(value, str):
        return "s:" + (ecma(value) if decode else value)
    return "o:%r" % (value,)

path = sys.argv[1]
out = {"openpyxl": {}, "calamine": {}}
book = openpyxl.load_workbook(path)
for sheet in book.worksheets:
    out["openpyxl"][sheet.title] = [[cell(v, True) for v in row] for row in sheet.iter_rows(values_only=True)]
calamine = CalamineWorkbook.from_path(path)
for name in calamine.sheet_names:
    out["calamine"][name] = [[cell(v, False) for v in row] for row in calamine.get_sheet_by_name(name).to_python(skip_empty_area=False)]
print(json.dumps(out))
"""#
