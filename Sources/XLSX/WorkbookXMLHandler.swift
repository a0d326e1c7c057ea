/// What a workbook part's reader does with the scanner's tokens. Names are local names: a
/// prefix (`x:row`) is dropped, so prefixed and unprefixed files read alike.
protocol WorkbookXMLHandler: AnyObject {
    /// Whether text between tags is wanted now; when not, it is skipped without decoding.
    var wantsText: Bool { get }
    func startElement(_ name: UnsafeBufferPointer<UInt8>, _ attributes: WorkbookXMLAttributes, selfClosing: Bool) throws(WorkbookReadError)
    func endElement(_ name: UnsafeBufferPointer<UInt8>) throws(WorkbookReadError)
    /// Character data with entities decoded and line ends normalised; one call per run of text
    /// between two tags (CDATA sections arrive as their own calls).
    func text(_ bytes: UnsafeBufferPointer<UInt8>) throws(WorkbookReadError)
}
