import OptBenchCore
import OptBenchKernels

/// A rule whose gradient is a mini-batch of `batch_size` samples (`BatchSize`), the full
/// gradient when the problem declares no mini-batch of its own.
protocol DrawsMiniBatches: Optimizer {
    var batchSize: BatchSize { get }
}

extension DrawsMiniBatches {
    public func resolvedBatchSize(problem: Int?, sampleCount: Int) -> Int? {
        batchSize.resolved(problem: problem, sampleCount: sampleCount, fallback: 0)
    }

    /// |B_t| of a run on `oracle`'s problem.
    func batchSize(on oracle: GradientOracle<Scalar>) -> Int {
        resolvedBatchSize(problem: oracle.miniBatch, sampleCount: oracle.sampleCount)!
    }
}

/// What the per-tensor rules (Adafactor, LAMB, LARS, Adan, Prodigy, Muon) share: the
/// gradient of a step (the full one, or a mini-batch of `batch_size` drawn without
/// replacement), and the layout's blocks as torch's parameter tensors. A layout that does not
/// cover w is read as one 1-D block.
struct BlockGradient<Scalar: KernelScalar> {
    var gradient: [Scalar]
    var sampler: MinibatchSampler
    let batchSize: Int
    /// The blocks of the layout with at least one entry, as torch's parameter tensors.
    let blocks: [ParameterLayout.Block]
    /// The learning-rate schedule s(epoch), built once per run.
    let schedule: Schedule

    init(oracle: GradientOracle<Scalar>, batchSize: Int, schedule: Schedule, seed: UInt64) {
        self.schedule = schedule
        let d = oracle.dimension
        gradient = .init(repeating: 0, count: d)
        self.batchSize = batchSize
        sampler = MinibatchSampler(sampleCount: batchSize == 0 ? 0 : oracle.sampleCount, seed: seed)
        let layout = oracle.layout.dimension == d ? oracle.layout : .single(d)
        blocks = layout.blocks.filter { $0.count > 0 }
    }

    /// g = ∇F(w) or ∇f_B(w), charged to the oracle.
    mutating func draw(at w: UnsafeMutableBufferPointer<Scalar>, oracle: GradientOracle<Scalar>) {
        let wc = UnsafeBufferPointer(w), batch = batchSize
        gradient.withUnsafeMutableBufferPointer { g in
            if batch == 0 {
                _ = oracle.lossAndGradient(at: wc, into: g)
            } else {
                sampler.withNextBatch(size: batch) { oracle.sampleGradient(at: wc, samples: $0, into: g) }
            }
        }
    }
}

extension ParameterLayout.Block {
    /// A block with at most one dimension: torch's `p.ndim <= 1` (biases, norm scales, a
    /// classical problem's vector).
    var isVector: Bool { shape.count <= 1 }
}

/// Σ x², accumulated in Double.
@inline(__always)
func sumOfSquares<Scalar: KernelScalar>(_ x: UnsafePointer<Scalar>, _ n: Int) -> Double {
    var s = 0.0
    for i in 0..<n { s += Double(x[i]) * Double(x[i]) }
    return s
}

/// torch.lerp(a, b, w): a + w(b − a) for |w| < ½, else b − (b − a)(1 − w), as its kernel rounds.
@inline(__always)
func torchLerp(_ a: Double, _ b: Double, _ w: Double) -> Double {
    abs(w) < 0.5 ? a + w * (b - a) : b - (b - a) * (1 - w)
}
