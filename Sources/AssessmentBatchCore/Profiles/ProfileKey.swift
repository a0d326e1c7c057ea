/// The keys a profile may hold: the server, the token file, every connection option of
/// `apply` under its flag's name, and the two reading options an instance's files share.
public enum ProfileKey: String, Sendable, CaseIterable, Hashable {
    case baseURL = "base-url"
    case tokenFile = "token-file"
    case concurrency
    case maxRps = "max-rps"
    case maxAttempts = "max-attempts"
    case giveUpAfter = "give-up-after"
    case connectTimeout = "connect-timeout"
    case timeout
    case lowSpeedTime = "low-speed-time"
    case caBundle = "ca-bundle"
    case allowInsecureHttp = "allow-insecure-http"
    case timezone
    case encoding

    /// The command-line flag the key stands in for.
    public var flag: String { "--" + rawValue }

    /// The known name nearest to `name` by edit distance, when it is near enough to be a typo.
    public static func closest(to name: String, among names: [String]) -> String? {
        let lowered = name.lowercased()
        var best: (name: String, distance: Int)?
        for candidate in names {
            let distance = editDistance(lowered, candidate)
            if best == nil || distance < best!.distance { best = (candidate, distance) }
        }
        guard let best, best.distance <= max(2, best.name.count / 3) else { return nil }
        return best.name
    }

    /// Levenshtein distance over characters; `_` and `-` count as the same (max_rps, max-rps).
    static func editDistance(_ a: String, _ b: String) -> Int {
        let left = Array(a.map { $0 == "_" ? "-" : $0 })
        let right = Array(b.map { $0 == "_" ? "-" : $0 })
        if left.isEmpty { return right.count }
        if right.isEmpty { return left.count }
        var previous = Array(0...right.count)
        var current = [Int](repeating: 0, count: right.count + 1)
        for i in 1...left.count {
            current[0] = i
            for j in 1...right.count {
                let substitution = previous[j - 1] + (left[i - 1] == right[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[right.count]
    }
}
