/// An assessment's workflow state, as the API names it; the one place that knows which states
/// exist, which can be edited and which a file may set.
///
/// A state the tool does not know (a newer API) is kept by name as `unknown`, so it can still
/// be shown, compared and sent back, and is neither refused nor allowed by rules that do not
/// know it.
public enum AssessmentState: Sendable, Hashable, CustomStringConvertible {
    case unprocessed, aiInProgress, aiReady, reviewOngoing, reviewedBySupervisor, discussedWithAssessee, error, deleted
    case unknown(String)

    /// Every state the tool knows, in workflow order, then `error` and `deleted`.
    public static let known: [AssessmentState] = [
        .unprocessed, .aiInProgress, .aiReady, .reviewOngoing, .reviewedBySupervisor, .discussedWithAssessee, .error, .deleted,
    ]

    /// The states a file (and so a reviewer) may ask for: the two a PATCH can set.
    public static let settable: [AssessmentState] = known.filter(\.isSettable)

    /// The state called `name` (exact spelling, as the API writes it).
    public init(name: String) {
        self = Self.byName[name] ?? .unknown(name)
    }

    /// The API's name of the state.
    public var name: String {
        switch self {
        case .unprocessed: "unprocessed"
        case .aiInProgress: "aiInProgress"
        case .aiReady: "aiReady"
        case .reviewOngoing: "reviewOngoing"
        case .reviewedBySupervisor: "reviewedBySupervisor"
        case .discussedWithAssessee: "discussedWithAssessee"
        case .error: "error"
        case .deleted: "deleted"
        case .unknown(let name): name
        }
    }

    public var description: String { name }

    /// Whether an assessment in this state may be edited (the API refuses the others; an
    /// unknown state is left to the API to judge).
    public var isEditable: Bool {
        switch self {
        case .unprocessed, .aiInProgress, .error, .deleted: false
        case .aiReady, .reviewOngoing, .reviewedBySupervisor, .discussedWithAssessee, .unknown: true
        }
    }

    /// Whether a PATCH (and so a file) may set this state.
    public var isSettable: Bool {
        switch self {
        case .reviewedBySupervisor, .discussedWithAssessee: true
        default: false
        }
    }

    /// The position in the workflow (`unprocessed` first, `discussedWithAssessee` last), for
    /// telling a change backwards; nil for `error`, `deleted` and unknown states, which are
    /// outside the order.
    public var workflowPosition: Int? {
        switch self {
        case .unprocessed: 0
        case .aiInProgress: 1
        case .aiReady: 2
        case .reviewOngoing: 3
        case .reviewedBySupervisor: 4
        case .discussedWithAssessee: 5
        case .error, .deleted, .unknown: nil
        }
    }

    /// Whether moving from `self` to `target` goes backwards in the workflow.
    public func isRegression(to target: AssessmentState) -> Bool {
        guard let from = workflowPosition, let to = target.workflowPosition else { return false }
        return to < from
    }

    private static let byName: [String: AssessmentState] = Dictionary(uniqueKeysWithValues: known.map { ($0.name, $0) })

    /// The names as UTF-8, for matching cells without building strings.
    static let knownNames: [(state: AssessmentState, name: [UInt8])] = known.map { ($0, Array($0.name.utf8)) }
}
