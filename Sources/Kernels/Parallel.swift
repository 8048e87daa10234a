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
/// thread runs which iteration. Waking a `DispatchQueue.concurrentPerform` worker costs tens
/// of microseconds, a sizeable part of a 256³ product, so iterations go to `SpinPool`'s workers,
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
/// sleeping on a condition, so back-to-back products (a training loop, a benchmark) start
/// without a wake-up, while an idle process stops using the cores within milliseconds.
///
/// Workers are kept off the CPU the caller runs on (`WorkerPlacement`): a woken worker is
/// otherwise often queued on its waker's CPU, where it can only run when the caller stops,
/// and on a machine whose other cores are busy the scheduler may leave it there — every job
/// then runs serially, however many workers spin.
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
    private let placement = WorkerPlacement()

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
        placement.keepWorkersOffCallerCPU()
        job = (job + 1) & 0xFF_FFFF
        done.store(0, ordering: .relaxed)
        claim.store(job << 40 | count << Self.field, ordering: .releasing)
        sleepers.lock()
        if sleeping > 0 { sleepers.broadcast() }
        sleepers.unlock()
        drain()
        // Wait for iterations still running on workers. A worker sharing the caller's CPU
        // needs it to progress: yield often then; a worker elsewhere gains nothing from a
        // yield, which on a busy machine hands the CPU away for a whole time slice.
        let yieldMask = placement.separatesCaller ? 0xFFFF : 63
        var spins = 0
        while done.load(ordering: .acquiring) < count {
            spins += 1
            spinPause()
            if spins & yieldMask == 0 { sched_yield() }
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
        placement.register()
        while true {
            var spins = 0
            var deadline: UInt64 = 0
            while !Self.open(claim.load(ordering: .acquiring)) {
                spins += 1
                spinPause()
                if spins & 1023 != 0 { continue }
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

/// Where `SpinPool`'s workers may run: every CPU the process may use but the one its caller is
/// on, re-applied whenever a job starts on a different CPU than the last. Linux only (a no-op
/// elsewhere, or when the process may use a single CPU).
final class WorkerPlacement: @unchecked Sendable {
    #if os(Linux)
    private let lock = NSLock()
    private var threads: [Int32] = []
    /// The process's CPU mask when the pool started, one bit per CPU.
    private let allowed: [UInt64]
    private let cpuCount: Int
    // Read and written only by the caller that holds the pool.
    private var callerCPU: Int32 = -1
    private var placed = 0
    /// Whether the workers were last kept off the caller's CPU.
    private(set) var separatesCaller = false

    init() {
        var mask = [UInt64](repeating: 0, count: 16)
        let ok = mask.withUnsafeMutableBytes { linuxGetAffinity(0, $0.count, $0.baseAddress!) } == 0
        allowed = ok ? mask : []
        cpuCount = allowed.reduce(0) { $0 + $1.nonzeroBitCount }
    }

    /// Called by each worker on its own thread before its first job.
    func register() {
        let tid = linuxThreadID()
        lock.lock()
        threads.append(tid)
        lock.unlock()
    }

    /// Moves the workers off the caller's CPU if it changed since the last job (one system
    /// call per worker then; a `sched_getcpu` otherwise).
    func keepWorkersOffCallerCPU() {
        guard cpuCount > 1 else { return }
        let cpu = linuxCurrentCPU()
        lock.lock()
        let ids = threads
        lock.unlock()
        guard cpu >= 0, cpu != callerCPU || placed != ids.count else { return }
        callerCPU = cpu
        placed = ids.count
        var mask = allowed
        if Int(cpu) < 64 * mask.count { mask[Int(cpu) / 64] &= ~(UInt64(1) << UInt64(cpu % 64)) }
        // The caller runs on a CPU outside the mask it started with: leave the workers be.
        separatesCaller = false
        if mask.reduce(0, { $0 + $1.nonzeroBitCount }) == cpuCount { return }
        separatesCaller = !ids.isEmpty && mask.withUnsafeBytes { raw in
            ids.allSatisfy { linuxSetAffinity($0, raw.count, raw.baseAddress!) == 0 }
        }
    }
    #else
    let separatesCaller = false
    func register() {}
    func keepWorkersOffCallerCPU() {}
    #endif
}

#if os(Linux)
// glibc declares these only under _GNU_SOURCE, which the Glibc module does not set.
@_silgen_name("sched_getaffinity")
private func linuxGetAffinity(_ pid: Int32, _ bytes: Int, _ mask: UnsafeMutableRawPointer) -> Int32
@_silgen_name("sched_setaffinity")
private func linuxSetAffinity(_ pid: Int32, _ bytes: Int, _ mask: UnsafeRawPointer) -> Int32
@_silgen_name("sched_getcpu")
private func linuxCurrentCPU() -> Int32
@_silgen_name("gettid")
private func linuxThreadID() -> Int32
#endif

/// One step of a spin-wait: x86 `pause`, which hands the core's execution resources to a
/// hyperthread sibling (a virtual CPU may be one) and keeps the loop from flooding the memory
/// system with loads; nothing elsewhere.
@inline(__always)
func spinPause() {
    #if arch(x86_64)
    x86Pause()
    #endif
}

#if arch(x86_64)
// LLVM's intrinsic, reached by its IR name (as `_llvmPrefetch` is): one `pause` instruction.
@_silgen_name("llvm.x86.sse2.pause")
private func x86Pause()
#endif

struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// Memory-bound reductions split their work across all cores from this many elements on:
/// below it the data sits in L2 and one core streams it faster than a hand-off costs.
@usableFromInline let streamingLength = 1 << 20

/// Element-wise kernels (axpy, axpby, the optimizers' fused passes) split their work across
/// all cores from this many elements on. An optimizer step meets its parameters and gradient
/// fresh from a backward pass that both cores wrote, not in one core's L2, and a hand-off
/// costs less than a core streaming 2¹⁶ entries; the split changes no entry's arithmetic, so
/// results do not depend on it.
@usableFromInline let elementwiseParallelLength = 1 << 16

/// Block length of the parallel `dot`: fixed, so its summation order ignores the thread count.
@usableFromInline let dotBlockLength = 1 << 16

/// Runs `body(lo, hi)` over one contiguous range of 0..<count per thread, range edges
/// multiples of `alignment` (64 keeps every thread on whole cache lines).
/// - Complexity: O(threads) scheduling plus the work of `body`.
public func forEachRange(_ count: Int, alignment: Int = 64, _ body: (Int, Int) -> Void) {
    let units = (count + alignment - 1) / alignment
    let parts = max(1, min(availableThreads, units))
    parallelFor(parts) { part in
        let lo = min(count, units * part / parts * alignment)
        let hi = min(count, units * (part + 1) / parts * alignment)
        if lo < hi { body(lo, hi) }
    }
}

/// Runs `body(lo, hi)` over 0..<count: on one thread below `threshold` entries (by default
/// `elementwiseParallelLength`), else over one contiguous range per thread (edges on whole
/// cache lines). For element-wise passes, whose entries do not depend on the split.
/// - Complexity: O(threads) scheduling plus the work of `body`.
@inlinable
public func forEachElementwiseRange(_ count: Int, parallelFrom threshold: Int = elementwiseParallelLength,
                                    _ body: (Int, Int) -> Void) {
    if count < threshold {
        if count > 0 { body(0, count) }
    } else {
        forEachRange(count, body)
    }
}

/// The number of threads kernels use (`gemm` when asked for "automatic", the element-wise
/// passes): the active cores, or `OPTBENCH_KERNEL_THREADS` (clamped to 1…cores) when it is set
/// before the first kernel runs, as `optbench bench --kernel-threads N` does. Results do not
/// depend on it: every reduction runs in fixed blocks.
public let availableThreads: Int = {
    let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
    guard let text = getenv("OPTBENCH_KERNEL_THREADS").map({ String(cString: $0) }), let n = Int(text), n >= 1 else { return cores }
    return min(n, cores)
}()

/// A small pool of 64-byte aligned scratch buffers, reused across calls.
///
/// GEMM's packing buffers are up to a few MB; a fresh allocation that size is served by `mmap`
/// and page-faults on first touch, which would cost small products more than their arithmetic.
/// A thread gets back a buffer it used last: one last written by another core would have to
/// be fetched from that core's cache, line by line, before the packing could overwrite it.
@usableFromInline
final class ScratchPool: @unchecked Sendable {
    @usableFromInline static let shared = ScratchPool()

    typealias Buffer = (pointer: UnsafeMutableRawPointer, bytes: Int, owner: pthread_t)
    private let lock = NSLock()
    /// Oldest first.
    private var free: [Buffer] = []
    private let maxKept = 8

    /// A buffer of at least `bytes` bytes, owned by the caller until `give` returns it.
    /// - Complexity: O(kept buffers), plus an allocation when no kept buffer is large enough.
    func take(bytes: Int) -> Buffer {
        let me = pthread_self()
        lock.lock()
        // The smallest of this thread's buffers that fits, else its largest, else any that fits.
        var pick: Int?
        for (i, b) in free.enumerated() where pthread_equal(b.owner, me) != 0 {
            guard let p = pick else { pick = i; continue }
            let best = free[p].bytes
            if b.bytes >= bytes ? (best < bytes || b.bytes < best) : (best < bytes && b.bytes > best) { pick = i }
        }
        if pick.map({ free[$0].bytes < bytes }) ?? true, let i = free.lastIndex(where: { $0.bytes >= bytes }) { pick = i }
        let kept = pick.map { free.remove(at: $0) }
        lock.unlock()
        if let kept, kept.bytes >= bytes { return (kept.pointer, kept.bytes, me) }
        kept?.pointer.deallocate()
        return (UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64), bytes, me)
    }

    /// Returns a buffer from `take` to the pool (freeing the oldest kept one when full).
    /// - Complexity: O(kept buffers).
    func give(_ buffer: Buffer) {
        lock.lock()
        free.append(buffer)
        let dropped = free.count > maxKept ? free.removeFirst() : nil
        lock.unlock()
        dropped?.pointer.deallocate()
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
