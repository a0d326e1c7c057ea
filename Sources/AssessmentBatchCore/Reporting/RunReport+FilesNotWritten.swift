extension RunReport {
    /// Records that a file of the run could not be written: a run never exits 0 (or 1) without
    /// every file it promises, so the status becomes 3 (aborted); a signal's 130/143 is kept,
    /// it already tells a scheduler the run did not finish.
    public mutating func noteFileNotWritten(_ error: any Error) {
        filesNotWritten.append("\(error)")
        if exitStatus != .interrupted && exitStatus != .terminated { exitStatus = .aborted }
    }
}
