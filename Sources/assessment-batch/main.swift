import AssessmentBatchCommands
import CurlHTTP
import Foundation

// libcurl's process-wide set-up happens once, here, before any thread exists (libcurl's rule);
// a failure surfaces when the first connection is made, as exit 3.
try? CurlGlobal.initialize()
AssessmentBatchCommand.runAndExit()
