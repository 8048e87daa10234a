import OptBenchCore
import OptBenchHarness
import OptBenchKernels
import OptBenchOptimizers
import OptBenchProblems
import OptBenchReports

extension ExperimentEntry {
    /// `landscape`: the training loss of the MLP on the built-in MNIST-shaped set along two
    /// straight lines, and a lottery-ticket run.
    ///
    /// Lines (Goodfellow, Vinyals & Saxe, 2015): F((1 − α)θ₀ + αθ_A) from the start θ₀ to the
    /// trained θ_A, and F((1 − α)θ_A + αθ_B) between two nets trained from independent starts and
    /// mini-batch orders, α on `points` equally spaced values in [0, 1]. Claim: the line from the
    /// start to the solution goes monotonically down (no barrier); the line between two
    /// independent solutions rises over a barrier (they lie in different basins).
    ///
    /// Lottery tickets (Frankle & Carbin, 2019): train θ_A from θ₀, keep the fraction 1 − s of
    /// weight entries (biases are not pruned) of largest |θ_A| over all weight tensors, rewind the
    /// survivors to their values in θ₀ and retrain with the mask fixed; against a mask of the
    /// same sparsity s drawn at random, also from θ₀. Claim: the magnitude-pruned ticket trains
    /// to a higher test accuracy than the random one at high sparsity.
    ///
    /// Sizes: MLP of `depth` hidden layers of `width`, `samples` training and `test_samples` test
    /// images, SGD with lr `lr` and batch `batch` for `epochs` epochs (every training and
    /// retraining), sparsities `sparsities` (0.8, 0.9, 0.95).
    ///
    /// Verdicts: (1) start→solution line monotone: no step in α raises F by more than 1% of
    /// F(θ₀); (2) a barrier between the two solutions: max_α F > 2× the larger endpoint loss;
    /// (3) at every sparsity, the ticket's test accuracy ≥ random pruning's + 0.01.
    ///
    /// `result.json`: `landscape`, a list of {path (`init-to-final`, `solution-to-solution`),
    /// alpha, loss}, and `lottery`, a list of {pruning (`magnitude`, `random`), sparsity,
    /// test_accuracy}, with `dense_test_accuracy`.
    public static let landscape = ExperimentEntry(
        name: "landscape",
        summary: "loss along straight lines (start→solution, solution→solution) and lottery tickets vs random pruning",
        claim: "The loss falls monotonically on the line from the start to a solution but rises over a barrier between independent solutions (Goodfellow et al. 2015); magnitude-pruned, rewound subnetworks beat random ones (Frankle & Carbin 2019).",
        run: LandscapeExperiment.run)
}

enum LandscapeExperiment {
    /// F along (1 − α)a + αb for each α.
    static func lossAlongLine(_ objective: AnyObjective<Float>, from a: [Float], to b: [Float], alphas: [Double]) -> [Double] {
        alphas.map { alpha in
            let point = zip(a, b).map { Float((1 - alpha) * Double($0) + alpha * Double($1)) }
            return objective.loss(point)
        }
    }

    /// 1 for the `keep` weight entries of largest |w| (ties broken by index), 0 for the other
    /// weight entries, 1 for every entry outside the weight tensors.
    static func magnitudeMask(_ w: [Float], layout: ParameterLayout, sparsity: Double) -> [Float] {
        let weights = layout.blocks.filter { $0.role == .weight }.flatMap { Array($0.range) }
        let keep = weights.count - Int((sparsity * Double(weights.count)).rounded())
        let order = weights.sorted { abs(w[$0]) > abs(w[$1]) || (abs(w[$0]) == abs(w[$1]) && $0 < $1) }
        var mask = [Float](repeating: 1, count: w.count)
        for i in order.dropFirst(keep) { mask[i] = 0 }
        return mask
    }

    /// The same count of pruned weight entries as `magnitudeMask`, chosen by a seeded shuffle.
    static func randomMask(count: Int, layout: ParameterLayout, sparsity: Double, seed: UInt64) -> [Float] {
        var weights = layout.blocks.filter { $0.role == .weight }.flatMap { Array($0.range) }
        let pruned = Int((sparsity * Double(weights.count)).rounded())
        var rng = Xoshiro256(seed: seed, stream: 23)
        for i in stride(from: weights.count - 1, to: 0, by: -1) { weights.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
        var mask = [Float](repeating: 1, count: count)
        for i in weights.prefix(pruned) { mask[i] = 0 }
        return mask
    }

    static func run(_ options: ExperimentOptions) throws -> ExperimentOutcome {
        var sizes = ExperimentSizes("landscape", options)
        let width = try sizes.int("width", 128, quick: 64, range: 1...4096)
        let depth = try sizes.int("depth", 1, quick: 1, range: 1...100)
        let samples = try sizes.int("samples", 4096, quick: 2048, range: 16...1_000_000)
        let testSamples = try sizes.int("test_samples", 1000, quick: 500, range: 1...1_000_000)
        let epochs = try sizes.int("epochs", 10, quick: 6, range: 1...10_000)
        let lr = try sizes.double("lr", 0.1, quick: 0.1, range: 1e-9...1e3)
        let batch = try sizes.int("batch", 32, quick: 32, range: 1...1_000_000)
        let points = try sizes.int("points", 21, quick: 11, range: 2...10_000)
        let sparsities = try sizes.doubles("sparsities", [0.8, 0.9, 0.95], quick: [0.9], range: 0...0.999)
        try sizes.finish()
        let problem = NetworkTraining.float32(try MLP.entry.make([
            "width=\(width)", "depth=\(depth)", "samples=\(samples)", "test_samples=\(testSamples)",
        ]))
        let sgd = try OptimizerEntry.sgd.make(["lr=\(format17(lr))", "batch_size=\(batch)"]).float32
        let layout = problem.layout
        let startA = problem.initialPoint(seed: 1), startB = problem.initialPoint(seed: 2)

        // Cells: the two dense trainings, then (magnitude, random) retrainings per sparsity,
        // which need θ_A; run the first two, then the rest.
        let trained = ExperimentCells.map(2, jobs: options.jobs) { k in
            NetworkTraining.train(problem, sgd, from: k == 0 ? startA : startB, seed: UInt64(k + 1), epochs: epochs)
        }
        let thetaA = trained[0].weights.map { Float($0) }, thetaB = trained[1].weights.map { Float($0) }
        options.log("landscape: trained A (test accuracy \(formatNumber(trained[0].final.testAccuracy ?? .nan))) and B")
        let masks = sparsities.flatMap { s in
            [magnitudeMask(thetaA, layout: layout, sparsity: s), randomMask(count: thetaA.count, layout: layout, sparsity: s, seed: 5)]
        }
        let retrained = ExperimentCells.map(masks.count, jobs: options.jobs) { k -> Double in
            let mask = masks[k]
            let start = zip(startA, mask).map { $0 * $1 }
            let run = NetworkTraining.train(problem, sgd, from: start, seed: 1, epochs: epochs, project: { w in
                for i in 0..<w.count { w[i] *= mask[i] }
            })
            options.log("landscape: \(k % 2 == 0 ? "magnitude" : "random") sparsity \(formatNumber(sparsities[k / 2])): test accuracy \(formatNumber(run.final.testAccuracy ?? .nan))")
            return run.final.testAccuracy ?? .nan
        }

        let alphas = (0..<points).map { Double($0) / Double(points - 1) }
        let objective = problem.makeObjective()
        let initLine = lossAlongLine(objective, from: startA, to: thetaA, alphas: alphas)
        let pairLine = lossAlongLine(objective, from: thetaA, to: thetaB, alphas: alphas)

        var rows: [[String]] = [], landscape: [JSONValue] = [], lottery: [JSONValue] = []
        for (name, line) in [("init-to-final", initLine), ("solution-to-solution", pairLine)] {
            for (a, f) in zip(alphas, line) {
                rows.append([name, formatNumber(a), formatNumber(f)])
                landscape.append(.object(["path": .string(name), "alpha": .number(a), "loss": .finite(f)]))
            }
        }
        let dense = trained[0].final.testAccuracy ?? .nan
        rows.append(["dense (θ_A)", "0", formatNumber(dense)])
        for (k, s) in sparsities.enumerated() {
            for (j, pruning) in ["magnitude", "random"].enumerated() {
                let acc = retrained[2 * k + j]
                rows.append(["\(pruning) pruning, rewound", formatNumber(s), formatNumber(acc)])
                lottery.append(.object(["pruning": .string(pruning), "sparsity": .number(s), "test_accuracy": .finite(acc)]))
            }
        }

        let f0 = initLine[0]
        let worstRise = zip(initLine.dropFirst(), initLine).map { $0 - $1 }.max() ?? 0
        let endpoint = max(pairLine.first!, pairLine.last!), peak = pairLine.max()!
        let margins = sparsities.indices.map { retrained[2 * $0] - retrained[2 * $0 + 1] }
        let verdicts = [
            Verdict(test: "start→solution line monotone: no step in α raises F by more than 1% of F(θ₀)",
                    measured: "largest rise \(formatNumber(worstRise)) (F(θ₀) = \(formatNumber(f0)))", holds: worstRise <= 0.01 * f0),
            Verdict(test: "barrier between two independent solutions: max_α F > 2× the larger endpoint loss",
                    measured: "peak \(formatNumber(peak)), endpoints \(formatNumber(pairLine.first!)) and \(formatNumber(pairLine.last!))",
                    holds: peak > 2 * endpoint),
            Verdict(test: "lottery ticket: at every sparsity the rewound magnitude-pruned net's test accuracy ≥ random pruning's + 0.01",
                    measured: sparsities.indices.map { "s=\(formatNumber(sparsities[$0])): \(formatNumber(retrained[2 * $0])) vs \(formatNumber(retrained[2 * $0 + 1]))" }
                        .joined(separator: "; "),
                    holds: margins.allSatisfy { $0 >= 0.01 }),
        ]

        var linePlot = SVGPlot(title: "Training loss along straight lines", xTitle: "α", yTitle: "training loss F", logX: false, logY: true)
        linePlot.series.append(.init(label: "(1−α)θ₀ + αθ_A", x: alphas, y: initLine))
        linePlot.series.append(.init(label: "(1−α)θ_A + αθ_B", x: alphas, y: pairLine))
        var ticketPlot = SVGPlot(title: "Lottery tickets: test accuracy after retraining", xTitle: "sparsity s",
                                 yTitle: "test accuracy", logX: false, logY: false)
        ticketPlot.series.append(.init(label: "magnitude, rewound", x: sparsities, y: sparsities.indices.map { retrained[2 * $0] }))
        ticketPlot.series.append(.init(label: "random, rewound", x: sparsities, y: sparsities.indices.map { retrained[2 * $0 + 1] }))
        ticketPlot.references.append(.init(orientation: .horizontal, value: dense, label: "dense"))
        let figures = [
            ExperimentFigure(name: "lines.svg",
                             caption: "Training loss on the line from the start θ₀ to the trained θ_A, and between θ_A and θ_B trained from independent starts; \(points) values of α.",
                             svg: linePlot.svg()),
            ExperimentFigure(name: "lottery.svg",
                             caption: "Test accuracy after \(epochs) epochs of retraining from θ₀ under a magnitude mask of θ_A or a random mask of the same sparsity; dashed: the dense θ_A.",
                             svg: ticketPlot.svg()),
        ]
        return ExperimentOutcome(
            columns: ["path or pruning", "α or sparsity", "training loss or test accuracy"], rows: rows,
            notes: [sizes.describe([("width", String(width)), ("depth", String(depth)), ("samples", String(samples)),
                                    ("test_samples", String(testSamples)), ("epochs", String(epochs)), ("lr", formatNumber(lr)),
                                    ("batch", String(batch)), ("points", String(points)),
                                    ("sparsities", sparsities.map(formatNumber).joined(separator: ","))])],
            figures: figures,
            result: .object(["landscape": .array(landscape), "lottery": .array(lottery), "dense_test_accuracy": .finite(dense)]),
            verdicts: verdicts)
    }
}
