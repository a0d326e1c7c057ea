import AssessmentSimulator
import Foundation
import StrictJSON
import Testing

/// Which server and token a run uses, asserted by where its requests went: two simulators, a
/// configuration file naming both, and every way of choosing (or refusing) between them.
@Suite(.serialized) struct ProfileSelectionTests {
    private func apply(_ fixture: ProfileFixture, _ extra: [String] = [], environment: [String: String] = [:], out: String = "run") async -> ProcessResult {
        await fixture.run(["apply", "in.csv", "--out", out] + extra, environment)
    }

    @Test func theDefaultProfileIsUsedWithATildeTokenPath() async throws {
        try await withTwoSimulators { alpha, beta in
            let fixture = try ProfileFixture(alpha: alpha, beta: beta)
            let result = await apply(fixture)
            #expect(result.status == 0, "stderr: \(result.stderr)")
            #expect(alpha.patchCount(for: fixture.assessmentId) == 1)
            #expect(beta.apiRequestCount == 0)
            #expect(result.stderr.contains("assessment-batch: profile alpha, server \(alpha.baseURL)\n"))
            let options = try #require(try report(in: "\(fixture.home)/run")["options"]?.objectValue)
            #expect(options["profile"]?.stringValue == "alpha")
            #expect(options["server"]?.stringValue == alpha.baseURL)
            #expect(options["serverSource"]?.stringValue == "profile")
            #expect(options["tokenSource"]?.stringValue == "profile")
            #expect(options["concurrency"]?.intValue == 2, "the profile's concurrency")
            expectNoToken(result)
        }
    }

    @Test func theProfileFlagPicksAnother() async throws {
        try await withTwoSimulators { alpha, beta in
            let fixture = try ProfileFixture(alpha: alpha, beta: beta)
            let result = await apply(fixture, ["--profile", "beta"])
            #expect(result.status == 0, "stderr: \(result.stderr)")
            #expect(beta.patchCount(for: fixture.assessmentId) == 1)
            #expect(alpha.apiRequestCount == 0)
            #expect(result.stderr.contains("assessment-batch: profile beta, server \(beta.baseURL)\n"))
            expectNoToken(result)
        }
    }

    @Test func theEnvironmentVariablePicksAProfile() async throws {
        try await withTwoSimulators { alpha, beta in
            let fixture = try ProfileFixture(alpha: alpha, beta: beta)
            let result = await apply(fixture, environment: ["ASSESSMENT_BATCH_PROFILE": "beta"])
            #expect(result.status == 0, "stderr: \(result.stderr)")
            #expect(beta.patchCount(for: fixture.assessmentId) == 1)
            #expect(alpha.apiRequestCount == 0)
            // The flag wins over the variable.
            let flagged = await apply(fixture, ["--profile", "alpha"], environment: ["ASSESSMENT_BATCH_PROFILE": "beta"], out: "run2")
            #expect(flagged.status == 0, "stderr: \(flagged.stderr)")
            #expect(alpha.patchCount(for: fixture.assessmentId) == 1)
        }
    }

    @Test func aFlagWinsOverTheProfile() async throws {
        try await withTwoSimulators { alpha, beta in
            let fixture = try ProfileFixture(alpha: alpha, beta: beta)
            // alpha is the default profile; the flags send this run to beta with beta's token.
            let result = await apply(fixture, ["--base-url", beta.baseURL, "--token-file", "beta.token"],
                                     environment: ["ENNEO_BASE_URL": alpha.baseURL])
            #expect(result.status == 0, "stderr: \(result.stderr)")
            #expect(beta.patchCount(for: fixture.assessmentId) == 1)
            #expect(alpha.apiRequestCount == 0)
            #expect(result.stderr.contains("assessment-batch: profile alpha, server \(beta.baseURL) (from --base-url)\n"))
            let options = try #require(try report(in: "\(fixture.home)/run")["options"]?.objectValue)
            #expect(options["serverSource"]?.stringValue == "--base-url")
            #expect(options["tokenSource"]?.stringValue == "--token-file")
            expectNoToken(result)
        }
    }

    @Test func anEnvironmentThatContradictsTheProfileIsRefused() async throws {
        try await withTwoSimulators { alpha, beta in
            let fixture = try ProfileFixture(alpha: alpha, beta: beta)
            let server = await apply(fixture, environment: ["ENNEO_BASE_URL": beta.baseURL])
            #expect(server.status == 2)
            #expect(server.stderr == "assessment-batch: ENNEO_BASE_URL (\(beta.baseURL)) and profile 'alpha' (base-url \(alpha.baseURL), "
                + "\(fixture.configPath):5) name different servers: unset ENNEO_BASE_URL, or pass --base-url to say which one this run uses.\n")
            let token = await apply(fixture, environment: ["ENNEO_TOKEN": ProfileFixture.betaToken], out: "run2")
            #expect(token.status == 2)
            #expect(token.stderr == "assessment-batch: ENNEO_TOKEN and profile 'alpha' (token-file ~/alpha.token of profile 'alpha', "
                + "\(fixture.configPath):6) hold different tokens: unset ENNEO_TOKEN, or pass --token-file to say which one this run uses.\n")
            for result in [server, token] { expectNoToken(result) }
            #expect(alpha.apiRequestCount == 0)
            #expect(beta.apiRequestCount == 0)
            // The same values in the environment are no contradiction.
            let same = await apply(fixture, environment: ["ENNEO_BASE_URL": alpha.baseURL + "/", "ENNEO_TOKEN": ProfileFixture.alphaToken], out: "run3")
            #expect(same.status == 0, "stderr: \(same.stderr)")
        }
    }

    @Test func anUnknownProfileListsTheKnownOnes() async throws {
        try await withTwoSimulators { alpha, beta in
            let fixture = try ProfileFixture(alpha: alpha, beta: beta)
            let result = await apply(fixture, ["--profile", "gamma"])
            #expect(result.status == 2)
            #expect(result.stderr == "assessment-batch: unknown profile 'gamma' (from --profile); known profiles in \(fixture.configPath): alpha, beta.\n")
            let fromEnvironment = await fixture.run(["check"], ["ASSESSMENT_BATCH_PROFILE": "prod"])
            #expect(fromEnvironment.status == 2)
            #expect(fromEnvironment.stdout.hasPrefix("configuration: FAILED: unknown profile 'prod' (from ASSESSMENT_BATCH_PROFILE); known profiles in \(fixture.configPath): alpha, beta.\n"))
            #expect(alpha.apiRequestCount == 0 && beta.apiRequestCount == 0)
        }
    }

    @Test func aBrokenConfigurationIsFileLine() async throws {
        try await withTwoSimulators { alpha, beta in
            let fixture = try ProfileFixture(alpha: alpha, beta: beta)
            let cases: [(String, String)] = [
                ("profiles:\n  alpha:\n    base-url: \(alpha.baseURL)\n   token-file: x\n",
                 "\(fixture.configPath):4: not valid YAML: did not find expected key (while parsing a block mapping on line 2), column 4."),
                ("profiles:\n  alpha:\n    base_url: \(alpha.baseURL)\n",
                 "\(fixture.configPath):3: unknown key 'base_url' in profile 'alpha': did you mean 'base-url'?"),
                ("default-profile: alpha\nprofiles:\n  alpha:\n    concurrency: 0\n",
                 "\(fixture.configPath):4: profile 'alpha': concurrency must be between 1 and 256, not '0'."),
                ("profiles:\n  alpha:\n    token: \(ProfileFixture.alphaToken)\n",
                 "\(fixture.configPath):3: profile 'alpha': a token never goes in the configuration file: put it alone in a file only you can read (chmod 600) and name that file with token-file."),
            ]
            for (text, message) in cases {
                write(text, to: fixture.configPath)
                let result = await apply(fixture, ["--profile", "alpha"])
                #expect(result.status == 2)
                #expect(result.stderr == "assessment-batch: \(message)\n")
                expectNoToken(result)
            }
            #expect(alpha.apiRequestCount == 0 && beta.apiRequestCount == 0)
        }
    }

    @Test func aTokenFileOthersCanReadIsRefused() async throws {
        try await withTwoSimulators { alpha, beta in
            let fixture = try ProfileFixture(alpha: alpha, beta: beta)
            chmod("\(fixture.home)/alpha.token", 0o640)
            let fromProfile = await apply(fixture)
            #expect(fromProfile.status == 2)
            #expect(fromProfile.stderr == "assessment-batch: token-file ~/alpha.token of profile 'alpha' can be read by its group (mode 0640): "
                + "a token file must be private to its owner; fix it with: chmod 600 \(fixture.home)/alpha.token\n")
            chmod("\(fixture.home)/beta.token", 0o604)
            let fromFlag = await apply(fixture, ["--base-url", beta.baseURL, "--token-file", "beta.token"], out: "run2")
            #expect(fromFlag.status == 2)
            #expect(fromFlag.stderr == "assessment-batch: --token-file beta.token can be read by others (mode 0604): "
                + "a token file must be private to its owner; fix it with: chmod 600 beta.token\n")
            for result in [fromProfile, fromFlag] { expectNoToken(result) }
            #expect(alpha.apiRequestCount == 0 && beta.apiRequestCount == 0)
        }
    }

    @Test func theMetricsFileLabelsEverySeriesWithTheProfile() async throws {
        try await withTwoSimulators { alpha, beta in
            let fixture = try ProfileFixture(alpha: alpha, beta: beta)
            let result = await apply(fixture, ["--profile", "beta", "--metrics-file", "m.prom"])
            #expect(result.status == 0, "stderr: \(result.stderr)")
            let text = try #require(read("\(fixture.home)/m.prom"))
            let samples = text.split(separator: "\n").filter { !$0.hasPrefix("#") }
            #expect(samples.count > 20)
            #expect(samples.allSatisfy { $0.contains("{profile=\"beta\"") }, "\(text)")
            #expect(samples.contains("assessment_batch_exit_code{profile=\"beta\"} 0"))
            #expect(samples.contains("assessment_batch_assessments{profile=\"beta\",outcome=\"applied\"} 1"))
        }
    }

    @Test func validateReadsWithTheProfilesTimezone() async throws {
        try await withTwoSimulators { alpha, beta in
            let fixture = try ProfileFixture(alpha: alpha, beta: beta, extraAlpha: "    timezone: Europe/Berlin")
            write("assessmentId,assessmentDate\n\(fixture.assessmentId),2026-11-24T10:00:00\n", to: "\(fixture.home)/dates.csv")
            let withProfile = await fixture.run(["validate", "dates.csv"])
            #expect(withProfile.status == 0, "stderr: \(withProfile.stderr)")
            let without = await fixture.run(["validate", "dates.csv", "--config", "/dev/null"])
            #expect(without.status == 2)
        }
    }
}
