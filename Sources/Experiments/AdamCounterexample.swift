import Foundation
import OptBenchCore
import OptBenchHarness
import OptBenchKernels
import OptBenchOptimizers
import OptBenchReports

/// Adam's non-convergence on a convex online problem (Reddi, Kale & Kumar, 2018, Theorem 1).
///
/// Claim: on [−1, 1] with f_t(x) = C·x when t ≡ 1 (mod 3) and −x otherwise (C = 3), the
/// summed loss is (C − 2)·x per period, minimised at x = −1. Adam with β₁ = 0,
/// β₂ = 1/(1 + C²) normalises the rare large gradient C by a second moment it has just
/// inflated, and the two small −1 gradients by a moment that has decayed, so its net drift is
/// upward: it ends near +1 with average regret R_T/T bounded away from 0. AMSGrad's running
/// maximum of v keeps the step of the small gradients small and converges to −1, with R_T/T → 0.
/// Both are the catalog's rules (`adam`, `amsgrad`: torch's update with its bias corrections),
/// stepped with α_t = 0.1/√t (the `inverse-power` schedule, power ½, counted in steps),
/// ε = 1e-8, from x₁ = 1, and projected onto [−1, 1] after each step;
/// R_T = Σ_t f_t(x_t) − min_{x∈[−1,1]} Σ_t f_t(x).
/// Verdicts: Adam's final x > 0.9; AMSGrad's final x < −0.9; AMSGrad's average regret below Adam's.
///
/// Settings (`--set`): `T` 100 000 steps, `C` 3. `result.json`: `adam_counterexample`, a list of
/// {optimizer, C, final_x, average_regret}.
extension ExperimentEntry {
    public static let adamCounterexample = ExperimentEntry(
        name: "adam-counterexample", summary: "Reddi et al.'s online problem: projected Adam ends near +1, AMSGrad at the optimum −1",
        claim: "Reddi, Kale & Kumar 2018 (Theorem 1): on the online problem f_t(x) = C·x (t ≡ 1 mod 3), −x otherwise, over [−1, 1] with C = 3, "
            + "Adam with β₁ = 0, β₂ = 1/(1 + C²) converges to the worst point +1 with non-vanishing average regret, while AMSGrad reaches the optimum −1.",
        run: AdamCounterexample.run)
}

/// The measurements of `ExperimentEntry.adamCounterexample`.
public enum AdamCounterexample {
    /// The online losses as an objective: its t-th gradient is f_t′ (C or −1), t counting calls.
    final class OnlineLinear: Objective {
        typealias Scalar = Double
        let c: Double
        private(set) var t = 0
        init(c: Double) { self.c = c }
        var dimension: Int { 1 }
        var sampleCount: Int { 1 }
        func slope(_ t: Int) -> Double { t % 3 == 1 ? c : -1 }
        func loss(at w: UnsafeBufferPointer<Double>) -> Double { slope(t + 1) * w[0] }
        func lossAndGradient(at w: UnsafeBufferPointer<Double>, into gradient: UnsafeMutableBufferPointer<Double>) -> Double {
            t += 1
            gradient[0] = slope(t)
            return slope(t) * w[0]
        }
        func sampleGradient(at w: UnsafeBufferPointer<Double>, samples: UnsafeBufferPointer<Int>, into gradient: UnsafeMutableBufferPointer<Double>) {
            _ = lossAndGradient(at: w, into: gradient)
        }
    }

    /// A projected run: the final x and R_t/t at each of `checkpoints` (sorted step counts).
    public struct Run: Sendable {
        public var finalX: Double
        public var averageRegret: Double
        public var curve: [(t: Int, averageRegret: Double)]
    }

    /// The hyper-parameters of the theorem's setting.
    public static func hyperParameters(c: Double) -> [String] {
        ["lr=0.1", "betas=0,\(1 / (1 + c * c))", "eps=1e-8", "schedule=inverse-power", "power=0.5"]
    }

    /// `entry` (the catalog's `adam` or `amsgrad`) for `steps` steps from x₁ = 1, projected onto [−1, 1].
    public static func run(_ entry: OptimizerEntry, c: Double, steps: Int, checkpoints: [Int]) throws -> Run {
        let rule = try entry.make(hyperParameters(c: c)).float64
        let objective = OnlineLinear(c: c)
        let oracle = GradientOracle(objective: objective)
        let run = rule.start(on: oracle, seed: 0)
        var x = [1.0], incurred = 0.0, curve: [(Int, Double)] = [], next = 0
        var large = 0, small = 0
        for t in 1...steps {
            incurred += objective.slope(t) * x[0]
            if t % 3 == 1 { large += 1 } else { small += 1 }
            x.withUnsafeMutableBufferPointer { run.step($0) }
            x[0] = min(1, max(-1, x[0]))
            if next < checkpoints.count, checkpoints[next] == t {
                let coefficient = c * Double(large) - Double(small)
                curve.append((t, (incurred + abs(coefficient)) / Double(t)))
                next += 1
            }
        }
        let coefficient = c * Double(large) - Double(small)
        return Run(finalX: x[0], averageRegret: (incurred + abs(coefficient)) / Double(steps), curve: curve)
    }

    static func run(_ options: ExperimentOptions) throws -> ExperimentOutcome {
        let name = "adam-counterexample"
        try options.check(keys: ["T", "C"], experiment: name)
        let steps = try options.integer("T", standard: 100_000, quick: 100_000, range: 3...1_000_000_000, experiment: name)
        let c = try options.real("C", standard: 3, quick: 3, range: 2.000001...1e6, experiment: name)
        var checkpoints: [Int] = []
        for k in 0...120 {
            let t = Int(Foundation.pow(Double(steps), Double(k) / 120).rounded())
            if t >= 1, checkpoints.last.map({ t > $0 }) ?? true { checkpoints.append(t) }
        }
        let entries: [OptimizerEntry] = [.adam, .amsgrad]
        let marks = checkpoints
        let runs = try options.map(entries.count) { try run(entries[$0], c: c, steps: steps, checkpoints: marks) }
        var rows: [[String]] = [], list: [JSONValue] = []
        for (e, r) in zip(entries, runs) {
            rows.append([e.name, cell(c), String(format: "%.6f", r.finalX), String(format: "%.6f", r.averageRegret)])
            list.append(.object(["optimizer": .string(e.name), "C": .number(c), "final_x": .finite(r.finalX), "average_regret": .finite(r.averageRegret)]))
        }
        let verdicts = [
            Verdict(test: "Adam final x > 0.9", measured: "x_T = \(String(format: "%.4f", runs[0].finalX))", holds: runs[0].finalX > 0.9),
            Verdict(test: "AMSGrad final x < −0.9", measured: "x_T = \(String(format: "%.4f", runs[1].finalX))", holds: runs[1].finalX < -0.9),
            Verdict(test: "AMSGrad's average regret R_T/T below Adam's",
                    measured: "\(String(format: "%.4f", runs[1].averageRegret)) against \(String(format: "%.4f", runs[0].averageRegret))",
                    holds: runs[1].averageRegret < runs[0].averageRegret),
        ]
        let plot = ExperimentPlot(
            title: "Average regret R_t/t on Reddi et al.'s problem (C = \(cell(c)))", xTitle: "step t", yTitle: "R_t / t", logX: true, logY: false,
            lines: zip(entries, runs).map { .init($0.0.name, x: $0.1.curve.map { Double($0.t) }, y: $0.1.curve.map { $0.averageRegret }) },
            references: [.init(horizontal: true, value: 0, label: "0")])
        return ExperimentOutcome(
            columns: ["optimizer", "C", "final x", "average regret R_T/T"], rows: rows,
            notes: ["T = \(steps) steps; lr 0.1/√t, β₁ = 0, β₂ = 1/(1 + C²) = \(String(format: "%.4f", 1 / (1 + c * c))), ε = 1e-8; x projected onto [−1, 1] after each step; the optimum is x = −1."],
            figures: [plot.figure("regret", caption: "Average regret R_t/t of projected Adam and AMSGrad (the catalog's rules) against the step, log-scale t.")],
            result: .object(["adam_counterexample": .array(list)]), verdicts: verdicts)
    }
}
