import Dispatch
import Foundation

/// The cells of an experiment's grid run on `jobs` workers: each worker takes the next cell
/// index, and each cell's result lands in its own slot, so the results (and everything computed
/// from them) are the same whatever the number of workers. A cell must be a function of its
/// index alone (its own seeds, its own problem objects).
enum ExperimentCells {
    static func map<T>(_ count: Int, jobs: Int, _ body: (Int) -> T) -> [T] {
        let queue = CellQueue<T>(count)
        let workers = max(1, min(jobs, count))
        withoutActuallyEscaping(body) { body in
            let shared = UncheckedBody(body)
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                while let i = queue.next() { queue.set(i, shared.body(i)) }
            }
        }
        return queue.values()
    }
}

private struct UncheckedBody<T>: @unchecked Sendable {
    let body: (Int) -> T
    init(_ body: @escaping (Int) -> T) { self.body = body }
}

/// The next cell to run, and one result slot per cell, each written by exactly one worker.
private final class CellQueue<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var nextIndex = 0
    private var slots: [T?]
    init(_ count: Int) { slots = Array(repeating: nil, count: count) }
    func next() -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard nextIndex < slots.count else { return nil }
        nextIndex += 1
        return nextIndex - 1
    }
    func set(_ i: Int, _ value: T) { lock.lock(); slots[i] = value; lock.unlock() }
    func values() -> [T] { slots.map { $0! } }
}
