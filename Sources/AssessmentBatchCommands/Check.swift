import ArgumentParser
import AssessmentBatchCore
import Foundation
import Logging

extension AssessmentBatchCommand {
    /// `check`: whether a set-up works, before a job relies on it.
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a connection before a job relies on it: configuration, DNS, connect, TLS, the API root, the token, whether it can edit, the clock and the rate limit.",
            discussion: """
                Prints one line per check on stdout: 'ok', or what is wrong and what to do (with --log-format json, \
                one JSON object per check). Sends two or three GETs and no write. \
                Exit 0 when every check holds, 2 for a configuration problem, 3 when the server or the token fails.
                """
        )

        @OptionGroup var server: ServerOptions
        @OptionGroup var logging: LoggingOptions

        func run() throws {
            logging.apply()
            let environment = ProcessInfo.processInfo.environment
            var lines: [CheckLine] = []
            var connection: ConnectionCheck?
            do {
                let settings = try server.settings()
                let base = try server.resolvedBaseURL(settings)
                let token = try server.loadToken(settings)
                lines.append(CheckLine("configuration", .ok, describe(settings, environment: environment)))
                signal(SIGPIPE, SIG_IGN)
                connection = ConnectionCheck(baseURL: base, token: token, transport: server.transportOptions(settings), caBundle: settings.caBundle)
            } catch {
                let message = (error as? CommandFailure)?.message ?? (error as? ValidationError)?.message ?? "\(error)"
                lines.append(CheckLine("configuration", .failed, message, exitStatus: .invalidInput))
                lines += CheckLine.checks.dropFirst().map { CheckLine($0, .skipped, "needs a working configuration") }
            }
            if let connection { lines += connection.run() }
            for line in lines { emit(line) }
            let status = CheckLine.exitStatus(of: lines)
            if status != .success { throw ExitCode(status.rawValue) }
        }

        /// The configuration line: profile, file, server and token source (never the token).
        private func describe(_ settings: ServerSettings, environment: [String: String]) -> String {
            var parts: [String] = []
            if let active = settings.active {
                parts.append("profile \(active.name) (\(active.chosenBy)) from \(active.file.path)")
            } else if let location = ConfigLocation.resolve(flag: server.profileOptions.config, environment: environment) {
                let exists = FileManager.default.fileExists(atPath: location.path)
                parts.append(exists ? "no profile (\(location.path) names no default-profile)" : "no profile (no configuration file at \(location.path))")
            } else {
                parts.append("no profile")
            }
            parts.append("server \(settings.baseURL) (\(settings.baseURLSource))")
            switch settings.token {
            case .file(let path, _, _, _):
                let mode = FileStatus.following(path).map { String(format: ", mode %04o", $0.permissions) } ?? ""
                parts.append("token from \(settings.token.label)\(mode)")
            default:
                parts.append("token from \(settings.token.label)")
            }
            return parts.joined(separator: "; ")
        }

        /// One check on stdout: `check: status: detail`, or one JSON object per line.
        private func emit(_ line: CheckLine) {
            let text: String
            if Console.shared.formatter.format == .json {
                let level: Logger.Level = switch line.status {
                case .ok, .skipped: .info
                case .warning: .warning
                case .failed: .error
                }
                var metadata: Logger.Metadata = [
                    "check": .string(line.check), "status": .string(line.status.rawValue), "detail": .string(line.detail),
                ]
                if let exit = line.exitStatus { metadata["exitCode"] = .stringConvertible(Int(exit.rawValue)) }
                text = Console.shared.formatter.line(level: level, message: line.description, metadata: metadata)
            } else {
                text = line.description
            }
            // A closed pipe (`check | head -1`) ends the output, not the process.
            try? FileHandle.standardOutput.write(contentsOf: Data((text + "\n").utf8))
        }
    }
}
