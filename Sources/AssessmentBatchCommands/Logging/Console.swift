import Foundation
import Logging
import Synchronization

/// The one writer of stderr during a command: log lines, diagnostics, the summary and the
/// progress line all pass here, so a log line never lands on the same line as the progress
/// line (it is cleared first and drawn again after) and, with `--log-format json`, every line
/// is one JSON object.
final class Console: Sendable {
    private struct State {
        var formatter: LogLineFormatter
        /// The progress text drawn at the end of stderr on a terminal, if any.
        var progress: String?
    }

    /// The process's console; commands set its format from `--log-format` first thing.
    static let shared = Console(formatter: LogLineFormatter(format: .text, isTerminal: isatty(STDERR_FILENO) == 1))

    private let state: Mutex<State>
    private let sink: @Sendable (String) -> Void

    /// - Parameter sink: receives whole chunks of text (stderr unless a test captures them).
    init(formatter: LogLineFormatter, sink: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        state = Mutex(State(formatter: formatter))
        self.sink = sink
    }

    var formatter: LogLineFormatter { state.withLock { $0.formatter } }

    /// Sets the format; the terminal decision stays as detected.
    func use(_ format: LogFormat) {
        state.withLock { $0.formatter.format = format }
    }

    /// Whether the progress line is drawn in place (text on a terminal) rather than logged.
    var drawsProgressInPlace: Bool {
        let formatter = formatter
        return formatter.format == .text && formatter.isTerminal
    }

    /// Writes one log record as one line.
    func log(_ level: Logger.Level, _ message: String, metadata: Logger.Metadata = [:]) {
        state.withLock { state in
            let line = state.formatter.line(level: level, message: message, metadata: metadata)
            sink(Self.clear(state.progress) + line + "\n" + (state.progress ?? ""))
        }
    }

    /// Writes a line of the command's own output (summary, diagnostics): as it is in text mode,
    /// where it is not a log line and carries no timestamp; as a JSON object in JSON mode.
    func output(_ message: String, level: Logger.Level = .info, metadata: Logger.Metadata = [:]) {
        state.withLock { state in
            let line = state.formatter.format == .json
                ? state.formatter.line(level: level, message: String(message.drop { $0 == " " }), metadata: metadata) : message
            sink(Self.clear(state.progress) + line + "\n" + (state.progress ?? ""))
        }
    }

    /// Writes text as it is (text mode's diagnostics in one piece), clearing the progress line.
    func write(_ text: String) {
        guard !text.isEmpty else { return }
        state.withLock { state in sink(Self.clear(state.progress) + text + (state.progress ?? "")) }
    }

    /// Draws (or redraws) the progress line in place; `final` ends it with a line break.
    func drawProgress(_ text: String, final: Bool) {
        state.withLock { state in
            sink(Self.clear(state.progress) + text + (final ? "\n" : ""))
            state.progress = final ? nil : text
        }
    }

    private static func clear(_ progress: String?) -> String {
        progress == nil ? "" : "\r\u{1B}[K"
    }
}

/// A swift-log handler that writes through a `Console`: no label, no module name, only what
/// the format asks for.
struct ConsoleLogHandler: LogHandler {
    let console: Console
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        console.log(event.level, event.message.description, metadata: metadata.merging(event.metadata ?? [:]) { $1 })
    }
}
