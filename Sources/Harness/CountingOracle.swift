import Core
import Problems

/// The harness's oracle: forwards every evaluation to the problem and charges it in epochs
/// (Appendix C of the survey): full gradient or loss 1, mini-batch |B|/n, coordinate 1/d,
/// linear-model sample derivative 1/n. Reading feature rows is free.
public final class CountingOracle: GradientOracle {
    public let problem: any Problem
    public let dimension: Int
    public let sampleCount: Int
    public let capabilities: OracleCapabilities
    public private(set) var epochs = 0.0
    // Sample evaluations are accumulated as an integer count so that n of them add up to
    // exactly one epoch, with no rounding drift over long runs.
    private var sampleUnits = 0
    private var fullUnits = 0.0

    public init(problem: any Problem) {
        self.problem = problem
        dimension = problem.dimension
        sampleCount = problem.sampleCount
        capabilities = problem.capabilities
    }

    @inline(__always) private func charge(full: Double = 0, samples: Int = 0) {
        fullUnits += full
        sampleUnits += samples
        epochs = fullUnits + Double(sampleUnits) / Double(sampleCount)
    }

    public func loss(at w: UnsafeBufferPointer<Double>) -> Double {
        charge(full: 1)
        return problem.loss(at: w)
    }

    public func lossAndGradient(at w: UnsafeBufferPointer<Double>, into gradient: UnsafeMutableBufferPointer<Double>) -> Double {
        charge(full: 1)
        return problem.lossAndGradient(at: w, into: gradient)
    }

    public func sampleGradient(at w: UnsafeBufferPointer<Double>, samples: UnsafeBufferPointer<Int>, into gradient: UnsafeMutableBufferPointer<Double>) {
        charge(samples: samples.count)
        problem.sampleGradient(at: w, samples: samples, into: gradient)
    }

    public func coordinateGradient(at w: UnsafeBufferPointer<Double>, coordinate j: Int) -> Double {
        charge(full: 1 / Double(dimension))
        return problem.coordinateGradient(at: w, coordinate: j)
    }

    public func sampleDerivative(at w: UnsafeBufferPointer<Double>, sample i: Int) -> Double {
        charge(samples: 1)
        return problem.sampleDerivative(at: w, sample: i)
    }

    public func features(ofSample i: Int) -> UnsafeBufferPointer<Double> { problem.features(ofSample: i) }

    public var l2Penalty: Double { problem.l2Penalty }

    /// Problem constants, not evaluations: free.
    public func coordinateLipschitzConstants(into constants: UnsafeMutableBufferPointer<Double>) -> Bool {
        problem.coordinateLipschitzConstants(into: constants)
    }
}
