import AssessmentSimulator
import Foundation
import StrictJSON
import Testing

/// `assessment-batch profiles`: every profile with its server and token source, the default
/// marked, never a token.
@Suite struct ProfilesCommandTests {
    @Test func listsTheProfilesAndMarksTheDefault() async throws {
        try await withTwoSimulators { alpha, beta in
            let fixture = try ProfileFixture(alpha: alpha, beta: beta)
            let result = await fixture.run(["profiles"])
            #expect(result.status == 0)
            let width = alpha.baseURL.count
            #expect(result.stdout == """
                  NAME   \("SERVER".padding(toLength: width, withPad: " ", startingAt: 0))  TOKEN
                * alpha  \(alpha.baseURL)  token-file ~/alpha.token
                  beta   \(beta.baseURL.padding(toLength: width, withPad: " ", startingAt: 0))  token-file \(fixture.home)/beta.token

                """)
            #expect(result.stderr == "assessment-batch: 2 profiles in \(fixture.configPath)\n")
            #expect(alpha.apiRequestCount == 0 && beta.apiRequestCount == 0)
            expectNoToken(result)

            let json = await fixture.run(["profiles", "--log-format", "json"])
            let objects = try json.stdout.split(separator: "\n").map { line in
                try #require(try Array(line.utf8).withUnsafeBytes { try JSONParser.parse($0) }.objectValue)
            }
            #expect(objects.compactMap { $0["profile"]?.stringValue } == ["alpha", "beta"])
            #expect(objects.compactMap { $0["tokenSource"]?.stringValue } == ["token-file ~/alpha.token", "token-file \(fixture.home)/beta.token"])
        }
    }

    @Test func withoutAFileSaysWhereItLooked() async {
        let home = scratchDirectory()
        let result = await runTool(["profiles"], environment: ["HOME": home], directory: home)
        #expect(result.status == 0)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr == "assessment-batch: no configuration file at \(home)/.config/assessment-batch/config.yaml: "
            + "write one there to name your enneo instances.\n")
        let xdg = await runTool(["profiles"], environment: ["HOME": home, "XDG_CONFIG_HOME": "\(home)/xdg"], directory: home)
        #expect(xdg.stderr.contains("no configuration file at \(home)/xdg/assessment-batch/config.yaml:"))
        let named = await runTool(["profiles", "--config", "missing.yaml"], environment: ["HOME": home], directory: home)
        #expect(named.status == 2)
        #expect(named.stderr == "assessment-batch: --config names missing.yaml, which does not exist: write the configuration there, or name another file.\n")
    }

    @Test func theSampleConfigurationIsValid() async throws {
        let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("samples/config.yaml").path
        let home = scratchDirectory()
        let result = await runTool(["profiles", "--config", sample], environment: ["HOME": home], directory: home)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.split(separator: "\n").dropFirst().map { String($0.split(separator: " ").prefix(2).joined(separator: " ")) }
            == ["* staging", "prod https://example.enneo.ai/api/mind", "local http://127.0.0.1:8005/api/mind"])
    }
}
