// Threading and scratch memory for the blocked kernels.

import Dispatch
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Runs `body(i)` for i in 0..<count, concurrently when count > 1.
///
/// Every iteration owns a disjoint part of the output, so the result does not depend on which
/// thread runs which iteration. Waking a `DispatchQueue.concurrentPerform` worker costs
/// 20–90 µs here — a quarter of a 256³ product — so iterations go to `SpinPool`'s workers,
/// which spin briefly after each job, and to Dispatch only when the pool is busy (concurrent or
/// nested callers).
/// - Complexity: O(count) scheduling overhead plus the work of `body`.
public func parallelFor(_ count: Int, _ body: (Int) -> Void) {
    if count <= 1 {
        for i in 0..<count { body(i) }
        return
    }
    // Iterations write disjoint memory through raw pointers, which Sendable cannot express.
    withoutActuallyEscaping(body) { body in
        if SpinPool.shared.run(count, body) { return }
        let shared = UncheckedSendable(body)
        DispatchQueue.concurrentPerform(iterations: count) { shared.value($0) }
    }
}

/// Persistent worker threads that take iterations of one job at a time.
///
/// Iterations are claimed one by one from a single atomic word holding (job, count, next
/// index), and a job ends when all its iterations are done — not when every worker has
/// checked in — so a worker that is asleep or preempted when a job starts delays nothing: the
/// others take its share. After a job a worker spins for up to `spinNanoseconds` before
/// sleeping on a condition, so back-to-back products (a training loop, a benchmark) start in
/// about a microsecond, while an idle process stops using the cores within milliseconds.
final class SpinPool: @unchecked Sendable {
    static let shared = SpinPool(workers: availableThreads - 1)

    let workers: Int
    let spinNanoseconds: UInt64 = 2_000_000
    private static let field = 20, mask = (1 << 20) - 1
    private let busy = Atomic<Bool>(false)
    /// job << 40 | count << 20 | next unclaimed index.
    private let claim = Atomic<Int>(0)
    private let done = Atomic<Int>(0)
    private let sleepers = NSCondition()
    private var sleeping = 0
    private var job = 0
    // Set before the job is published and cleared after it is done; a worker reads it only
    // after claiming an iteration, which keeps the job open.
    private var task: ((Int) -> Void)?

    init(workers: Int) {
        self.workers = workers
        for _ in 0..<workers {
            let thread = Thread { [unowned self] in self.work() }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    /// Runs body(0..<count) on the caller and the workers; false (nothing run) if another job
    /// holds the pool.
    func run(_ count: Int, _ body: @escaping (Int) -> Void) -> Bool {
        guard workers > 0, count <= Self.mask,
              busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
        else { return false }
        task = body
        job = (job + 1) & 0xFF_FFFF
        done.store(0, ordering: .relaxed)
        claim.store(job << 40 | count << Self.field, ordering: .releasing)
        sleepers.lock()
        if sleeping > 0 { sleepers.broadcast() }
        sleepers.unlock()
        drain()
        // Yield while waiting: on a contended machine the worker may need this very core.
        var spins = 0
        while done.load(ordering: .acquiring) < count {
            spins += 1
            if spins & 63 == 0 { sched_yield() }
        }
        task = nil
        busy.store(false, ordering: .releasing)
        return true
    }

    private static func open(_ word: Int) -> Bool { word & mask < (word >> field) & mask }

    private func drain() {
        var word = claim.load(ordering: .acquiring)
        while Self.open(word) {
            let (claimed, seen) = claim.compareExchange(
                expected: word, desired: word + 1, ordering: .acquiringAndReleasing)
            if claimed {
                task!(word & Self.mask)
                done.add(1, ordering: .releasing)
                word = claim.load(ordering: .acquiring)
            } else {
                word = seen
            }
        }
    }

    private func work() {
        while true {
            var spins = 0
            var deadline: UInt64 = 0
            while !Self.open(claim.load(ordering: .acquiring)) {
                spins += 1
                if spins & 1023 != 0 { continue }
                sched_yield()
                let now = DispatchTime.now().uptimeNanoseconds
                if deadline == 0 {
                    deadline = now + spinNanoseconds
                } else if now > deadline {
                    sleepers.lock()
                    while !Self.open(claim.load(ordering: .acquiring)) {
                        sleeping += 1
                        sleepers.wait()
                        sleeping -= 1
                    }
                    sleepers.unlock()
                }
            }
            drain()
        }
    }
}

struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// Memory-bound kernels split their work across all cores from this many elements on: below
/// it the data sits in L2 and one core streams it faster than a hand-off costs.
@usableFromInline let streamingLength = 1 << 20

/// Block length of the parallel `dot`: fixed, so its summation order ignores the thread count.
@usableFromInline let dotBlockLength = 1 << 16

/// Runs `body(lo, hi)` over one contiguous range of 0..<count per thread, range edges
/// multiples of `alignment` (64 keeps every thread on whole cache lines).
/// - Complexity: O(threads) scheduling plus the work of `body`.
@usableFromInline
func forEachRange(_ count: Int, alignment: Int = 64, _ body: (Int, Int) -> Void) {
    let units = (count + alignment - 1) / alignment
    let parts = max(1, min(availableThreads, units))
    parallelFor(parts) { part in
        let lo = min(count, units * part / parts * alignment)
        let hi = min(count, units * (part + 1) / parts * alignment)
        if lo < hi { body(lo, hi) }
    }
}

/// The number of threads `gemm` uses when asked for "automatic": the active cores.
public let availableThreads = max(1, ProcessInfo.processInfo.activeProcessorCount)

/// A small pool of 64-byte aligned scratch buffers, reused across calls.
///
/// GEMM's packing buffers are up to a few MB; a fresh allocation that size is served by `mmap`
/// and page-faults on first touch, which would cost small products more than their arithmetic.
@usableFromInline
final class ScratchPool: @unchecked Sendable {
    @usableFromInline static let shared = ScratchPool()

    private let lock = NSLock()
    private var free: [(pointer: UnsafeMutableRawPointer, bytes: Int)] = []
    private let maxKept = 4

    /// A buffer of at least `bytes` bytes, owned by the caller until `give` returns it.
    /// - Complexity: O(1) amortised, plus an allocation when no kept buffer is large enough.
    func take(bytes: Int) -> (pointer: UnsafeMutableRawPointer, bytes: Int) {
        lock.lock()
        let kept = free.popLast()
        lock.unlock()
        if let kept, kept.bytes >= bytes { return kept }
        kept?.pointer.deallocate()
        return (UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64), bytes)
    }

    /// Returns a buffer from `take` to the pool (or frees it when the pool is full).
    /// - Complexity: O(1).
    func give(_ buffer: (pointer: UnsafeMutableRawPointer, bytes: Int)) {
        lock.lock()
        if free.count < maxKept {
            free.append(buffer)
            lock.unlock()
        } else {
            lock.unlock()
            buffer.pointer.deallocate()
        }
    }

    /// Runs `body` with a scratch buffer of at least `count` elements of `T`.
    /// - Complexity: that of `body`, plus `take`.
    @usableFromInline
    func with<T, R>(_ count: Int, of _: T.Type, _ body: (UnsafeMutablePointer<T>) -> R) -> R {
        let buffer = take(bytes: max(count, 1) * MemoryLayout<T>.stride)
        defer { give(buffer) }
        return body(buffer.pointer.bindMemory(to: T.self, capacity: count))
    }
}
