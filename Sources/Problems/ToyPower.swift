import Core

/// The survey's one-dimensional toy F(w) = (wᵖ − 1)² with p = 7 by default (`w7`), F* = 0 at w = 1.
///
/// F'(w) = 2p·w^{p−1}(wᵖ − 1). Near w = 0 the gradient vanishes (|F'| ≈ 2p|w|^{p−1}); for
/// |w| > 1 it explodes (≈ 2p|w|^{2p−1}); between lies the good basin around 1. It shows why
/// depth makes step-size choice hard (survey §4.1). The `start` setting picks those regions
/// (see `StartRegion`). A deterministic function: n = 1.
public final class ToyPower: Problem {
    public let power: Int
    let start: Double
    let spread: Double
    public let label: String

    public init(power: Int = 7, start: Double = 0.5, spread: Double = 0, label: String = "w7") {
        self.power = power
        self.start = start
        self.spread = spread
        self.label = label
    }

    public var dimension: Int { 1 }
    public var sampleCount: Int { 1 }
    public var capabilities: OracleCapabilities { [.fullGradient, .sampleGradients, .coordinates] }
    public var optimalValue: Double? { 0 }

    public func initialPoint(seed: UInt64) -> [Double] {
        perturbedStart([start], spread: spread, seed: seed)
    }

    func powers(_ w: Double) -> (wpm1: Double, wp: Double) {
        var r = 1.0
        for _ in 0..<(power - 1) { r *= w }
        return (r, r * w)
    }

    public func loss(at w: UnsafeBufferPointer<Double>) -> Double {
        let e = powers(w[0]).wp - 1
        return e * e
    }

    public func lossAndGradient(at w: UnsafeBufferPointer<Double>, into g: UnsafeMutableBufferPointer<Double>) -> Double {
        let (wpm1, wp) = powers(w[0])
        let e = wp - 1
        g[0] = 2 * Double(power) * wpm1 * e
        return e * e
    }

    public static let entry = ProblemEntry(
        name: "w7",
        summary: "toy F(w) = (w^p − 1)² in 1-D (p = 7): vanishing gradients near 0, exploding past 1",
        settings: [
            .integer("p", 7, range: 1...64, "the power p"),
            .choice("start", StartRegion.names, default: "x0", "starting region: x0, or vanishing (0.2), basin (0.9), exploding (1.5)"),
            .vector("x0", [0.5], "starting point when start=x0 (vanishing region near 0, good basin near 1, exploding past 1)"),
            .real("spread", 0, range: 0...1e6, "std of a seeded Gaussian perturbation of x0"),
        ],
        deterministic: true
    ) { p in
        let x0 = try StartRegion.point(p, dimension: 1, problem: "w7")
        return ToyPower(power: p.integer("p"), start: x0[0], spread: p.real("spread"), label: problemLabel("w7", p))
    }
}
