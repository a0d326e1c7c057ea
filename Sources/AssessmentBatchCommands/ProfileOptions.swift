import ArgumentParser
import AssessmentBatchCore
import Foundation

/// `--profile` and `--config`: which enneo instance of the configuration file a command uses.
struct ProfileOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Profile of the configuration file to use (default: $ASSESSMENT_BATCH_PROFILE, else the file's default-profile).", valueName: "NAME"))
    var profile: String?

    @Option(help: ArgumentHelp("Configuration file (default: $ASSESSMENT_BATCH_CONFIG, else $XDG_CONFIG_HOME/assessment-batch/config.yaml, else ~/.config/assessment-batch/config.yaml).", valueName: "FILE"))
    var config: String?

    var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// The profile in effect, if any; a broken file or an unknown profile is exit 2.
    func active() throws(CommandFailure) -> ActiveProfile? {
        do {
            return try ActiveProfile.resolve(profileFlag: profile, configFlag: config, environment: environment)
        } catch {
            throw CommandFailure(error.description)
        }
    }
}
