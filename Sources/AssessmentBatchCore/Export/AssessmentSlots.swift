import Foundation
import Synchronization

/// The assessments an export reads, by slot (their place in the sheet): explicit ids, or the
/// list's pages, which workers fetch while others already read the assessments of earlier
/// pages. A slot's id is known once its page arrived; `id(at:)` waits for it.
final class AssessmentSlots: Sendable {
    /// Slots, at least as many as the assessments.
    let count: Int
    /// List pages still to fetch (after the first).
    let pagesToFetch: Int
    /// Assessments the list announced (or ids given), for progress.
    let expected: Int
    private let firstCount: Int
    private let step: Int
    private let first: [Int]
    private let pages: Mutex<[[Int]?]>
    private let arrived: [DispatchGroup]
    /// Which pages' groups were left (a group freed while entered crashes libdispatch).
    private let left: Mutex<[Bool]>
    private let failure = Mutex<ListProblem?>(nil)
    private let fetch: (@Sendable (Int, RequestRunner) -> Result<ListPage, ListProblem>)?

    /// Explicit ids: every slot known at once.
    init(ids: [Int]) {
        count = ids.count
        expected = ids.count
        pagesToFetch = 0
        firstCount = ids.count
        step = 1
        first = ids
        pages = Mutex([])
        arrived = []
        left = Mutex([])
        fetch = nil
    }

    /// The list's first page and `total`: the other pages are fetched by offset, in steps of
    /// what the first page held (a server may cap `limit` below what was asked).
    init(first: [Int], total: Int, fetchPage: @escaping @Sendable (Int, RequestRunner) -> Result<ListPage, ListProblem>) {
        self.first = first
        firstCount = first.count
        step = max(1, first.count)
        let more = first.isEmpty ? 0 : max(0, (total - first.count + step - 1) / step)
        pagesToFetch = more
        count = first.count + more * step
        expected = max(total, first.count)
        pages = Mutex([[Int]?](repeating: nil, count: more))
        arrived = (0..<more).map { _ in
            let group = DispatchGroup()
            group.enter()
            return group
        }
        left = Mutex([Bool](repeating: false, count: more))
        fetch = fetchPage
    }

    deinit {
        // Pages a stopped run never fetched.
        for (index, done) in left.withLock({ $0 }).enumerated() where !done { arrived[index].leave() }
    }

    /// Fetches page `index` + 1 (the first one is in hand); returns its problem, if any. Its
    /// waiters are released either way.
    func fetchPage(_ index: Int, runner: RequestRunner) -> ListProblem? {
        guard let fetch else { return nil }
        let result = fetch((index + 1) * step, runner)
        var problem: ListProblem?
        switch result {
        case .success(let page): pages.withLock { $0[index] = page.ids }
        case .failure(let failed):
            problem = failed
            failure.withLock { if $0 == nil { $0 = failed } }
        }
        left.withLock { $0[index] = true }
        arrived[index].leave()
        return problem
    }

    /// The assessment at `slot`; nil when its page held fewer, failed or (without `waiting`)
    /// has not come. Waiting is for workers: every page is taken before any slot.
    func id(at slot: Int, waiting: Bool = true) -> Int? {
        if slot < firstCount { return first[slot] }
        let page = (slot - firstCount) / step
        guard page < arrived.count else { return nil }
        if waiting {
            arrived[page].wait()
        } else if arrived[page].wait(timeout: .now()) == .timedOut {
            return nil
        }
        let position = (slot - firstCount) % step
        return pages.withLock { $0[page].flatMap { position < $0.count ? $0[position] : nil } }
    }

    /// Why listing failed; nil when every page came.
    var problem: ListProblem? { failure.withLock { $0 } }

    /// Distinct assessments selected (once every page came).
    var selected: Int {
        var seen = Set<Int>()
        for slot in 0..<count { if let id = id(at: slot, waiting: false) { seen.insert(id) } }
        return seen.count
    }
}
