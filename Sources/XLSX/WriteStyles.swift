/// The workbook's cell formats (`xl/styles.xml`) and the index of each in `cellXfs`, which
/// cells and columns name by their `s`/`style` attribute.
///
/// Text columns use the built-in Text format (49, `@`) so Excel keeps what a reviewer types
/// as typed (`00123`, `2025-03-01`, `=x`); identifier columns use `0` so a 12-digit id is not
/// shown as `1.23457E+11`. Cells a reviewer may change are unlocked (and tinted so they stand
/// out); a read-only row is grey.
enum WriteStyles {
    /// How a cell is shown and protected.
    enum State: Int {
        /// Locked under sheet protection (the default).
        case locked = 0
        /// Unlocked: a reviewer may change it; tinted.
        case unlocked = 1
        /// Locked, in a grey read-only row.
        case shaded = 2
    }

    /// The bold header cells (row 1, and the labels of the `about` sheet).
    static let header = 1

    /// The `cellXfs` index of a cell of `kind` in `state`.
    static func index(_ kind: WriteColumn.Kind, _ state: State) -> Int {
        2 + kindOrdinal(kind) * 3 + state.rawValue
    }

    private static func kindOrdinal(_ kind: WriteColumn.Kind) -> Int {
        switch kind {
        case .text: 0
        case .identifier: 1
        case .number: 2
        }
    }

    private static func numberFormat(_ ordinal: Int) -> Int {
        [49, 1, 0][ordinal]
    }

    /// `xl/styles.xml`. Fonts: 0 regular, 1 bold, 2 grey. Fills: 0 and 1 are the two Excel
    /// reserves (none, gray125), 2 header, 3 editable tint, 4 read-only grey. Borders: 0 none,
    /// 1 thin line under the header.
    static let part: [UInt8] = {
        var xml = WriteXML()
        xml.raw(#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#)
        xml.raw("\r\n")
        xml.raw(#"<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#)
        xml.raw(#"<fonts count="3">"#)
        xml.raw(#"<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>"#)
        xml.raw(#"<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>"#)
        xml.raw(#"<font><sz val="11"/><color rgb="FF808080"/><name val="Calibri"/><family val="2"/></font>"#)
        xml.raw("</fonts>")
        xml.raw(#"<fills count="5">"#)
        xml.raw(#"<fill><patternFill patternType="none"/></fill>"#)
        xml.raw(#"<fill><patternFill patternType="gray125"/></fill>"#)
        xml.raw(#"<fill><patternFill patternType="solid"><fgColor rgb="FFD9E1F2"/><bgColor indexed="64"/></patternFill></fill>"#)
        xml.raw(#"<fill><patternFill patternType="solid"><fgColor rgb="FFFFF2CC"/><bgColor indexed="64"/></patternFill></fill>"#)
        xml.raw(#"<fill><patternFill patternType="solid"><fgColor rgb="FFE7E6E6"/><bgColor indexed="64"/></patternFill></fill>"#)
        xml.raw("</fills>")
        xml.raw(#"<borders count="2">"#)
        xml.raw("<border><left/><right/><top/><bottom/><diagonal/></border>")
        xml.raw(#"<border><left/><right/><top/><bottom style="thin"><color auto="1"/></bottom><diagonal/></border>"#)
        xml.raw("</borders>")
        xml.raw(#"<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>"#)
        xml.raw(#"<cellXfs count="11">"#)
        xml.raw(#"<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>"#)
        xml.raw(#"<xf numFmtId="49" fontId="1" fillId="2" borderId="1" xfId="0" applyNumberFormat="1" applyFont="1" applyFill="1" applyBorder="1"/>"#)
        for kind in 0..<3 {
            let format = numberFormat(kind)
            for state in 0..<3 {
                xml.raw(#"<xf numFmtId=""#)
                xml.number(format)
                switch state {
                case State.unlocked.rawValue:
                    xml.raw(#"" fontId="0" fillId="3" borderId="0" xfId="0" applyNumberFormat="1" applyFill="1" applyProtection="1"><protection locked="0"/></xf>"#)
                case State.shaded.rawValue:
                    xml.raw(#"" fontId="2" fillId="4" borderId="0" xfId="0" applyNumberFormat="1" applyFont="1" applyFill="1"/>"#)
                default:
                    xml.raw(#"" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>"#)
                }
            }
        }
        xml.raw("</cellXfs>")
        xml.raw(#"<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>"#)
        xml.raw(#"<dxfs count="0"/><tableStyles count="0" defaultTableStyle="TableStyleMedium2" defaultPivotStyle="PivotStyleLight16"/>"#)
        xml.raw("</styleSheet>")
        return xml.bytes
    }()
}
