import Core
import Kernels

/// The depth-L scalar network F(w) = ½(w₁w₂⋯w_L − 1)², F* = 0 on the hypersurface Πw = 1.
///
/// ∂F/∂w_k = (Π_j w_j − 1)·Π_{j≠k} w_j: every partial derivative carries a product of L − 1
/// factors, so it vanishes geometrically when the factors are below 1 and explodes above; the
/// Hessian at a balanced minimiser (all wᵢ = 1) is the all-ones matrix, with λmax = L. It is
/// `w7` without tied weights, the survey's §4.1 picture of depth. The `start` setting picks
/// the vanishing, basin or exploding region (see `StartRegion`). A deterministic function: n = 1.
public final class ScalarProduct: Problem {
    public let depth: Int
    let start: [Double]
    let spread: Double
    public let label: String
    private var prefix: [Double]

    public init(depth: Int = 7, start: [Double]? = nil, spread: Double = 0, label: String = "product") {
        precondition(depth >= 1)
        self.depth = depth
        self.start = start ?? [Double](repeating: StartRegion.basin.factor!, count: depth)
        precondition(self.start.count == depth)
        self.spread = spread
        self.label = label
        prefix = [Double](repeating: 0, count: depth + 1)
    }

    public var dimension: Int { depth }
    public var sampleCount: Int { 1 }
    public var capabilities: OracleCapabilities { [.fullGradient, .sampleGradients, .coordinates] }
    public var optimalValue: Double? { 0 }
    public var properties: [(name: String, value: Double)] { [("depth", Double(depth)), ("hessian_lambda_max_at_balanced_minimum", Double(depth))] }

    public func initialPoint(seed: UInt64) -> [Double] { perturbedStart(start, spread: spread, seed: seed) }

    public func loss(at w: UnsafeBufferPointer<Double>) -> Double {
        let e = w.reduce(1, *) - 1
        return 0.5 * e * e
    }

    // Prefix and suffix products give every Π_{j≠k} w_j without dividing by a zero factor.
    public func lossAndGradient(at w: UnsafeBufferPointer<Double>, into g: UnsafeMutableBufferPointer<Double>) -> Double {
        prefix[0] = 1
        for k in 0..<depth { prefix[k + 1] = prefix[k] * w[k] }
        let e = prefix[depth] - 1
        var suffix = 1.0
        for k in stride(from: depth - 1, through: 0, by: -1) {
            g[k] = e * prefix[k] * suffix
            suffix *= w[k]
        }
        return 0.5 * e * e
    }

    /// O(L), like the full gradient: no cheaper partial derivative exists.
    public func coordinateGradient(at w: UnsafeBufferPointer<Double>, coordinate j: Int) -> Double {
        var all = 1.0, others = 1.0
        for k in 0..<depth {
            all *= w[k]
            if k != j { others *= w[k] }
        }
        return (all - 1) * others
    }

    public static let entry = ProblemEntry(
        name: "product",
        summary: "depth-L scalar network ½(w₁⋯w_L − 1)²: vanishing and exploding gradients without tied weights, F* = 0",
        settings: [
            .integer("depth", 7, range: 1...1000, "number of factors L (the dimension)"),
            .choice("start", StartRegion.names, default: "basin", "starting region: vanishing (0.2), basin (0.9), exploding (1.5), or x0"),
            .vector("x0", [], "starting point when start=x0 (depth entries)"),
            .real("spread", 0, range: 0...1e6, "std of a seeded Gaussian perturbation of the start (breaks the symmetry of equal factors)"),
        ],
        deterministic: true
    ) { p in
        let depth = p.integer("depth")
        return ScalarProduct(
            depth: depth, start: try StartRegion.point(p, dimension: depth, problem: "product"), spread: p.real("spread"),
            label: problemLabel("product", p))
    }
}
