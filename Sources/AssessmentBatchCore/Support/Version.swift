/// The tool's version, set here and nowhere else: `--version` prints it, `report.json`, the
/// journal, the plan and the metrics file carry it, the User-Agent names it, and
/// `scripts/package` reads it from the built binary's `--version` to name the `.deb`, so the
/// package and the program cannot disagree. (The image tag in
/// samples/nightly/kubernetes-cronjob.yaml follows it by hand; VersionTests checks it does.)
public let toolVersion = "0.1.0"
