import ArgumentParser
import AssessmentBatchCore
import Foundation
import Logging
import StrictJSON

/// How stderr lines are written: for people (`text`) or for a log pipeline (`json`).
enum LogFormat: String, CaseIterable, Sendable, ExpressibleByArgument {
    case text, json
}

/// Turns one log record into one line of stderr, without its line break: the pure part of the
/// console, tested on its own.
struct LogLineFormatter: Sendable {
    var format: LogFormat
    /// Whether stderr is a terminal: text lines there are the message alone; elsewhere (cron
    /// mail, a file) they keep a timestamp and the level.
    var isTerminal: Bool

    func line(level: Logger.Level, message: String, metadata: Logger.Metadata = [:], date: Date = Date()) -> String {
        switch format {
        case .text:
            if isTerminal {
                switch level {
                case .warning: return "warning: " + message
                case .error, .critical: return "error: " + message
                default: return message
                }
            }
            return "\(Self.timestamp(date)) \(Self.name(of: level)): \(message)"
        case .json:
            var object = JSONObject()
            object.append("timestamp", .string(Self.timestamp(date)))
            object.append("level", .string(Self.name(of: level)))
            object.append("message", .string(message))
            for key in metadata.keys.sorted() where !["timestamp", "level", "message"].contains(key) {
                if let value = metadata[key] { object.append(key, Self.json(value)) }
            }
            return JSONWriter.string(.object(object))
        }
    }

    /// `warning` rather than swift-log's `warning`/`notice` spelling variety: one word per level.
    static func name(of level: Logger.Level) -> String {
        switch level {
        case .trace: "trace"
        case .debug: "debug"
        case .info, .notice: "info"
        case .warning: "warning"
        case .error, .critical: "error"
        }
    }

    /// RFC 3339 in UTC with milliseconds, as in the tool's files.
    static func timestamp(_ date: Date) -> String {
        Timestamp(date).description
    }

    /// A metadata value as JSON: numbers and booleans given as such stay numbers and booleans.
    static func json(_ value: Logger.MetadataValue) -> JSONValue {
        switch value {
        case .string(let text): return .string(text)
        case .stringConvertible(let convertible):
            switch convertible {
            case let flag as Bool: return .bool(flag)
            case let number as Int: return .number(String(number))
            case let number as Int32: return .number(String(number))
            case let number as Double where number.isFinite:
                return .number(number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number))
            default: return .string(convertible.description)
            }
        case .array(let values): return .array(values.map(json))
        case .dictionary(let members):
            var object = JSONObject()
            for key in members.keys.sorted() { object.append(key, json(members[key]!)) }
            return .object(object)
        }
    }
}
