import AssessmentBatchCore

extension InputOptions {
    /// These options with the profile's `timezone` and `encoding` where no flag gave them: the
    /// files of one instance share them, and `validate` must read them as `apply` does.
    func filled(from profile: Profile?) -> InputOptions {
        var filled = self
        filled.timezone = timezone ?? profile?.timezone
        filled.encoding = encoding ?? profile?.encoding
        return filled
    }
}
