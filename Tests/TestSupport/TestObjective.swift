import OptBenchCore
import OptBenchKernels

/// An objective F(w) = (1/n) Σᵢ fᵢ(w) given by closures over `[Double]`, in either precision,
/// for testing optimizers through the real `GradientOracle` without the Problems module.
/// `sampleGradient(i, w)` is ∇fᵢ(w) (for n = 1 and none given, ∇F). It offers a coordinate view
/// (each partial read off the full gradient, charged 1/d by the oracle like any partial), with
/// the L_j given, and records every batch it is asked for.
public final class TestObjective<Scalar: KernelScalar>: Objective {
    public let dimension: Int
    public let sampleCount: Int
    public let layout: ParameterLayout
    let lossFunction: ([Double]) -> Double
    let gradientFunction: ([Double]) -> [Double]
    let sampleGradientFunction: ((Int, [Double]) -> [Double])?
    let offersCoordinates: Bool
    let lipschitz: [Double]?
    /// Every batch requested, in order.
    public private(set) var batches: [[Int]] = []

    public init(dimension: Int, sampleCount: Int = 1, layout: ParameterLayout? = nil,
                coordinates: Bool = true, lipschitz: [Double]? = nil,
                loss: @escaping ([Double]) -> Double, gradient: @escaping ([Double]) -> [Double],
                sampleGradient: ((Int, [Double]) -> [Double])? = nil) {
        self.dimension = dimension
        self.sampleCount = sampleCount
        self.layout = layout ?? .single(dimension)
        precondition(self.layout.dimension == dimension, "layout of \(self.layout.dimension) entries for d = \(dimension)")
        lossFunction = loss
        gradientFunction = gradient
        sampleGradientFunction = sampleGradient
        offersCoordinates = coordinates
        self.lipschitz = lipschitz
    }

    /// F(w) = ½ Σⱼ hⱼ wⱼ² − bᵀw, minimised at wⱼ = bⱼ/hⱼ with F* = −½ Σⱼ bⱼ²/hⱼ; its coordinate
    /// view knows L_j = hⱼ unless `lipschitz` is false.
    public static func quadratic(diagonal h: [Double], linear b: [Double]? = nil, layout: ParameterLayout? = nil,
                                 coordinates: Bool = true, lipschitz: Bool = true) -> TestObjective {
        let b = b ?? [Double](repeating: 0, count: h.count)
        return TestObjective(dimension: h.count, layout: layout, coordinates: coordinates, lipschitz: lipschitz ? h : nil,
                             loss: { w in
                                 var s = 0.0
                                 for j in h.indices { s += 0.5 * h[j] * w[j] * w[j] - b[j] * w[j] }
                                 return s
                             },
                             gradient: { w in h.indices.map { h[$0] * w[$0] - b[$0] } })
    }

    /// fᵢ(w) = ½(w − cᵢ)² in one dimension, so ∇fᵢ(w) = w − cᵢ and w* = mean c.
    public static func scalarFiniteSum(_ c: [Double]) -> TestObjective {
        TestObjective(dimension: 1, sampleCount: c.count,
                      loss: { w in c.reduce(0) { $0 + 0.5 * (w[0] - $1) * (w[0] - $1) } / Double(c.count) },
                      gradient: { w in [w[0] - c.reduce(0, +) / Double(c.count)] },
                      sampleGradient: { i, w in [w[0] - c[i]] })
    }

    /// fᵢ(w) = ½ Σⱼ hⱼ (wⱼ − cᵢⱼ)², so ∇fᵢ(w) = h ∘ (w − cᵢ), minimised at the mean of the cᵢ;
    /// L_j = hⱼ. `c` holds the n centres.
    public static func finiteSumQuadratic(diagonal h: [Double], centres c: [[Double]]) -> TestObjective {
        let n = Double(c.count), d = h.count
        var mean = [Double](repeating: 0, count: d)
        for ci in c { for j in 0..<d { mean[j] += ci[j] / n } }
        func sampleLoss(_ w: [Double], _ ci: [Double]) -> Double {
            var s = 0.0
            for j in 0..<d { s += 0.5 * h[j] * (w[j] - ci[j]) * (w[j] - ci[j]) }
            return s
        }
        return TestObjective(
            dimension: d, sampleCount: c.count, lipschitz: h,
            loss: { w in c.reduce(0.0) { $0 + sampleLoss(w, $1) } / n },
            gradient: { w in (0..<d).map { h[$0] * (w[$0] - mean[$0]) } },
            sampleGradient: { i, w in (0..<d).map { h[$0] * (w[$0] - c[i][$0]) } })
    }

    /// Rosenbrock's F(x, y) = (1 − x)² + 100(y − x²)², minimised at (1, 1) with F* = 0.
    public static func rosenbrock() -> TestObjective {
        TestObjective(dimension: 2, coordinates: false,
                      loss: { w in (1 - w[0]) * (1 - w[0]) + 100 * (w[1] - w[0] * w[0]) * (w[1] - w[0] * w[0]) },
                      gradient: rosenbrockGradient)
    }

    func point(_ w: UnsafeBufferPointer<Scalar>) -> [Double] { w.map { Double($0) } }

    public func loss(at w: UnsafeBufferPointer<Scalar>) -> Double { lossFunction(point(w)) }

    public func lossAndGradient(at w: UnsafeBufferPointer<Scalar>, into gradient: UnsafeMutableBufferPointer<Scalar>) -> Double {
        let x = point(w)
        for (j, v) in gradientFunction(x).enumerated() { gradient[j] = Scalar(v) }
        return lossFunction(x)
    }

    public func sampleGradient(at w: UnsafeBufferPointer<Scalar>, samples: UnsafeBufferPointer<Int>,
                               into gradient: UnsafeMutableBufferPointer<Scalar>) {
        batches.append(Array(samples))
        let x = point(w)
        var sum = [Double](repeating: 0, count: dimension)
        for i in samples {
            let g = sampleGradientFunction.map { $0(i, x) } ?? gradientFunction(x)
            for j in 0..<dimension { sum[j] += g[j] / Double(samples.count) }
        }
        for j in 0..<dimension { gradient[j] = Scalar(sum[j]) }
    }

    public func coordinates() -> CoordinateView<Scalar>? {
        guard offersCoordinates else { return nil }
        return CoordinateView(partial: { [unowned self] w, j in Scalar(self.gradientFunction(self.point(w))[j]) },
                              lipschitzConstants: lipschitz)
    }
}

/// ∇ of Rosenbrock's function.
public func rosenbrockGradient(_ w: [Double]) -> [Double] {
    [-2 * (1 - w[0]) - 400 * w[0] * (w[1] - w[0] * w[0]), 200 * (w[1] - w[0] * w[0])]
}
