/// What preflight read for one assessment: its live values and its scorecard revision. A plan
/// keeps the values it saw (so `apply --plan` can tell what moved since) and names criteria on
/// the review page from the scorecard.
public struct PreflightSeen: Sendable {
    public var live: LiveAssessment
    public var scorecard: Scorecard?

    public init(live: LiveAssessment, scorecard: Scorecard?) {
        self.live = live
        self.scorecard = scorecard
    }
}
