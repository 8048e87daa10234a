import OptBenchKernels

/// The structure of a linear model, fᵢ(w) = φᵢ(xᵢᵀw) + (λ/2)‖w‖², so that
/// ∇fᵢ(w) = φᵢ′(xᵢᵀw)·xᵢ + λw: variance-reduced methods store one scalar per sample instead of a
/// d-vector, and prefetch the rows they will read.
///
/// Evaluating φᵢ′(xᵢᵀw) costs one sample gradient (1/n epoch through the oracle); reading xᵢ is
/// data, not an evaluation, and is free. A class, so that a rule holding it pays no reference
/// counting per sample, and the oracle's charging view adds no second call.
public final class LinearModelView<Scalar: KernelScalar> {
    let evaluate: (UnsafeBufferPointer<Scalar>, Int) -> Scalar
    let rows: ((Int) -> UnsafeBufferPointer<Scalar>)?
    /// Dense row-major features: xᵢ = rowBase[i·rowLength ..< (i+1)·rowLength], read without a call.
    let rowBase: UnsafePointer<Scalar>?
    let rowLength: Int
    /// Where the charges go: nil on the problem's own view, the oracle's ledger on its view.
    let ledger: ChargeLedger?
    /// λ (0 when unregularised).
    public let l2Penalty: Scalar

    public init(derivative: @escaping (UnsafeBufferPointer<Scalar>, Int) -> Scalar,
                features: @escaping (Int) -> UnsafeBufferPointer<Scalar>, l2Penalty: Scalar) {
        evaluate = derivative
        rows = features
        rowBase = nil
        rowLength = 0
        self.l2Penalty = l2Penalty
        ledger = nil
    }

    /// Features stored as a dense row-major n×`rowLength` matrix at `rows`, valid for the
    /// objective's lifetime.
    public init(derivative: @escaping (UnsafeBufferPointer<Scalar>, Int) -> Scalar,
                rows: UnsafePointer<Scalar>, rowLength: Int, l2Penalty: Scalar) {
        evaluate = derivative
        self.rows = nil
        rowBase = rows
        self.rowLength = rowLength
        self.l2Penalty = l2Penalty
        ledger = nil
    }

    /// `view`, charging 1/n epoch to `ledger` per derivative.
    init(charging view: LinearModelView<Scalar>, to ledger: ChargeLedger) {
        evaluate = view.evaluate
        rows = view.rows
        rowBase = view.rowBase
        rowLength = view.rowLength
        l2Penalty = view.l2Penalty
        self.ledger = ledger
    }

    /// φᵢ′(xᵢᵀw) for sample i.
    @inline(__always)
    public func derivative(_ w: UnsafeBufferPointer<Scalar>, _ i: Int) -> Scalar {
        ledger?.chargeSamples(1)
        return evaluate(w, i)
    }

    /// xᵢ, valid for the objective's lifetime.
    @inline(__always)
    public func features(_ i: Int) -> UnsafeBufferPointer<Scalar> {
        if let base = rowBase { return UnsafeBufferPointer(start: base + i * rowLength, count: rowLength) }
        return rows!(i)
    }
}
