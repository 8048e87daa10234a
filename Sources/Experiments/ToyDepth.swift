import Foundation
import OptBenchCore
import OptBenchHarness
import OptBenchKernels
import OptBenchOptimizers
import OptBenchProblems
import OptBenchReports

/// Depth makes gradient descent slow from a small start (survey §4.1).
///
/// Claim: on the depth-L scalar network F(w) = ½(w₁⋯w_L − 1)² (the catalog's `product`) from
/// all factors w₀ = 0.5, every partial derivative carries a product of L − 1 factors below 1.
/// GD with lr = 1/L (1/λmax at the balanced minimum) moves each factor by about
/// (1/L)·w^{L−1} per step, so escaping the plateau takes about ∫ L w^{1−L} dw ≈ L/(L−2)·2^{L−2}
/// epochs: exponential in depth, rate ln 2 per layer. The same holds for the tied toy
/// (w^p − 1)² (`w7` with p = L) under lr = 1/(2p²), whose step is the same (1/p)·w^{p−1}. From
/// w₀ = −1 at odd L the product is −1 and GD walks the factors to the saddle w = 0, where the
/// gradient vanishes: the target is never reached (at even L that start is already optimal).
/// From w₀ = 1.2 the gradient grows like 1.2^{2L}: reported as measured.
/// Verdicts: for each problem, the least-squares slope of ln(epochs) against L from w₀ = 0.5
/// within 0.2 of ln 2; from −1 at every odd L, the target not reached within the budget.
///
/// Grid (`--set`): `depths` 2,…,12, w₀ ∈ {0.5, 1.2, −1}, target F < `target` 1e-6 (absolute,
/// F* = 0), `budget` 1 000 000 epochs (quick: 100 000). One epoch = one full gradient, charged
/// by the oracle. `result.json`: `toy_depth`, a list of {problem, L, w0, lr, epochs (null when
/// not reached), status, final_loss}.
extension ExperimentEntry {
    public static let toyDepth = ExperimentEntry(
        name: "toy-depth", summary: "GD epochs on ½(w₁⋯w_L − 1)² and (w^L − 1)² grow like 2^L from 0.5; stuck at the saddle from −1",
        claim: "Survey §4.1: on the depth-L product ½(w₁⋯w_L − 1)² (and the tied toy (w^L − 1)²) started at 0.5, gradient descent needs a "
            + "number of epochs exponential in depth (rate ln 2 per layer), and from −1 at odd depth it stalls at the saddle 0.",
        run: ToyDepth.run)
}

/// The measurements of `ExperimentEntry.toyDepth`.
public enum ToyDepth {
    public static let starts = [0.5, 1.2, -1.0]

    /// How one GD run ended.
    public struct Outcome: Sendable {
        /// Epochs charged when F first fell below the target (0 when it starts there), nil if never.
        public var epochs: Int?
        public var status: String
        public var finalLoss: Double
    }

    /// GD (the catalog's `gd`) with rate `lr` on `problem` from its start until F < `target`,
    /// at most `budget` epochs; F is read uncharged after every step.
    public static func gdEpochs(_ problem: AnyProblem<Double>, lr: Double, target: Double, budget: Int) throws -> Outcome {
        let gd = try OptimizerEntry.gd.make(["lr=\(lr)"]).float64
        let objective = problem.makeObjective()
        let oracle = GradientOracle(objective)
        var w = problem.initialPoint(seed: 0)
        var f = objective.loss(w)
        if f < target { return Outcome(epochs: 0, status: "at optimum", finalLoss: f) }
        let run = gd.start(on: oracle, seed: 0)
        for _ in 0..<budget {
            w.withUnsafeMutableBufferPointer { run.step($0) }
            f = objective.loss(w)
            guard f.isFinite, f < 1e100 else { return Outcome(epochs: nil, status: "diverged", finalLoss: f) }
            if f < target { return Outcome(epochs: Int(oracle.epochs.rounded()), status: "reached", finalLoss: f) }
        }
        return Outcome(epochs: nil, status: "budget", finalLoss: f)
    }

    /// The catalog's problem: `product` of depth L or `w7` with p = L, every factor at w₀.
    public static func problem(_ kind: String, depth: Int, start: Double) throws -> AnyProblem<Double> {
        let instance = kind == "product"
            ? try Product.entry.make(["depth=\(depth)", "init=x0", "x0=" + Array(repeating: "\(start)", count: depth).joined(separator: ",")])
            : try W7.entry.make(["p=\(depth)", "init=x0", "x0=\(start)"])
        guard case .float64(let p) = instance else { preconditionFailure("float64 by default") }
        return p
    }

    /// lr = 1/λmax at the minimum: 1/L for the product, 1/(2p²) for (w^p − 1)².
    public static func learningRate(_ kind: String, depth: Int) -> Double {
        kind == "product" ? 1 / Double(depth) : 1 / (2 * Double(depth * depth))
    }

    static func run(_ options: ExperimentOptions) throws -> ExperimentOutcome {
        let name = "toy-depth"
        try options.check(keys: ["depths", "budget", "target"], experiment: name)
        let depths = try options.integers("depths", standard: Array(2...12), quick: Array(2...12), range: 2...64, experiment: name)
        let budget = try options.integer("budget", standard: 1_000_000, quick: 100_000, range: 1...1_000_000_000, experiment: name)
        let target = try options.real("target", standard: 1e-6, quick: 1e-6, range: 1e-300...1, experiment: name)
        var cells: [(kind: String, L: Int, w0: Double)] = []
        for kind in ["product", "w7"] {
            for w0 in starts {
                for L in depths where !(w0 == -1 && L % 2 == 0) { cells.append((kind, L, w0)) }
            }
        }
        let grid = cells
        let outcomes = try options.map(grid.count) { k in
            let c = grid[k]
            return try gdEpochs(problem(c.kind, depth: c.L, start: c.w0), lr: learningRate(c.kind, depth: c.L), target: target, budget: budget)
        }
        var rows: [[String]] = [], list: [JSONValue] = [], verdicts: [Verdict] = [], notes: [String] = []
        for (k, c) in cells.enumerated() {
            let o = outcomes[k], lr = learningRate(c.kind, depth: c.L)
            rows.append([c.kind == "product" ? "½(w₁⋯w_L − 1)²" : "(w^L − 1)²", String(c.L), cell(c.w0), cell(lr),
                         o.epochs.map(String.init) ?? "—", o.status, String(format: "%.3g", o.finalLoss)])
            list.append(.object(["problem": .string(c.kind), "L": .number(Double(c.L)), "w0": .number(c.w0), "lr": .number(lr),
                                 "epochs": o.epochs.map { .number(Double($0)) } ?? .null, "status": .string(o.status),
                                 "final_loss": .finite(o.finalLoss)]))
        }
        var plot = ExperimentPlot(title: "GD epochs to F < \(formatNumber(target)) against depth", xTitle: "depth L (power p)", yTitle: "epochs", logY: true)
        for kind in ["product", "w7"] {
            let label = kind == "product" ? "½(w₁⋯w_L − 1)²" : "(w^L − 1)²"
            for w0 in starts {
                let ks = cells.indices.filter { cells[$0].kind == kind && cells[$0].w0 == w0 }
                guard w0 != -1 else { continue }
                plot.lines.append(.init("\(label), w₀ = \(cell(w0))", x: ks.map { Double(cells[$0].L) }, y: ks.map { outcomes[$0].epochs.map(Double.init) }))
            }
            let half = cells.indices.filter { cells[$0].kind == kind && cells[$0].w0 == 0.5 && outcomes[$0].epochs.map { $0 > 0 } == true }
            let fit = linearFit(x: half.map { Double(cells[$0].L) }, y: half.map { Foundation.log(Double(outcomes[$0].epochs!)) })
            let slope = fit?.slope ?? .nan
            notes.append("\(label) from 0.5: fitted growth rate \(String(format: "%.3f", slope)) per layer (epochs ∝ e^{rate·L}, ×\(String(format: "%.2f", Foundation.exp(slope))) per layer) over \(half.count) depths.")
            verdicts.append(Verdict(test: "\(label) from w₀ = 0.5: slope of ln(epochs) against L within 0.2 of ln 2 = 0.693",
                                    measured: "slope \(String(format: "%.3f", slope))", holds: abs(slope - Foundation.log(2.0)) <= 0.2))
            let odd = cells.indices.filter { cells[$0].kind == kind && cells[$0].w0 == -1 }
            let stuck = odd.filter { outcomes[$0].epochs == nil }
            verdicts.append(Verdict(test: "\(label) from w₀ = −1 at odd L: the target is not reached within \(budget) epochs (saddle at 0)",
                                    measured: "\(stuck.count) of \(odd.count) odd depths not reached", holds: stuck.count == odd.count))
        }
        notes.append("From −1 only odd depths are run: at even depth the start is already a minimiser (F = 0).")
        notes.append("With equal factors and these rates both toys iterate the same map w ← w − (1/L)·w^{L−1}(w^L − 1); their F differ by the factor ½.")
        return ExperimentOutcome(
            columns: ["problem", "L", "w₀", "lr", "epochs", "status", "final F"], rows: rows, notes: notes,
            figures: [plot.figure("epochs", caption: "Epochs of GD (lr = 1/L for the product, 1/(2p²) for (w^p − 1)²) to F < \(formatNumber(target)) against depth; missing points: not reached (diverged or budget).")],
            result: .object(["toy_depth": .array(list)]), verdicts: verdicts)
    }
}
