import ArgumentParser
import AssessmentBatchCore
import Foundation

/// `apply --plan DIR`: the checks around applying a saved plan (its options, its server, its
/// seal, and resuming it); the run itself is an ordinary `apply` of the plan's writes.
extension AssessmentBatchCommand.Apply {
    /// What may not be combined with `--plan`.
    static func validatePlanOptions(_ command: Self) throws {
        guard let plan = command.plan else { return }
        if !command.input.files.isEmpty {
            throw ValidationError("--plan applies the plan in \(plan) without reading input files: give no files.")
        }
        if command.resume != nil { throw ValidationError("--plan and --resume exclude each other: --resume DIR continues an apply of a plan too.") }
        if command.noPreflight { throw ValidationError("--plan always checks each assessment against what the plan saw: --no-preflight cannot be used with it.") }
        if command.skipInvalid { throw ValidationError("--skip-invalid has no effect with --plan: the plan already left invalid rows out.") }
        if command.preflight.force || command.preflight.allowStateRegression {
            throw ValidationError("--force and --allow-state-regression come from the plan with --plan: give them to 'plan'.")
        }
        if let out = command.server.out, URL(fileURLWithPath: out).standardizedFileURL.path == URL(fileURLWithPath: plan).standardizedFileURL.path {
            throw ValidationError("--out must not be the plan's directory: the apply writes its own run directory (the review page stays as it is).")
        }
    }

    /// The plan named by `--plan`, checked against its seal; nil without `--plan`.
    func loadPlan() throws -> SavedPlan? {
        guard let plan else { return nil }
        do {
            return try SavedPlan.load(directory: plan)
        } catch {
            throw CommandFailure("assessment-batch: cannot apply the plan in \(plan): \(error.message)")
        }
    }

    /// A plan is applied to the server it was made against, and no other.
    static func checkServer(of plan: SavedPlan, against baseURL: String) throws {
        func trimmed(_ url: String) -> String {
            var url = url
            while url.hasSuffix("/") { url.removeLast() }
            return url
        }
        guard let planned = plan.baseURL, trimmed(planned) != trimmed(baseURL) else { return }
        throw CommandFailure("assessment-batch: the plan in \(plan.directory) was made against \(planned), not \(baseURL): make a plan against this server. Nothing was sent.")
    }

    /// Continues an interrupted `apply --plan` from its journal: the same plan.json (refused
    /// if it changed since the run started), the same options.
    static func resumePlan(_ original: Self, journal: Journal.Contents, current: Self, directory: String) throws {
        var original = original
        let savedPlan = try original.loadPlan()
        if let savedPlan, let started = journal.header.inputs.first {
            let digest = try sha256(ofFile: savedPlan.path)
            guard digest == started.sha256 else {
                throw CommandFailure("cannot resume: \(savedPlan.path) changed since the run started (SHA-256 \(digest), journal has \(started.sha256)).")
            }
        }
        original.server.out = directory
        original.server.baseURL = current.server.baseURL ?? original.server.baseURL
        original.server.tokenFile = current.server.tokenFile ?? original.server.tokenFile
        original.logging = current.logging
        original.metricsFile = current.metricsFile ?? original.metricsFile
        try original.execute(resumed: journal.outcomes, arguments: journal.header.arguments, savedPlan: savedPlan)
    }
}
