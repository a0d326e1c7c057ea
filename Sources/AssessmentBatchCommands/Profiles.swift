import ArgumentParser
import AssessmentBatchCore
import Foundation
import Logging

extension AssessmentBatchCommand {
    /// `profiles`: the enneo instances of the configuration file.
    struct Profiles: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the profiles of the configuration file: name, server, token source (never a token), and which is the default.",
            discussion: "One line per profile on stdout, the default marked '*' (with --log-format json, one JSON object per profile). Exit 2 when the file is broken."
        )

        @Option(help: ArgumentHelp("Configuration file (default: $ASSESSMENT_BATCH_CONFIG, else $XDG_CONFIG_HOME/assessment-batch/config.yaml, else ~/.config/assessment-batch/config.yaml).", valueName: "FILE"))
        var config: String?

        @OptionGroup var logging: LoggingOptions

        func run() throws {
            logging.apply()
            let environment = ProcessInfo.processInfo.environment
            guard let location = ConfigLocation.resolve(flag: config, environment: environment) else {
                printError("assessment-batch: no configuration file (no home directory to look in): pass --config FILE.")
                return
            }
            let file: ConfigFile
            do {
                guard let loaded = try location.load() else {
                    printError("assessment-batch: no configuration file at \(location.path): write one there to name your enneo instances.")
                    return
                }
                file = loaded
            } catch {
                throw CommandFailure(error.description)
            }
            printError("assessment-batch: \(file.profiles.count) profile\(file.profiles.count == 1 ? "" : "s") in \(file.path)")
            let rows = file.profiles.map { profile in
                (mark: profile.name == file.defaultProfile ? "*" : " ", name: profile.name,
                 server: profile.connection.baseURL ?? "(ENNEO_BASE_URL, else \(ServerSettings.defaultBaseURL))",
                 token: profile.connection.tokenFile.map { "token-file \($0)" } ?? "ENNEO_TOKEN")
            }
            if Console.shared.formatter.format == .json {
                for row in rows {
                    let line = Console.shared.formatter.line(level: .info, message: "profile \(row.name)", metadata: [
                        "profile": .string(row.name), "server": .string(row.server), "tokenSource": .string(row.token),
                        "default": .stringConvertible(row.mark == "*"), "file": .string(file.path),
                    ])
                    try? FileHandle.standardOutput.write(contentsOf: Data((line + "\n").utf8))
                }
                return
            }
            let nameWidth = max(4, rows.map(\.name.count).max() ?? 0)
            let serverWidth = max(6, rows.map(\.server.count).max() ?? 0)
            func padded(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: max(0, width - text.count)) }
            var text = "  \(padded("NAME", nameWidth))  \(padded("SERVER", serverWidth))  TOKEN\n"
            for row in rows {
                text += "\(row.mark) \(padded(row.name, nameWidth))  \(padded(row.server, serverWidth))  \(row.token)\n"
            }
            // A closed pipe (`profiles | head -1`) ends the output, not the process.
            try? FileHandle.standardOutput.write(contentsOf: Data(text.utf8))
        }
    }
}
