extension AssessmentUpdate {
    /// The PATCH body, compact JSON appended to `out`: only the fields the input sets, in the
    /// API's documented order (written directly, without building a JSON tree).
    func appendPatchBody(to out: inout [UInt8]) {
        var first = true
        func key(_ name: StaticString) {
            out.append(first ? UInt8(ascii: "{") : UInt8(ascii: ","))
            first = false
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            out.append(contentsOf: "\":".utf8)
        }
        if let text = fields.aiSummary {
            key("aiSummary")
            JSONWriter.appendEscaped(text, into: &out)
        }
        if let text = fields.supervisorAssessment {
            key("supervisorAssessment")
            JSONWriter.appendEscaped(text, into: &out)
        }
        if let date = fields.assessmentDate {
            key("assessmentDate")
            JSONWriter.appendEscaped(date.description, into: &out)
        }
        if let date = fields.discussionDate {
            key("discussionDate")
            JSONWriter.appendEscaped(date.description, into: &out)
        }
        if !criteria.isEmpty {
            key("criteria")
            out.append(UInt8(ascii: "["))
            for (index, criterion) in criteria.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: "{\"categoryId\":".utf8)
                appendDecimal(criterion.categoryId, to: &out)
                out.append(contentsOf: ",\"criterionId\":".utf8)
                appendDecimal(criterion.criterionId, to: &out)
                if let score = criterion.score {
                    out.append(contentsOf: ",\"score\":".utf8)
                    appendDecimal(score, to: &out)
                }
                if let reason = criterion.reason {
                    out.append(contentsOf: ",\"reason\":".utf8)
                    JSONWriter.appendEscaped(reason, into: &out)
                }
                out.append(UInt8(ascii: "}"))
            }
            out.append(UInt8(ascii: "]"))
        }
        if let state = fields.state {
            key("state")
            JSONWriter.appendEscaped(state.rawValue, into: &out)
        }
        out.append(contentsOf: first ? "{}".utf8 : "}".utf8)
    }
}

/// Appends `value` in decimal, as `String(value)` spells it.
func appendDecimal(_ value: Int, to out: inout [UInt8]) {
    if value < 0 { out.append(UInt8(ascii: "-")) }
    var magnitude = value.magnitude
    var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                 UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    var count = 0
    withUnsafeMutableBytes(of: &digits) { buffer in
        repeat {
            buffer[19 - count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
            count += 1
        } while magnitude > 0
        out.append(contentsOf: buffer[(20 - count)...])
    }
}
