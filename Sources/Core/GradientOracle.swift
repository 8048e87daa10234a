import OptBenchKernels

/// Evaluations charged so far, counted as integers in the survey's unit (Appendix C): one epoch
/// is n sample-gradient evaluations, so a full gradient or a loss costs 1, a mini-batch gradient
/// |B|/n, a linear-model sample derivative 1/n, a coordinate partial 1/d.
public struct EpochCharges: Sendable, Equatable {
    /// Losses and full gradients (and line-search trials), each one epoch.
    public internal(set) var full = 0
    /// Sample gradients and sample derivatives, each 1/n epoch.
    public internal(set) var samples = 0
    /// Coordinate partials, each 1/d epoch.
    public internal(set) var coordinates = 0
    public init() {}

    /// full + samples/n + coordinates/d, exact whenever the sum is a whole number of epochs.
    public func epochs(sampleCount n: Int, dimension d: Int) -> Double {
        Double(full) + Double(samples) / Double(n) + Double(coordinates) / Double(d)
    }

    /// Whether at least `epochs` whole epochs have been charged, decided in integers.
    public func reached(_ epochs: Int, sampleCount n: Int, dimension d: Int) -> Bool {
        // full·n·d + samples·d + coordinates·n ≥ epochs·n·d, in 128-bit-safe steps.
        let (nd, o1) = n.multipliedReportingOverflow(by: d)
        guard !o1 else { return self.epochs(sampleCount: n, dimension: d) >= Double(epochs) }
        let total = (full - epochs).multipliedReportingOverflow(by: nd)
        let s = samples.multipliedReportingOverflow(by: d), c = coordinates.multipliedReportingOverflow(by: n)
        guard !total.overflow, !s.overflow, !c.overflow else { return self.epochs(sampleCount: n, dimension: d) >= Double(epochs) }
        return total.partialValue + s.partialValue + c.partialValue >= 0
    }
}

/// The counts, shared by an oracle and its charging views, and their total in units of
/// 1/(n·d) epoch — a sample gradient is d units, a partial n, a full gradient n·d — so that
/// "a whole epoch charged" is one integer comparison, cheap enough to make after every step.
final class ChargeLedger {
    var charges = EpochCharges()
    private(set) var units = 0
    let unitsPerSample: Int, unitsPerCoordinate: Int, unitsPerEpoch: Int

    init(sampleCount n: Int, dimension d: Int) {
        unitsPerSample = d
        unitsPerCoordinate = n
        // n·d ≤ 2^60 for any problem whose data fit in memory.
        unitsPerEpoch = n.multipliedReportingOverflow(by: d).overflow ? Int.max : n * d
    }

    @inline(__always) func chargeFull() {
        charges.full += 1
        units &+= unitsPerEpoch
    }
    @inline(__always) func chargeSamples(_ count: Int) {
        charges.samples += count
        units &+= count &* unitsPerSample
    }
    @inline(__always) func chargeCoordinate() {
        charges.coordinates += 1
        units &+= unitsPerCoordinate
    }
}

/// The only door from an optimizer to a problem: every evaluation through it is charged to the
/// epoch counter (`EpochCharges`), so no optimizer can forget to count. It offers the problem's
/// views as charging views (`linearModel`, `coordinates`, `layers`): nil when the problem does
/// not have that structure. The parameter layout comes with it, for rules with per-block
/// settings.
public final class GradientOracle<Scalar: KernelScalar> {
    public let dimension: Int
    public let sampleCount: Int
    public let layout: ParameterLayout
    /// The problem's own mini-batch, or nil (see `Objective.miniBatch`).
    public let miniBatch: Int?
    let ledger: ChargeLedger
    let objective: AnyObjective<Scalar>
    /// The linear-model view, charging 1/n per sample derivative; nil if the problem has none.
    public let linearModel: LinearModelView<Scalar>?
    /// The coordinate view, charging 1/d per partial; nil if the problem has none.
    public let coordinates: CoordinateView<Scalar>?
    /// The layer view (free: it reads what the last charged mini-batch computed).
    public let layers: LayerView<Scalar>?

    public init(_ objective: AnyObjective<Scalar>) {
        self.objective = objective
        ledger = ChargeLedger(sampleCount: objective.sampleCount, dimension: objective.dimension)
        dimension = objective.dimension
        sampleCount = objective.sampleCount
        layout = objective.layout
        miniBatch = objective.miniBatch
        layers = objective.layerView
        let ledger = self.ledger
        linearModel = objective.linearModelView.map { LinearModelView(charging: $0, to: ledger) }
        coordinates = objective.coordinateView.map { CoordinateView(charging: $0, to: ledger) }
    }

    /// Wraps a concrete objective; call it where the objective's type is known.
    public convenience init<O: Objective>(objective: O) where O.Scalar == Scalar {
        self.init(AnyObjective(objective))
    }

    /// Everything charged so far.
    public var charges: EpochCharges { ledger.charges }

    /// Epochs charged so far.
    public var epochs: Double { ledger.charges.epochs(sampleCount: sampleCount, dimension: dimension) }

    /// Everything charged so far in units of 1/(n·d) epoch (see `unitsPerEpoch`): exact, and
    /// cheap to compare after every step.
    public var chargedUnits: Int { ledger.units }
    /// n·d: the units of one epoch.
    public var unitsPerEpoch: Int { ledger.unitsPerEpoch }

    /// What this oracle's views offer.
    public var capabilities: Capabilities { objective.capabilities }

    /// F(w). Costs 1 epoch.
    public func loss(at w: UnsafeBufferPointer<Scalar>) -> Double {
        ledger.chargeFull()
        return objective.lossFunction(w)
    }

    /// F(w), writing ∇F(w) into `gradient`. Costs 1 epoch.
    public func lossAndGradient(at w: UnsafeBufferPointer<Scalar>, into gradient: UnsafeMutableBufferPointer<Scalar>) -> Double {
        ledger.chargeFull()
        return objective.lossAndGradientFunction(w, gradient)
    }

    /// (1/|B|) Σ_{i∈B} ∇fᵢ(w) into `gradient`. Costs |B|/n epochs.
    public func sampleGradient(at w: UnsafeBufferPointer<Scalar>, samples: UnsafeBufferPointer<Int>,
                               into gradient: UnsafeMutableBufferPointer<Scalar>) {
        ledger.chargeSamples(samples.count)
        objective.sampleGradientFunction(w, samples, gradient)
    }
}
