import AssessmentBatchCore
import Foundation
import StrictJSON
import Testing

/// What a user asks the tool to print (help, the version, a completion script, the help dump
/// `generate-manual` reads) goes to stdout with exit 0, so `> file`, `| less` and `| head`
/// work; mistakes stay one line on stderr with nothing on stdout.
@Suite struct StandardOutputTests {
    /// Runs the built tool with no token in a scratch directory.
    private func run(_ arguments: [String]) async -> ProcessResult {
        await runTool(arguments, environment: [:], directory: scratchDirectory())
    }

    /// Exit 0, nothing on stderr; returns stdout.
    private func expectPrinted(_ result: ProcessResult, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> String {
        #expect(result.status == 0, "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr == "", sourceLocation: sourceLocation)
        return result.stdout
    }

    @Test func helpGoesToStdout() async {
        let text = expectPrinted(await run(["--help"]))
        #expect(text.hasPrefix("OVERVIEW: Validate and apply bulk quality-assessment updates to the enneo API.\n"))
        #expect(text.contains("USAGE: assessment-batch <subcommand>\n"))
        for command in ["validate", "plan", "apply", "export", "prune"] {
            #expect(text.contains("\n  \(command) "), "\(command)")
        }
    }

    @Test(arguments: ["validate", "plan", "apply", "export", "prune"])
    func helpForACommandGoesToStdout(command: String) async {
        let viaHelp = expectPrinted(await run(["help", command]))
        #expect(viaHelp.contains("USAGE: assessment-batch \(command) "))
        let viaFlag = expectPrinted(await run([command, "--help"]))
        #expect(viaFlag == viaHelp)
    }

    @Test func helpStaysTextWithJSONLogs() async {
        let plain = expectPrinted(await run(["apply", "--help"]))
        let withJSONLogs = expectPrinted(await run(["apply", "--log-format", "json", "--help"]))
        #expect(withJSONLogs == plain)
        #expect(!withJSONLogs.hasPrefix("{"))
    }

    @Test func versionGoesToStdout() async {
        #expect(expectPrinted(await run(["--version"])) == toolVersion + "\n")
    }

    @Test(arguments: [
        ("bash", "complete -o filenames -F _assessment-batch assessment-batch"),
        ("zsh", "#compdef assessment-batch"),
        ("fish", "complete -c 'assessment-batch'"),
    ])
    func completionScriptGoesToStdout(shell: String, marker: String) async {
        let script = expectPrinted(await run(["--generate-completion-script", shell]))
        #expect(script.contains(marker), "\(script.prefix(400))")
        #expect(script.contains("apply"))
    }

    @Test func theHelpDumpIsJSONOnStdout() async throws {
        let text = expectPrinted(await run(["--experimental-dump-help"]))
        let value = try Array(text.utf8).withUnsafeBytes { try JSONParser.parse($0) }
        let command = try #require(value.objectValue?["command"]?.objectValue)
        #expect(command["commandName"]?.stringValue == "assessment-batch")
        let names = command["subcommands"]?.arrayValue?.compactMap { $0.objectValue?["commandName"]?.stringValue }
        #expect(names == ["validate", "plan", "apply", "export", "prune", "check", "profiles", "help"])
    }

    @Test func aUsageErrorStaysOnStderr() async {
        let result = await run(["apply", "--no-such-flag", "in.csv"])
        #expect(result.status == 2)
        #expect(result.stdout == "")
        #expect(result.stderr.contains("Unknown option '--no-such-flag'"))
    }
}
