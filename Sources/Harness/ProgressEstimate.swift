import Foundation

/// The time left in a sweep, weighted by what each remaining cell is expected to cost: a cell
/// costs the mean of the finished cells of its (problem, optimizer) pair, else of its problem,
/// else of every finished cell; the time left is the elapsed time scaled by the expected cost
/// of the remaining cells over the measured cost of the finished ones — so cells run in
/// parallel, and cells of unequal size, need no other correction.
final class ProgressEstimate: @unchecked Sendable {
    private let lock = NSLock()
    /// Per pair: (problem, total cells, finished cells, their summed cost).
    private var pairs: [Int: (problem: Int, total: Int, done: Int, cost: Double)] = [:]
    private var doneCost = 0.0
    private var doneCount = 0

    /// `cells`: each cell's (problem, optimizer) indices.
    init(cells: [(problem: Int, optimizer: Int)]) {
        for c in cells {
            pairs[Self.pair(c), default: (c.problem, 0, 0, 0)].total += 1
        }
    }

    static func pair(_ c: (problem: Int, optimizer: Int)) -> Int { c.problem &* 1_000_003 &+ c.optimizer }

    /// Records a finished cell of `cost` (its seconds) and returns the cells finished so far and
    /// the seconds left, given the sweep's elapsed seconds.
    func finished(_ cell: (problem: Int, optimizer: Int), cost: Double, elapsed: Double) -> (done: Int, secondsLeft: Double) {
        lock.lock(); defer { lock.unlock() }
        let cost = cost.isFinite ? max(cost, 0) : 0
        pairs[Self.pair(cell), default: (cell.problem, 1, 0, 0)].done += 1
        pairs[Self.pair(cell)]!.cost += cost
        doneCost += cost
        doneCount += 1
        var byProblem: [Int: (count: Int, cost: Double)] = [:]
        for p in pairs.values where p.done > 0 {
            byProblem[p.problem, default: (0, 0)].count += p.done
            byProblem[p.problem]!.cost += p.cost
        }
        let overall = doneCost / Double(doneCount)
        var remaining = 0.0
        for p in pairs.values where p.total > p.done {
            let mean = p.done > 0 ? p.cost / Double(p.done) : byProblem[p.problem].map { $0.cost / Double($0.count) } ?? overall
            remaining += Double(p.total - p.done) * mean
        }
        let left = doneCost > 0 ? elapsed * remaining / doneCost
            : elapsed / Double(doneCount) * Double(pairs.values.reduce(0) { $0 + $1.total - $1.done })
        return (doneCount, left)
    }
}
