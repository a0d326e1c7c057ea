import CurlHTTP
import Foundation
import StrictJSON
import Synchronization

/// Scorecard revisions fetched once per run: the first worker to need one fetches it, the
/// others wait for that answer.
final class ScorecardCache: Sendable {
    enum Lookup: Sendable {
        case found(Scorecard)
        case failed(ErrorKind, String)
        case stopped
    }

    private final class Slot: Sendable {
        let done = DispatchGroup()
        let value = Mutex<Lookup?>(nil)
        init() { done.enter() }
    }

    private let slots = Mutex<[Int: Slot]>([:])

    func scorecard(_ id: Int, fetch: () -> SendResult) -> Lookup {
        let (slot, isFirst) = slots.withLock { slots -> (Slot, Bool) in
            if let slot = slots[id] { return (slot, false) }
            let slot = Slot()
            slots[id] = slot
            return (slot, true)
        }
        if !isFirst {
            slot.done.wait()
            return slot.value.withLock { $0 } ?? .stopped
        }
        let lookup: Lookup
        switch fetch() {
        case .answered(let response) where (200..<300).contains(response.status):
            let parsed = response.body.withUnsafeBytes { try? JSONParser.parse($0, maxDepth: 64, maxStringBytes: 16 << 20) }
            if let parsed, let scorecard = try? Scorecard(json: parsed) {
                lookup = .found(scorecard)
            } else {
                lookup = .failed(.rejected, "GET scorecard \(id) did not return a scorecard object")
            }
        case .answered(let response):
            lookup = .failed(.rejected, "cannot read scorecard \(id) (\(response.statusAndMessage))")
        case .exhausted(let message, _):
            lookup = .failed(.transient, "preflight GET scorecard \(id): \(message)")
        case .unauthorized, .stopped:
            lookup = .stopped
        }
        slot.value.withLock { $0 = lookup }
        slot.done.leave()
        return lookup
    }
}
