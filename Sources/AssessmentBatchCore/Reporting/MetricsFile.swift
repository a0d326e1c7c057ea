#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// `--metrics-file`: the run's figures in the Prometheus text exposition format, for
/// node_exporter's textfile collector. Every series a dashboard or alert may name is written
/// on every run, with 0 where nothing happened, so an alert never sees a series vanish.
public enum MetricsFile {
    /// HTTP statuses always written under `assessment_batch_requests{status=…}`: the answers
    /// the tool treats in a way of their own (success, the token, permanent refusals, every
    /// retried status) and `transport` for requests that got no answer. Any other status a
    /// run received is written too, after these.
    public static let fixedStatuses = ["200", "400", "401", "403", "404", "408", "409", "422", "425", "429",
                                       "500", "502", "503", "504", "transport"]

    /// The file's text. `report` is nil when the run stopped before it read its input
    /// (invalid input, a usage error): then every count is 0. With a `profile`, every series
    /// carries `profile="NAME"`, so one textfile collector can hold the runs of several instances.
    public static func render(report: RunReport?, exitCode: Int32, startedAt: Date, finishedAt: Date,
                              previousLastSuccess: Double?, profile: String? = nil) -> String {
        var text = ""
        let profileLabel = profile.map { "profile=\"\(escapeLabel($0))\"" }
        func gauge(_ name: String, _ help: String, _ samples: [(labels: String, value: String)]) {
            text += "# HELP \(name) \(help)\n# TYPE \(name) gauge\n"
            for sample in samples {
                var labels = sample.labels
                if let profileLabel {
                    labels = labels.isEmpty ? "{\(profileLabel)}" : "{\(profileLabel)," + labels.dropFirst()
                }
                text += "\(name)\(labels) \(sample.value)\n"
            }
        }
        func seconds(_ date: Date) -> String { String(format: "%.3f", date.timeIntervalSince1970) }
        let counts = report?.counts
        let statistics = report?.statistics
        let lastSuccess = exitCode == 0 ? seconds(finishedAt) : previousLastSuccess.map { String(format: "%.3f", $0) } ?? "0"

        gauge("assessment_batch_last_run_timestamp_seconds", "When the last apply run ended (Unix time).", [("", seconds(finishedAt))])
        gauge("assessment_batch_last_success_timestamp_seconds",
              "When the last apply run that exited 0 ended (Unix time); 0 if none did yet.", [("", lastSuccess)])
        gauge("assessment_batch_run_duration_seconds", "How long the last apply run took.",
              [("", String(format: "%.3f", max(0, finishedAt.timeIntervalSince(startedAt))))])
        gauge("assessment_batch_exit_code", "Exit code of the last apply run (0 ok, 1 failures, 2 invalid input, 3 aborted, 130/143 interrupted).",
              [("", String(exitCode))])
        gauge("assessment_batch_rows", "Data rows the last apply run read.", [("", String(counts?.rows ?? 0))])
        gauge("assessment_batch_assessments", "Assessments of the last apply run by outcome.", [
            ("{outcome=\"applied\"}", String(counts?.applied ?? 0)),
            ("{outcome=\"unchanged\"}", String(counts?.unchanged ?? 0)),
            ("{outcome=\"failed\"}", String(counts?.failed ?? 0)),
            ("{outcome=\"notAttempted\"}", String(counts?.notAttempted ?? 0)),
        ])
        gauge("assessment_batch_failures", "Failed assessments of the last apply run by errorKind.",
              ErrorKind.allCases.map { ("{kind=\"\($0.rawValue)\"}", String(counts?.failedByKind[$0] ?? 0)) })
        let seen = statistics?.statusCounts ?? [:]
        let statuses = fixedStatuses + seen.keys.filter { !fixedStatuses.contains($0) }.sorted()
        gauge("assessment_batch_requests", "HTTP requests of the last apply run by status (transport: no answer).",
              statuses.map { ("{status=\"\(escapeLabel($0))\"}", String(seen[$0] ?? 0)) })
        gauge("assessment_batch_retries", "Repeated attempts of the last apply run.", [("", String(statistics?.retries ?? 0))])
        gauge("assessment_batch_build_info", "The version of assessment-batch that wrote this file; always 1.",
              [("{version=\"\(escapeLabel(toolVersion))\"}", "1")])
        return text
    }

    /// The last-success time in an earlier file's text, if it has a positive one.
    public static func lastSuccess(inText text: String) -> Double? {
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count >= 2, parts[0] == "assessment_batch_last_success_timestamp_seconds"
                    || parts[0].hasPrefix("assessment_batch_last_success_timestamp_seconds{"),
                  let value = Double(parts[1]), value > 0, value.isFinite else { continue }
            return value
        }
        return nil
    }

    /// Writes the file atomically (a temporary name node_exporter ignores, then a rename), mode
    /// 0644: it holds no personal data and the collector may run as another user. A run that
    /// did not exit 0 carries the last-success time over from the file it replaces.
    public static func write(to path: String, report: RunReport?, exitCode: Int32, startedAt: Date, finishedAt: Date,
                             profile: String? = nil) throws {
        let previous = (try? readWholeFile(path: path, limit: 1 << 20)).flatMap { lastSuccess(inText: String(decoding: $0, as: UTF8.self)) }
        let text = render(report: report, exitCode: exitCode, startedAt: startedAt, finishedAt: finishedAt, previousLastSuccess: previous,
                          profile: profile)
        let file = try OutputFile(path: path, mode: 0o644)
        try file.write(text)
        try file.commit()
    }

    /// A label value with `\`, `"` and line breaks escaped as the format asks.
    static func escapeLabel(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
