import StrictJSON

/// Reads `plan.json` as the parser walks it: the root's small members are kept as a tree, but
/// each entry of `assessments` becomes a ``PlannedWrite`` or a decided outcome as soon as it is
/// complete, and its tree is dropped. Hand-written on StrictJSON's visitor because a whole
/// tree of a 50,000-assessment plan takes gigabytes (a `JSONValue` per number and string),
/// where the writes themselves take a few hundred megabytes.
struct PlanDocumentReader: JSONVisitor {
    /// An array or object under construction.
    private struct Frame {
        var isObject: Bool
        var elements: [JSONValue] = []
        var members: [(key: String, value: JSONValue)] = []
        /// The name of the member whose value comes next.
        var pendingKey = ""
    }

    /// The root object, with `assessments` left empty.
    private(set) var root = JSONObject()
    private(set) var writes: [PlannedWrite] = []
    private(set) var decided: [AssessmentOutcome] = []
    /// The first entry that could not be read.
    private(set) var error: PlanFormatError?
    private var stack: [Frame] = []
    private let path: String

    init(path: String) {
        self.path = path
    }

    mutating func beginObject() { stack.append(Frame(isObject: true)) }
    mutating func beginArray() { stack.append(Frame(isObject: false)) }

    mutating func key(_ bytes: UnsafeBufferPointer<UInt8>) {
        stack[stack.count - 1].pendingKey = String(decoding: bytes, as: UTF8.self)
    }

    mutating func endObject() {
        let frame = stack.removeLast()
        finish(.object(JSONObject(frame.members)))
    }

    mutating func endArray() {
        let frame = stack.removeLast()
        finish(.array(frame.elements))
    }

    mutating func string(_ bytes: UnsafeBufferPointer<UInt8>) { add(.string(String(decoding: bytes, as: UTF8.self))) }
    mutating func number(_ text: UnsafeBufferPointer<UInt8>) { add(.number(String(decoding: text, as: UTF8.self))) }
    mutating func bool(_ value: Bool) { add(.bool(value)) }
    mutating func null() { add(.null) }

    private mutating func finish(_ value: JSONValue) {
        if stack.isEmpty {
            if case .object(let object) = value { root = object }
            return
        }
        // An element of the root's `assessments` array: read it now, keep no tree of it.
        if stack.count == 2, stack[0].isObject, stack[0].pendingKey == "assessments", !stack[1].isObject {
            take(value)
            return
        }
        add(value)
    }

    private mutating func add(_ value: JSONValue) {
        guard !stack.isEmpty else { return }
        let last = stack.count - 1
        if stack[last].isObject {
            stack[last].members.append((key: stack[last].pendingKey, value: value))
        } else {
            stack[last].elements.append(value)
        }
    }

    private mutating func take(_ value: JSONValue) {
        guard error == nil else { return }
        // `inputs` comes before `assessments` in plan.json.
        let inputs = stack[0].members.first { $0.key == "inputs" }?.value.arrayValue?.count ?? 0
        guard let entry = value.objectValue, let id = entry["assessmentId"]?.intValue else {
            error = PlanFormatError("\(path): an assessment entry has no assessmentId")
            return
        }
        let sources = SavedPlan.sources(of: entry)
        switch entry["action"]?.stringValue {
        case "write"?:
            do {
                writes.append(try PlannedWrite(entry: entry, inputs: inputs))
            } catch {
                self.error = PlanFormatError("\(path): \(error.message)")
            }
        case "unchanged"?:
            decided.append(AssessmentOutcome(assessmentId: id, sources: sources, status: .unchanged))
        case "skip"?:
            let kind = entry["errorKind"]?.stringValue.flatMap(ErrorKind.init(rawValue:)) ?? .rejected
            decided.append(AssessmentOutcome(assessmentId: id, sources: sources, status: .failed, errorKind: kind,
                                             error: "refused by the plan: \(entry["error"]?.stringValue ?? kind.rawValue)"))
        case "notInspected"?:
            decided.append(AssessmentOutcome(assessmentId: id, sources: sources, status: .notAttempted, errorKind: .notAttempted,
                                             error: "not attempted: the plan did not inspect it (its run stopped); make a new plan"))
        default:
            error = PlanFormatError("\(path): assessment \(id) has no known action")
        }
    }
}
