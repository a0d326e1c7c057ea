import AssessmentBatchCore
import Testing

/// The configuration file's reader: every key and value checked, each problem at FILE:LINE.
@Suite struct ConfigFileTests {
    private func problem(_ text: String) -> String? {
        do {
            _ = try ConfigFile.parse(text, path: "c.yaml")
            return nil
        } catch {
            return error.description
        }
    }

    @Test func readsTheSpecExample() throws {
        let file = try ConfigFile.parse("""
            default-profile: staging
            profiles:
              staging:
                base-url: https://staging.example.enneo.ai/api/mind
                token-file: ~/.config/assessment-batch/staging.token
              prod:
                base-url: https://example.enneo.ai/api/mind
                token-file: /etc/assessment-batch/prod.token
                concurrency: 4        # any connection option of apply
                max-rps: 12.5
                timezone: Europe/Berlin
                encoding: windows-1252
                allow-insecure-http: false
            """, path: "c.yaml")
        #expect(file.defaultProfile == "staging")
        #expect(file.profiles.map(\.name) == ["staging", "prod"])
        let prod = try #require(file.profile(named: "prod"))
        #expect(prod.line == 6)
        #expect(prod.connection.concurrency == 4 && prod.connection.maxRps == 12.5 && prod.timezone == "Europe/Berlin" && prod.encoding == "windows-1252")
        #expect(prod.connection.allowInsecureHttp == false)
        #expect(prod.lines[.concurrency] == 9)
        #expect(file.profile(named: "staging")?.connection.tokenFile == "~/.config/assessment-batch/staging.token")
    }

    @Test func anEmptyFileHasNoProfiles() throws {
        #expect(try ConfigFile.parse("# nothing yet\n", path: "c.yaml").profiles.isEmpty)
        #expect(try ConfigFile.parse("profiles:\n", path: "c.yaml").profiles.isEmpty)
    }

    @Test(arguments: [
        ("profiles:\n  a:\n    concurency: 4\n", "c.yaml:3: unknown key 'concurency' in profile 'a': did you mean 'concurrency'?"),
        ("profiles:\n  a:\n    max_rps: 4\n", "c.yaml:3: unknown key 'max_rps' in profile 'a': did you mean 'max-rps'?"),
        ("default_profile: a\n", "c.yaml:1: unknown key 'default_profile' at the top level: did you mean 'default-profile'?"),
        ("profiles:\n  a:\n    colour: blue\n", "c.yaml:3: unknown key 'colour' in profile 'a'; known keys: base-url, token-file, concurrency, max-rps, max-attempts, give-up-after, connect-timeout, timeout, low-speed-time, ca-bundle, allow-insecure-http, timezone, encoding."),
        ("default-profile: b\nprofiles:\n  a: {}\n", "c.yaml:1: default-profile 'b' is not one of the profiles below; known profiles: a."),
        ("profiles:\n  a:\n    timeout: 0\n", "c.yaml:3: profile 'a': timeout must be a positive number of seconds, not '0'."),
        ("profiles:\n  a:\n    max-attempts: many\n", "c.yaml:3: profile 'a': max-attempts must be at least 1, not 'many'."),
        ("profiles:\n  a:\n    base-url: ftp://x/api/mind\n", "c.yaml:3: profile 'a': base-url 'ftp://x/api/mind' is not a URL like https://demo.enneo.ai/api/mind."),
        ("profiles:\n  a:\n    timezone: Mars/Olympus\n", "c.yaml:3: profile 'a': timezone must be an IANA name like Europe/Berlin or an offset like +01:00, not 'Mars/Olympus'."),
        ("profiles:\n  a:\n    encoding: ebcdic\n", "c.yaml:3: profile 'a': encoding must be utf-8, windows-1252, iso-8859-15 or utf-16, not 'ebcdic'."),
        ("profiles:\n  a:\n    token-file:\n", "c.yaml:3: profile 'a': token-file has no value."),
        ("profiles:\n  a:\n    timeout: 5\n    timeout: 6\n", "c.yaml:3: 'timeout' is given twice in the mapping that starts here: keep one."),
        ("profiles:\n  - a\n", "c.yaml:2: profiles must be a mapping of profile names to their settings."),
        ("- a\n", "c.yaml:1: the file must be a mapping with 'default-profile' and 'profiles' (see the sample config.yaml)."),
        ("profiles:\n  a:\n    base-url: \"https://x/api/mind\n", "c.yaml:4: not valid YAML: found unexpected end of stream (while scanning a quoted scalar on line 3), column 1."),
    ])
    func eachProblemIsReportedAtItsLine(text: String, message: String) {
        #expect(problem(text) == message)
    }

    @Test func aTokenInTheFileIsRefusedWithoutEchoingIt() {
        let message = problem("profiles:\n  a:\n    token: abc-s3cret\n")
        #expect(message == "c.yaml:3: profile 'a': a token never goes in the configuration file: put it alone in a file only you can read (chmod 600) and name that file with token-file.")
        #expect(message?.contains("s3cret") == false)
    }
}
