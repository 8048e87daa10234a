import Foundation
import OptBenchCore
import OptBenchHarness
import OptBenchOptimizers
import OptBenchProblems
import OptBenchReports

extension ExperimentEntry {
    /// `large-batch`: epochs and optimizer steps to a target training accuracy of the MLP on
    /// the built-in MNIST-shaped set against the batch size B, with the learning rate scaled
    /// from its value η₀ at B₀ (the smallest batch) and a linear warm-up from η₀:
    ///
    ///     η(B) = η₀·(B/B₀)^p,   η_t = η(B)·(f + (1 − f)·min(t, T)/T),  f = (B₀/B)^p,
    ///
    /// t in epochs, T = `warmup` epochs; p = 1 (the linear scaling rule) for SGD with momentum
    /// and for LARS, p = ½ (the square-root rule of You et al., 2020) for LAMB.
    ///
    /// Claim (survey §5.5; Goyal et al., 2017; You et al., 2017, 2020; Shallue et al., 2019):
    /// with the linear scaling rule and warm-up, steps to a target fall in proportion to B up to
    /// a critical batch size, past which they stop falling; layer-wise trust ratios (LARS, LAMB)
    /// push the critical batch size further.
    ///
    /// The critical batch size of an optimizer is the smallest B of the grid at which doubling
    /// B no longer cuts the steps by more than 20% (steps(2B) > 0.8·steps(B); a run that misses
    /// the target within `epochs` epochs has infinitely many steps); "> B_max" when every
    /// doubling of the grid cut them, counted as 2·B_max in comparisons.
    ///
    /// Grid: B ∈ `batches` (32, 64, …, 8192), optimizer ∈ {sgd (momentum 0.9), lars (momentum
    /// 0.9, trust ratio on every block), lamb}, base rates `sgd_lr`, `lars_lr`, `lamb_lr`; MLP of
    /// `depth` hidden layers of `width`, `samples` training images, target training accuracy
    /// ≥ `target` within `epochs` epochs, one seed; the accuracy is read `evaluations` times an
    /// epoch (at most once a step), so steps are resolved to n/(`evaluations`·B).
    /// The base rates were the fastest to the target at B₀ on a 3× grid (0.01, 0.03, 0.1 for SGD;
    /// 1, 3, 10 for LARS; 0.001, 0.003, 0.01 for LAMB; ties: the smaller) at the default sizes.
    ///
    /// Verdicts: (1) SGD's critical batch size lies inside the grid; (2) SGD scales nearly
    /// linearly at small batches: steps(2B₀) ≤ 0.6·steps(B₀); (3) LARS's critical batch size
    /// ≥ 2× SGD's; (4) LAMB's critical batch size ≥ 2× SGD's.
    ///
    /// `result.json`: `large_batch`, a list of {batch_size, lr, optimizer, epochs, steps} (null:
    /// not reached; `diverged` says why), and `critical_batch_size`, a list of {optimizer,
    /// batch_size (null: beyond the grid)}.
    public static let largeBatch = ExperimentEntry(
        name: "large-batch",
        summary: "epochs and steps to a target accuracy against batch size with lr scaling and warm-up, SGD vs LARS vs LAMB",
        claim: "With the linear scaling rule and warm-up, steps to a target fall in proportion to the batch size up to a critical batch size; LARS and LAMB push it further (Goyal et al. 2017; You et al. 2017, 2020; Shallue et al. 2019).",
        run: LargeBatchExperiment.run)
}

enum LargeBatchExperiment {
    enum Rule: String, CaseIterable {
        case sgd, lars, lamb
        /// p in η(B) = η₀·(B/B₀)^p.
        var power: Double { self == .lamb ? 0.5 : 1 }
    }

    /// η₀·(B/B₀)^p.
    static func scaledRate(base: Double, batch: Int, smallest: Int, power: Double) -> Double {
        base * Foundation.pow(Double(batch) / Double(smallest), power)
    }

    /// The optimizer settings of one cell: the scaled rate, and a warm-up from the base rate.
    static func settings(_ rule: Rule, base: Double, batch: Int, smallest: Int, warmup: Double) -> [String] {
        let lr = scaledRate(base: base, batch: batch, smallest: smallest, power: rule.power)
        var s = ["lr=\(format17(lr))", "batch_size=\(batch)"]
        if warmup > 0, batch > smallest { s += ["warmup_epochs=\(format17(warmup))", "start_factor=\(format17(base / lr))"] }
        switch rule {
        case .sgd: s += ["momentum=0.9"]
        case .lars: s += ["momentum=0.9", "always_adapt=true"]
        case .lamb: break
        }
        return s
    }

    /// The smallest batch whose doubling cuts the steps by no more than 20% (nil: every doubling did).
    static func criticalBatchSize(batches: [Int], steps: [Double]) -> Int? {
        for k in 0..<(batches.count - 1) where !(steps[k + 1].isFinite && steps[k + 1] <= 0.8 * steps[k]) { return batches[k] }
        return nil
    }

    static func run(_ options: ExperimentOptions) throws -> ExperimentOutcome {
        var sizes = ExperimentSizes("large-batch", options)
        let batches = try sizes.ints("batches", [32, 64, 128, 256, 512, 1024, 2048, 4096, 8192], quick: [32, 64, 128, 256, 512, 1024],
                                     range: 1...1_000_000)
        let samples = try sizes.int("samples", 8192, quick: 1024, range: 2...1_000_000)
        let width = try sizes.int("width", 64, quick: 32, range: 1...4096)
        let depth = try sizes.int("depth", 1, quick: 1, range: 1...100)
        let epochs = try sizes.int("epochs", 30, quick: 30, range: 1...100_000)
        let target = try sizes.double("target", 0.9, quick: 0.85, range: 0...1)
        let warmup = try sizes.double("warmup", 2, quick: 2, range: 0...1000)
        let evaluations = try sizes.int("evaluations", 8, quick: 8, range: 1...1000)
        let bases: [Rule: Double] = [
            .sgd: try sizes.double("sgd_lr", 0.03, quick: 0.03, range: 1e-9...1e3),
            .lars: try sizes.double("lars_lr", 3, quick: 3, range: 1e-9...1e6),
            .lamb: try sizes.double("lamb_lr", 0.01, quick: 0.01, range: 1e-9...1e3),
        ]
        try sizes.finish()
        let smallest = batches.min()!
        guard batches == batches.sorted(), Set(batches).count == batches.count, batches.allSatisfy({ samples % $0 == 0 }) else {
            throw ConfigurationError("experiment 'large-batch': batches=\(batches.map(String.init).joined(separator: ",")) with samples=\(samples) is not valid; expected increasing batch sizes that each divide samples")
        }
        let problem = NetworkTraining.float32(try MLP.entry.make(["width=\(width)", "depth=\(depth)", "samples=\(samples)", "test_samples=0"]))
        let start = problem.initialPoint(seed: 0)

        struct Cell { var rule: Rule; var batch: Int }
        var cells: [Cell] = []
        for r in Rule.allCases { for b in batches { cells.append(Cell(rule: r, batch: b)) } }
        let configured = try cells.map { c in
            let entry: OptimizerEntry = switch c.rule { case .sgd: .sgd; case .lars: .lars; case .lamb: .lamb }
            return try entry.make(settings(c.rule, base: bases[c.rule]!, batch: c.batch, smallest: smallest, warmup: warmup)).float32
        }
        let runs = ExperimentCells.map(cells.count, jobs: options.jobs) { k -> TrainingRun in
            let run = NetworkTraining.train(problem, configured[k], from: start, seed: 0, epochs: epochs,
                                            evaluationsPerEpoch: max(1, min(evaluations, samples / cells[k].batch)),
                                            target: { $0.trainAccuracy >= target })
            options.log("large-batch: \(cells[k].rule.rawValue) B=\(cells[k].batch): "
                + (run.diverged ? "diverged" : run.reached.map { "epoch \(formatNumber($0.epoch)), \($0.steps) steps" } ?? "not reached"))
            return run
        }

        var rows: [[String]] = [], entries: [JSONValue] = [], critical: [Rule: Int?] = [:], criticalJSON: [JSONValue] = []
        var stepSeries: [Rule: [Double]] = [:]
        for r in Rule.allCases {
            var steps: [Double] = []
            for (k, c) in cells.enumerated() where c.rule == r {
                let run = runs[k]
                let lr = scaledRate(base: bases[r]!, batch: c.batch, smallest: smallest, power: r.power)
                steps.append(run.reached.map { Double($0.steps) } ?? .infinity)
                rows.append([r.rawValue, String(c.batch), formatNumber(lr), run.reached.map { formatNumber($0.epoch) } ?? "—",
                             run.reached.map { String($0.steps) } ?? "—",
                             run.diverged ? "diverged" : formatNumber(run.final.trainAccuracy)])
                entries.append(.object([
                    "batch_size": .number(Double(c.batch)), "lr": .number(lr), "optimizer": .string(r.rawValue),
                    "epochs": .finite(run.reached?.epoch), "steps": .finite(run.reached.map { Double($0.steps) }),
                    "diverged": .bool(run.diverged), "final_train_accuracy": .finite(run.final.trainAccuracy),
                ]))
            }
            stepSeries[r] = steps
            let b = criticalBatchSize(batches: batches, steps: steps)
            critical[r] = b
            criticalJSON.append(.object(["optimizer": .string(r.rawValue), "batch_size": .finite(b.map(Double.init))]))
        }

        let largest = batches.max()!
        func criticalValue(_ r: Rule) -> Int { (critical[r] ?? nil) ?? 2 * largest }
        func criticalText(_ r: Rule) -> String { (critical[r] ?? nil).map(String.init) ?? "> \(largest)" }
        let sgdSteps = stepSeries[.sgd]!
        let firstRatio = batches.count > 1 ? sgdSteps[1] / sgdSteps[0] : .nan
        func stepsText(_ v: Double) -> String { v.isFinite ? formatNumber(v) : "not reached" }
        var verdicts = [
            Verdict(test: "SGD: a critical batch size inside the grid (steps stop falling by > 20% per doubling before B = \(largest))",
                    measured: "critical batch size \(criticalText(.sgd))", holds: critical[.sgd]! != nil),
        ]
        if batches.count > 1 {
            verdicts.append(Verdict(
                test: "SGD: near-linear scaling at small batches, steps(B = \(batches[1])) ≤ 0.6·steps(B = \(batches[0]))",
                measured: "\(stepsText(sgdSteps[1])) vs \(stepsText(sgdSteps[0])) steps, ratio \(formatNumber(firstRatio))",
                holds: firstRatio.isFinite && firstRatio <= 0.6))
        }
        for r in [Rule.lars, .lamb] {
            verdicts.append(Verdict(
                test: "\(r.rawValue.uppercased()): critical batch size ≥ 2× SGD's",
                measured: "\(r.rawValue) \(criticalText(r)), sgd \(criticalText(.sgd))", holds: criticalValue(r) >= 2 * criticalValue(.sgd)))
        }

        var plot = SVGPlot(title: "Steps to training accuracy \(formatNumber(target)) against batch size", xTitle: "batch size B",
                           yTitle: "optimizer steps", logX: true, logY: true)
        for r in Rule.allCases {
            plot.series.append(.init(label: r.rawValue, x: batches.map(Double.init), y: stepSeries[r]!.map { $0.isFinite ? $0 : nil }))
        }
        let ideal = sgdSteps[0]
        if ideal.isFinite {
            plot.series.append(.init(label: "perfect scaling from sgd", x: batches.map(Double.init),
                                     y: batches.map { ideal * Double(smallest) / Double($0) }))
        }
        for r in Rule.allCases { if let b = critical[r] ?? nil { plot.references.append(.init(orientation: .vertical, value: Double(b), label: r.rawValue)) } }
        let figure = ExperimentFigure(
            name: "steps-vs-batch.svg",
            caption: "Optimizer steps to training accuracy \(formatNumber(target)) against batch size (lr scaled from B₀ = \(smallest), warm-up \(formatNumber(warmup)) epochs); a missing point did not reach it within \(epochs) epochs; dashed verticals: critical batch sizes.",
            svg: plot.svg())
        return ExperimentOutcome(
            columns: ["optimizer", "B", "lr", "epochs", "steps", "final train accuracy"], rows: rows,
            notes: [sizes.describe([("batches", batches.map(String.init).joined(separator: ",")), ("samples", String(samples)),
                                    ("width", String(width)), ("depth", String(depth)), ("epochs", String(epochs)),
                                    ("target", formatNumber(target)), ("warmup", formatNumber(warmup)), ("evaluations", String(evaluations)),
                                    ("sgd_lr", formatNumber(bases[.sgd]!)), ("lars_lr", formatNumber(bases[.lars]!)),
                                    ("lamb_lr", formatNumber(bases[.lamb]!))]),
                    "critical batch sizes: " + Rule.allCases.map { "\($0.rawValue) \(criticalText($0))" }.joined(separator: ", ")],
            figures: [figure], result: .object(["large_batch": .array(entries), "critical_batch_size": .array(criticalJSON)]),
            verdicts: verdicts)
    }
}
