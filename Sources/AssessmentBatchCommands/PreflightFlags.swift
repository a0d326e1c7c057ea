import ArgumentParser
import AssessmentBatchCore

/// Options that decide what preflight lets through.
struct PreflightFlags: ParsableArguments {
    @Flag(help: "Write assessments that already hold the file's values.")
    var force = false

    @Flag(help: "Allow a state to move backwards (discussedWithAssessee → reviewedBySupervisor).")
    var allowStateRegression = false

    @Flag(help: "Any assessment preflight refuses stops the whole run before the first write (exit 2).")
    var strict = false

    var options: PreflightOptions { PreflightOptions(force: force, allowStateRegression: allowStateRegression) }

    func record(into object: inout JSONObject) {
        object.append("force", .bool(force))
        object.append("allowStateRegression", .bool(allowStateRegression))
        object.append("strict", .bool(strict))
    }
}
