import OptBenchCore
import OptBenchKernels

/// The survey's one-dimensional toy F(w) = (wᵖ − 1)² with p = 7 by default (`w7`), F* = 0 at w = 1.
///
/// F′(w) = 2p·w^{p−1}(wᵖ − 1). Near w = 0 the gradient vanishes (|F′| ≈ 2p|w|^{p−1}); for
/// |w| > 1 it explodes (≈ 2p|w|^{2p−1}); between lies the good basin around 1. It shows why
/// depth makes step-size choice hard (survey §4.1). With d = 1 the partial derivative is F′
/// itself. A deterministic function: n = 1.
///
/// Start (`init`, see `StartRegion`): `x0` (0.5 by default), a named region (`vanishing`,
/// `basin`, `exploding`), `zeros`, or `gaussian`; `spread` perturbs it.
public final class W7: Problem {
    public let power: Int
    /// The fixed start, nil for a Gaussian draw.
    let start: Double?
    let spread: Double
    public let label: String

    public init(power: Int = 7, start: Double? = 0.5, spread: Double = 0, label: String = "w7") {
        self.power = power
        self.start = start
        self.spread = spread
        self.label = label
    }

    public var dimension: Int { 1 }
    public var sampleCount: Int { 1 }
    public var theory: TheoryConstants { TheoryConstants(sampleCount: 1, dimension: 1, optimalValue: 0) }

    public func initialPoint(seed: UInt64) -> [Double] {
        perturbedStart(start.map { [$0] } ?? gaussianStart(dimension: 1, seed: seed), spread: spread, seed: seed)
    }

    /// (F(w), F′(w)).
    func evaluate(_ w: Double) -> (value: Double, derivative: Double) {
        var wpm1 = 1.0
        for _ in 0..<(power - 1) { wpm1 *= w }
        let e = wpm1 * w - 1
        return (e * e, 2 * Double(power) * wpm1 * e)
    }

    public func loss(at w: UnsafeBufferPointer<Double>) -> Double { evaluate(w[0]).value }

    public func lossAndGradient(at w: UnsafeBufferPointer<Double>, into g: UnsafeMutableBufferPointer<Double>) -> Double {
        let (f, df) = evaluate(w[0])
        g[0] = df
        return f
    }

    /// The only sample is F itself.
    public func sampleGradient(at w: UnsafeBufferPointer<Double>, samples: UnsafeBufferPointer<Int>, into g: UnsafeMutableBufferPointer<Double>) {
        _ = lossAndGradient(at: w, into: g)
    }

    /// ∂F/∂w = F′(w), the whole gradient of a 1-D function.
    public func coordinates() -> CoordinateView<Double>? {
        CoordinateView { [self] w, _ in evaluate(w[0]).derivative }
    }

    public static let entry = ProblemEntry(
        name: "w7", summary: "toy F(w) = (w^p − 1)² in 1-D (p = 7): vanishing gradients near 0, exploding past 1",
        settings: W7Settings.self, deterministic: true,
        memory: { s in estimate(construction: Bytes(), resident: Bytes(), parameters: 1, scalar: 8) }
    ) { s, label in
        let start = try fixedStart(
            x0: s.$x0, region: s.initialization, choices: StartRegion.allCases.map(\.rawValue), dimension: 1, problem: "w7")
        return ProblemInstance(W7(power: s.power, start: start?[0], spread: s.spread, label: label))
    }
}

/// The settings of `w7`.
public struct W7Settings: ParameterSet {
    @Setting("p", range: 1...64, "the power p")
    public var power = 7
    @Setting("init", "start: x0, vanishing (0.2), basin (0.9), exploding (1.5), zeros, or gaussian (N(0, 1) from the run seed)")
    public var initialization = StartRegion.x0
    @Setting("x0", "starting point when init=x0 (vanishing region near 0, good basin near 1, exploding past 1)")
    public var x0 = [0.5]
    @Setting("spread", range: 0...1e6, "std of a seeded Gaussian perturbation of the start")
    public var spread = 0.0
    public init() {}
}
