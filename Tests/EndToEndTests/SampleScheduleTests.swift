import Foundation
import StrictJSON
import Testing

/// The schedules in samples/nightly: what systemd, cron and Kubernetes would check, checked
/// here as far as the machine allows.
struct SampleScheduleTests {
    /// samples/nightly, found from this source file.
    private let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("samples/nightly").path

    private func sample(_ name: String) throws -> String {
        try #require(read("\(samples)/\(name)"), "\(name)")
    }

    /// What every sample must say to the tool.
    private func expectNightlyArguments(_ text: String) {
        #expect(text.contains("--log-format json") || text.contains("--log-format, json") || text.contains("- --log-format\n"))
        #expect(text.contains("--metrics-file"))
        #expect(text.contains("--profile prod") || text.contains("- --profile\n"), "the server and token come from a profile")
        #expect(!text.contains("ENNEO_BASE_URL=") && !text.contains("name: ENNEO_BASE_URL"), "a profile and ENNEO_BASE_URL that disagree are refused")
        #expect(text.contains("prune"))
        #expect(!text.contains("ENNEO_TOKEN="), "the token comes from a file or secret")
    }

    @Test func systemdUnitsVerify() throws {
        let service = try sample("assessment-batch-nightly.service")
        let timer = try sample("assessment-batch-nightly.timer")
        expectNightlyArguments(service)
        #expect(service.contains("\nType=oneshot\n"))
        #expect(service.contains("\nRestartPreventExitStatus=2 3\n"))
        #expect(service.contains("\nLoadCredential=enneo-token:/etc/assessment-batch/token\n"))
        #expect(timer.contains("\nOnCalendar=*-*-* 02:30:00\n") && timer.contains("\nPersistent=true\n") && timer.contains("\nRandomizedDelaySec="))
        guard commandExists("systemd-analyze") else { return skipNote("SampleScheduleTests.systemdUnitsVerify needs systemd-analyze") }
        // verify wants the executable to exist: the units are checked with this build's binary.
        let directory = NSTemporaryDirectory() + "units-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        write(service.replacingOccurrences(of: "/usr/local/bin/assessment-batch", with: productPath("assessment-batch")),
              to: "\(directory)/assessment-batch-nightly.service")
        write(timer, to: "\(directory)/assessment-batch-nightly.timer")
        let result = runCommand("systemd-analyze", ["verify", "\(directory)/assessment-batch-nightly.service", "\(directory)/assessment-batch-nightly.timer"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty, "\(result.stderr)")
    }

    @Test func crontabLineUsesFlock() throws {
        let crontab = try sample("crontab")
        expectNightlyArguments(crontab)
        let jobs = crontab.split(separator: "\n").filter { $0.first?.isNumber == true || $0.first == "*" || $0.first == "@" }
        #expect(jobs.count == 1)
        let fields = try #require(jobs.first).split(separator: " ", maxSplits: 5)
        #expect(fields.prefix(5).joined(separator: " ") == "30 2 * * *")
        #expect(fields.last?.contains("flock -n nightly.lock assessment-batch apply") == true)
        #expect(!crontab.contains("%"), "cron turns % into line breaks")
    }

    @Test func kubernetesCronJobHasTheRightPolicies() throws {
        guard pythonHas("yaml") else { return skipNote("SampleScheduleTests.kubernetesCronJobHasTheRightPolicies needs python3 with PyYAML") }
        let result = runCommand("python3", ["-c", "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))",
                                            "\(samples)/kubernetes-cronjob.yaml"])
        #expect(result.status == 0, "\(result.stderr)")
        let root = try #require(try Array(result.stdout.utf8).withUnsafeBytes { try JSONParser.parse($0) }.objectValue)
        #expect(root["apiVersion"]?.stringValue == "batch/v1" && root["kind"]?.stringValue == "CronJob")
        let spec = try #require(root["spec"]?.objectValue)
        #expect(spec["concurrencyPolicy"]?.stringValue == "Forbid")
        #expect(spec["successfulJobsHistoryLimit"]?.intValue == 3 && spec["failedJobsHistoryLimit"]?.intValue == 5)
        let job = try #require(spec["jobTemplate"]?.objectValue?["spec"]?.objectValue)
        #expect(job["backoffLimit"]?.intValue == 2)
        let rules = try #require(job["podFailurePolicy"]?.objectValue?["rules"]?.arrayValue)
        let failOn = rules.compactMap(\.objectValue).filter { $0["action"]?.stringValue == "FailJob" }
            .flatMap { $0["onExitCodes"]?.objectValue?["values"]?.arrayValue ?? [] }.compactMap(\.intValue)
        #expect(failOn.sorted() == [2, 3], "2 and 3 are never retried; 1 is")
        #expect(rules.compactMap(\.objectValue).allSatisfy { $0["onExitCodes"] == nil || $0["onExitCodes"]?.objectValue?["containerName"]?.stringValue == "apply" })
        let pod = try #require(job["template"]?.objectValue?["spec"]?.objectValue)
        #expect(pod["restartPolicy"]?.stringValue == "Never", "podFailurePolicy needs it")
        let apply = try #require(pod["containers"]?.arrayValue?.first?.objectValue)
        let arguments = (apply["args"]?.arrayValue ?? []).compactMap(\.stringValue)
        #expect(arguments.first == "apply")
        for (option, value) in [("--log-format", "json"), ("--profile", "prod"), ("--metrics-file", "/data/assessment_batch.prom")] {
            let index = try #require(arguments.firstIndex(of: option), "\(option)")
            #expect(arguments.indices.contains(index + 1) && arguments[index + 1] == value)
        }
        let initContainers = (pod["initContainers"]?.arrayValue ?? []).compactMap(\.objectValue)
        let prune = (initContainers.first { $0["name"]?.stringValue == "prune" }?["args"]?.arrayValue ?? []).compactMap(\.stringValue)
        #expect(prune.prefix(2) == ["prune", "/data/runs"] && prune.contains("json"))
        // The Secret is group-readable, which the tool refuses: a private copy is made first.
        let copy = (initContainers.first { $0["name"]?.stringValue == "token" }?["command"]?.arrayValue ?? []).compactMap(\.stringValue)
        #expect(copy.last?.contains("chmod 600 /run/enneo/token") == true)
        let environment = (apply["env"]?.arrayValue ?? []).compactMap(\.objectValue)
        #expect(environment.contains { $0["name"]?.stringValue == "ASSESSMENT_BATCH_CONFIG" && $0["value"]?.stringValue == "/etc/assessment-batch/config.yaml" })
        let secrets = (pod["volumes"]?.arrayValue ?? []).compactMap { $0.objectValue?["secret"]?.objectValue }
        #expect(secrets.map { $0["secretName"]?.stringValue } == ["enneo-token"])
        let configMaps = (pod["volumes"]?.arrayValue ?? []).compactMap { $0.objectValue?["configMap"]?.objectValue }
        #expect(configMaps.map { $0["name"]?.stringValue } == ["assessment-batch-config"])
        // 0440 (YAML's octal 288): the non-root container reads it through its fsGroup.
        #expect(secrets.first?["defaultMode"]?.intValue == 0o440)
        #expect(pod["securityContext"]?.objectValue?["fsGroup"]?.intValue == 10001)
    }
}
