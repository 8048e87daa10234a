/// Per-entry optimizer state for `count` parameters — a few rows of equal length (Adam's m, v
/// and v_max; AdaDelta's two accumulators) — and the fused pass that updates θ and every row
/// in one sweep over memory.
///
/// Each row is padded to a whole number of SIMD vectors, so the pass runs one vector body
/// everywhere: the last, partial block of θ and g is copied into zero-padded vectors, run
/// through the same body and copied back. Every entry therefore goes through the same
/// instructions wherever it sits, and its result depends on its own inputs alone; the padding
/// lanes hold whatever zeros in θ and g make of them and are never read back.
public struct MomentBuffers<T: KernelScalar> {
    /// Entries per row.
    public let count: Int
    /// Rows of state.
    public let rows: Int
    /// Distance between rows: `count` rounded up to a multiple of `T.lanes`.
    @usableFromInline let stride: Int
    @usableFromInline var storage: [T]

    /// `rows` rows of `count` entries, each starting at `initialValue`.
    public init(count: Int, rows: Int, initialValue: T = 0) {
        precondition(count >= 0 && rows >= 0, "MomentBuffers needs non-negative sizes")
        self.count = count
        self.rows = rows
        stride = (count + T.lanes - 1) / T.lanes * T.lanes
        storage = .init(repeating: initialValue, count: rows * stride)
    }

    /// Entry `index` of row `row`. - Complexity: O(1).
    public subscript(row: Int, index: Int) -> T {
        precondition(row >= 0 && row < rows && index >= 0 && index < count, "MomentBuffers index out of range")
        return storage[row * stride + index]
    }

    /// Runs `step(&θ, g, state)` on every block of `T.lanes` consecutive entries, where θ and g
    /// are that block of `w` and `gradient` and `state[r]` reads or writes it in row r; θ is
    /// stored back after the step. `step` must be a pure function of its block (the pass runs
    /// on all cores from n = 2¹⁶ on, each entry computed alike whatever the split).
    ///
    /// The pass runs with subnormals flushed to zero (`withSubnormalsFlushedToZero`): a moment
    /// decaying below the smallest normal float becomes 0 where torch.optim keeps it
    /// subnormal, and a subnormal step is not taken. Iterates can differ from torch's only where
    /// such a value would have changed θ, which needs |θ| itself within 2²⁴ of the subnormals.
    /// - Complexity: O(count · rows) memory traffic, one pass.
    @inlinable
    public mutating func update<Step: MomentUpdate>(
        _ w: UnsafeMutableBufferPointer<T>, gradient: UnsafeBufferPointer<T>, _ step: Step
    ) where Step.Scalar == T {
        precondition(w.count == count && gradient.count == count, "MomentBuffers: θ and g must have \(count) entries")
        let n = count, stride = stride
        guard n > 0, let wp = w.baseAddress, let gp = gradient.baseAddress else { return }
        storage.withUnsafeMutableBufferPointer { s in
            let sp = s.baseAddress.unsafelyUnwrapped
            forEachElementwiseRange(n) { lo, hi in withSubnormalsFlushedToZero { Self.pass(lo, hi, wp, gp, sp, stride, step) } }
        }
    }

    /// The pass over entries lo..<hi; only the last range of a split ends in a partial block.
    @inlinable @inline(__always)
    static func pass<Step: MomentUpdate>(
        _ lo: Int, _ hi: Int, _ w: UnsafeMutablePointer<T>, _ g: UnsafePointer<T>, _ s: UnsafeMutablePointer<T>,
        _ stride: Int, _ step: Step
    ) where Step.Scalar == T {
        let lanes = T.lanes
        var i = lo
        while i + lanes <= hi {
            var wv = w.vector(at: i)
            step(&wv, g.vector(at: i), MomentLanes(base: s + i, stride: stride))
            w.store(wv, at: i)
            i += lanes
        }
        guard i < hi else { return }
        var wv = T.Vector(), gv = T.Vector()
        for k in 0..<(hi - i) {
            wv[k] = w[i + k]
            gv[k] = g[i + k]
        }
        step(&wv, gv, MomentLanes(base: s + i, stride: stride))
        for k in 0..<(hi - i) { w[i + k] = wv[k] }
    }
}

/// The update of one block of `Scalar.lanes` entries in a `MomentBuffers` pass: a value holding
/// the step's constants (rates, decays, corrections). A type rather than a closure, so that the
/// specialised pass inlines it into its loop (`@inline(__always)` on `callAsFunction`).
public protocol MomentUpdate {
    associatedtype Scalar: KernelScalar
    /// Updates θ (`w`) and the state rows of one block from its gradient `g`.
    func callAsFunction(_ w: inout Scalar.Vector, _ g: Scalar.Vector, _ state: MomentLanes<Scalar>)
}

/// One block of `T.lanes` entries of every row of a `MomentBuffers`, as a `MomentUpdate` sees
/// it: `lanes[r]` loads or stores the block in row r.
public struct MomentLanes<T: KernelScalar> {
    @usableFromInline let base: UnsafeMutablePointer<T>
    @usableFromInline let stride: Int

    @inlinable @inline(__always)
    init(base: UnsafeMutablePointer<T>, stride: Int) {
        self.base = base
        self.stride = stride
    }

    /// The block in row `row`. - Complexity: O(1).
    @inlinable
    public subscript(row: Int) -> T.Vector {
        @inline(__always) get { base.vector(at: row &* stride) }
        @inline(__always) nonmutating set { base.store(newValue, at: row &* stride) }
    }
}
