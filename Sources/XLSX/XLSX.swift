/// Excel workbooks (Office Open XML, ECMA-376) read as a stream of rows and written with the
/// guard rails a reviewer's sheet needs. Archive work stays inside synchronous functions that
/// return this module's own types: ZIPFoundation is not `Sendable`.
public enum XLSX {}
