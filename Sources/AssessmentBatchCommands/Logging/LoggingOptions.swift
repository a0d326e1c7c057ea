import ArgumentParser
import Logging

/// `--log-format`, shared by every subcommand.
struct LoggingOptions: ParsableArguments {
    @Option(help: "Stderr lines as 'text' (for people; timestamps when stderr is not a terminal) or 'json' (one object per line, progress and summary included).")
    var logFormat: LogFormat = .text

    /// Sets the console's format; call first in `run()`.
    func apply() {
        Console.shared.use(logFormat)
    }

    /// The tool's logger: through the console, debug lines only when `verbose`.
    static func logger(verbose: Bool) -> Logger {
        var logger = Logger(label: "assessment-batch") { _ in ConsoleLogHandler(console: Console.shared) }
        logger.logLevel = verbose ? .debug : .info
        return logger
    }
}
