/// The rows of one column that share one validation, gathered as the rows stream by and kept
/// as runs ("L2:L6 L9 L12:L40"), so one `<dataValidation>` covers them all and the file stays
/// small.
struct WriteRanges {
    /// Column letters.
    let column: [UInt8]
    /// Closed runs of rows, first to last.
    private(set) var runs: [(first: Int, last: Int)] = []

    init(column: [UInt8]) {
        self.column = column
    }

    /// Adds `row`; rows arrive in increasing order.
    mutating func add(_ row: Int) {
        if let last = runs.last, last.last + 1 == row {
            runs[runs.count - 1].last = row
        } else {
            runs.append((row, row))
        }
    }

    /// The `sqref` texts, at most `limit` runs each.
    func references(limit: Int) -> [[UInt8]] {
        var pieces: [[UInt8]] = []
        var start = 0
        while start < runs.count {
            var xml = WriteXML()
            for (offset, run) in runs[start..<min(start + limit, runs.count)].enumerated() {
                if offset > 0 { xml.raw(" ") }
                xml.raw(column)
                xml.number(run.first)
                if run.last != run.first {
                    xml.raw(":")
                    xml.raw(column)
                    xml.number(run.last)
                }
            }
            pieces.append(xml.bytes)
            start += limit
        }
        return pieces
    }
}
