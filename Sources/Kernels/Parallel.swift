/// Threading and scratch memory for the blocked kernels.

import Dispatch
import Foundation

/// Runs `body(i)` for i in 0..<count, concurrently when count > 1.
///
/// Every iteration owns a disjoint part of the output, so the result does not depend on how
/// iterations are scheduled. One hand-off costs 20–90 µs here, so callers pass one iteration
/// per thread rather than many small ones.
/// - Complexity: O(count) dispatch overhead plus the work of `body`.
func parallelFor(_ count: Int, _ body: (Int) -> Void) {
    if count <= 1 {
        for i in 0..<count { body(i) }
    } else {
        // Iterations write disjoint memory through raw pointers, which Sendable cannot express.
        withoutActuallyEscaping(body) { body in
            let shared = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: count) { shared.value($0) }
        }
    }
}

struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// The number of threads `gemm` uses when asked for "automatic": the active cores.
let availableThreads = max(1, ProcessInfo.processInfo.activeProcessorCount)

/// A small pool of 64-byte aligned scratch buffers, reused across calls.
///
/// GEMM's packing buffers are up to a few MB; a fresh allocation that size is served by `mmap`
/// and page-faults on first touch, which would cost small products more than their arithmetic.
final class ScratchPool: @unchecked Sendable {
    static let shared = ScratchPool()

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
    func with<T, R>(_ count: Int, of _: T.Type, _ body: (UnsafeMutablePointer<T>) -> R) -> R {
        let buffer = take(bytes: max(count, 1) * MemoryLayout<T>.stride)
        defer { give(buffer) }
        return body(buffer.pointer.bindMemory(to: T.self, capacity: count))
    }
}
