import AssessmentBatchCommands

AssessmentBatchCommand.runAndExit()
