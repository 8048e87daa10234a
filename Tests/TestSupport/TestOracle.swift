import Core

/// A charging oracle over closures, for testing optimizers without the Problems module.
/// F(w) = (1/n) Σᵢ fᵢ(w); `sampleGradient(i, w)` returns ∇fᵢ(w). Counts calls so tests can
/// check what a rule consumes.
public final class TestOracle: GradientOracle {
    public let dimension: Int
    public let sampleCount: Int
    public let capabilities: OracleCapabilities
    public private(set) var epochs = 0.0
    public private(set) var fullEvaluations = 0
    public private(set) var sampleEvaluations = 0
    let lossFunction: ([Double]) -> Double
    let gradientFunction: ([Double]) -> [Double]
    let sampleGradientFunction: ((Int, [Double]) -> [Double])?
    /// Every batch requested, in order.
    public private(set) var batches: [[Int]] = []
    /// Per-coordinate Lipschitz constants L_j to report, if any (the quadratic sets its diagonal).
    public var coordinateLipschitz: [Double]?

    public init(dimension: Int, sampleCount: Int = 1, loss: @escaping ([Double]) -> Double,
                gradient: @escaping ([Double]) -> [Double], sampleGradient: ((Int, [Double]) -> [Double])? = nil) {
        self.dimension = dimension
        self.sampleCount = sampleCount
        self.lossFunction = loss
        self.gradientFunction = gradient
        self.sampleGradientFunction = sampleGradient
        capabilities = sampleGradient == nil ? [.fullGradient, .coordinates] : [.fullGradient, .sampleGradients, .coordinates]
    }

    /// F(w) = ½ Σⱼ hⱼ wⱼ² − bᵀw, a diagonal quadratic with closed-form minimiser bⱼ/hⱼ.
    public static func quadratic(diagonal h: [Double], linear b: [Double]? = nil) -> TestOracle {
        let b = b ?? [Double](repeating: 0, count: h.count)
        let oracle = TestOracle(dimension: h.count,
                                loss: { w in h.indices.reduce(0) { $0 + 0.5 * h[$1] * w[$1] * w[$1] - b[$1] * w[$1] } },
                                gradient: { w in h.indices.map { h[$0] * w[$0] - b[$0] } })
        oracle.coordinateLipschitz = h
        return oracle
    }

    public func coordinateLipschitzConstants(into constants: UnsafeMutableBufferPointer<Double>) -> Bool {
        guard let l = coordinateLipschitz else { return false }
        for j in 0..<dimension { constants[j] = l[j] }
        return true
    }

    public func loss(at w: UnsafeBufferPointer<Double>) -> Double {
        epochs += 1
        fullEvaluations += 1
        return lossFunction(Array(w))
    }

    public func lossAndGradient(at w: UnsafeBufferPointer<Double>, into gradient: UnsafeMutableBufferPointer<Double>) -> Double {
        epochs += 1
        fullEvaluations += 1
        let x = Array(w)
        for (j, v) in gradientFunction(x).enumerated() { gradient[j] = v }
        return lossFunction(x)
    }

    public func sampleGradient(at w: UnsafeBufferPointer<Double>, samples: UnsafeBufferPointer<Int>, into gradient: UnsafeMutableBufferPointer<Double>) {
        epochs += Double(samples.count) / Double(sampleCount)
        sampleEvaluations += samples.count
        batches.append(Array(samples))
        let x = Array(w)
        for j in 0..<dimension { gradient[j] = 0 }
        for i in samples {
            let g = sampleGradientFunction.map { $0(i, x) } ?? gradientFunction(x)
            for j in 0..<dimension { gradient[j] += g[j] / Double(samples.count) }
        }
    }

    public func coordinateGradient(at w: UnsafeBufferPointer<Double>, coordinate j: Int) -> Double {
        epochs += 1 / Double(dimension)
        return gradientFunction(Array(w))[j]
    }

    public func sampleDerivative(at w: UnsafeBufferPointer<Double>, sample i: Int) -> Double {
        preconditionFailure("TestOracle is not a linear model")
    }
    public func features(ofSample i: Int) -> UnsafeBufferPointer<Double> {
        preconditionFailure("TestOracle is not a linear model")
    }
    public var l2Penalty: Double { 0 }
}
