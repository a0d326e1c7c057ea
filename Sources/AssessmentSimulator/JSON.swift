import StrictJSON
// The small views the simulator needs of the shared `StrictJSON` values its requests and seed
// files are parsed into. Its answers are written by `JSONStreamWriter` (see Encoding.swift).

extension JSONValue {
    /// The JSON type name used in error messages (`integer` for an integer literal).
    var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number(let text): return Int64(text) != nil ? "integer" : "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    /// The value of an integer literal (no fraction, no exponent) that fits in `Int64`.
    var int64Value: Int64? {
        guard case .number(let text) = self else { return nil }
        return Int64(text)
    }
}
