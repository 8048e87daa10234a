import OptBenchCore
import OptBenchHarness
import OptBenchProblems
import OptBenchReports

extension ExperimentEntry {
    /// `edge-of-stability`: the sharpness λmax(∇²F) along full-batch gradient descent on a small
    /// tanh MLP with squared error on one-hot labels (the built-in MNIST-shaped set, float64), at
    /// several learning rates, next to 2/lr. The sharpness is measured every `every` steps by
    /// Lanczos on finite-difference Hessian-vector products (`HessianSharpness`).
    ///
    /// Claim (Cohen, Kaur, Li, Kolter & Talwalkar, 2021): under GD the sharpness rises
    /// (progressive sharpening) until it reaches 2/lr, the largest value at which GD on a
    /// quadratic is stable, and then hovers just above it while the loss keeps falling,
    /// non-monotonically.
    ///
    /// Grid: lr ∈ `lrs` (0.025, 0.04, 0.06: 2/lr from 80 down to 33, below the sharpness at the
    /// start, about 230, which GD leaves in its first steps), `steps` GD steps each, one start; MLP of `depth` hidden layers of
    /// `width`, `samples` training images; `lanczos` Lanczos steps per measurement.
    ///
    /// Verdicts, one per lr: the median sharpness over the last half of training lies within
    /// [0.8, 1.2]·2/lr.
    ///
    /// `result.json`: `edge_of_stability`, a list of {lr, step, sharpness, two_over_lr, loss}.
    public static let edgeOfStability = ExperimentEntry(
        name: "edge-of-stability",
        summary: "top Hessian eigenvalue (Lanczos) along full-batch GD on a small MLP at several learning rates, next to 2/lr",
        claim: "Under full-batch gradient descent the sharpness rises to 2/lr and hovers there (Cohen et al., 2021).",
        run: EdgeOfStabilityExperiment.run)
}

enum EdgeOfStabilityExperiment {
    struct Point { var step: Int; var sharpness: Double; var loss: Double }

    static func run(_ options: ExperimentOptions) throws -> ExperimentOutcome {
        var sizes = ExperimentSizes("edge-of-stability", options)
        let lrs = try sizes.doubles("lrs", [0.025, 0.04, 0.06], quick: [0.04, 0.06], range: 1e-9...1e3)
        let steps = try sizes.int("steps", 2000, quick: 600, range: 2...10_000_000)
        let every = try sizes.int("every", 25, quick: 50, range: 1...1_000_000)
        let width = try sizes.int("width", 32, quick: 32, range: 1...4096)
        let depth = try sizes.int("depth", 2, quick: 2, range: 1...100)
        let samples = try sizes.int("samples", 256, quick: 256, range: 2...1_000_000)
        let lanczos = try sizes.int("lanczos", 20, quick: 12, range: 2...1000)
        try sizes.finish()
        let problem = NetworkTraining.float64(try MLP.entry.make([
            "dtype=float64", "width=\(width)", "depth=\(depth)", "samples=\(samples)", "test_samples=0",
            "activation=tanh", "loss=squared-error",
        ]))
        let start = problem.initialPoint(seed: 0)

        let curves = ExperimentCells.map(lrs.count, jobs: options.jobs) { k -> [Point] in
            let lr = lrs[k]
            let objective = problem.makeObjective()
            var w = start
            var points: [Point] = []
            for t in 0...steps {
                let (f, g) = objective.lossAndGradient(w)
                if t % every == 0 || t == steps {
                    let s = f.isFinite ? HessianSharpness.largest(objective, at: w, steps: lanczos, seed: UInt64(t)) : .nan
                    points.append(Point(step: t, sharpness: s, loss: f))
                }
                guard f.isFinite, t < steps else { break }
                for i in w.indices { w[i] -= lr * g[i] }
            }
            options.log("edge-of-stability: lr=\(formatNumber(lr)) final sharpness \(formatNumber(points.last!.sharpness)) vs 2/lr = \(formatNumber(2 / lr))")
            return points
        }

        var rows: [[String]] = [], entries: [JSONValue] = [], verdicts: [Verdict] = []
        for (k, lr) in lrs.enumerated() {
            let points = curves[k]
            for p in points {
                rows.append([formatNumber(lr), String(p.step), formatNumber(p.sharpness), formatNumber(2 / lr), formatNumber(p.loss)])
                entries.append(.object([
                    "lr": .number(lr), "step": .number(Double(p.step)), "sharpness": .finite(p.sharpness),
                    "two_over_lr": .number(2 / lr), "loss": .finite(p.loss),
                ]))
            }
            let late = points.filter { $0.step >= steps / 2 }.map(\.sharpness)
            let m = late.contains { !$0.isFinite } || late.isEmpty ? Double.nan : median(late)
            let ratio = m / (2 / lr)
            verdicts.append(Verdict(
                test: "lr = \(formatNumber(lr)): median sharpness over steps \(steps / 2)…\(steps) within [0.8, 1.2]·2/lr",
                measured: "median \(formatNumber(m)), 2/lr = \(formatNumber(2 / lr)), ratio \(formatNumber(ratio)); start \(formatNumber(points[0].sharpness))",
                holds: ratio >= 0.8 && ratio <= 1.2))
        }

        var sharpPlot = SVGPlot(title: "Sharpness along full-batch GD", xTitle: "step", yTitle: "λmax(∇²F)", logX: false, logY: true)
        var lossPlot = SVGPlot(title: "Training loss along full-batch GD", xTitle: "step", yTitle: "training loss F", logX: false, logY: true)
        for (k, lr) in lrs.enumerated() {
            let points = curves[k]
            sharpPlot.series.append(.init(label: "lr = \(formatNumber(lr))", x: points.map { Double($0.step) }, y: points.map(\.sharpness)))
            sharpPlot.references.append(.init(orientation: .horizontal, value: 2 / lr, label: "2/\(formatNumber(lr))"))
            lossPlot.series.append(.init(label: "lr = \(formatNumber(lr))", x: points.map { Double($0.step) }, y: points.map(\.loss)))
        }
        let figures = [
            ExperimentFigure(name: "sharpness.svg",
                             caption: "Top Hessian eigenvalue (Lanczos, \(lanczos) steps on finite-difference Hessian-vector products) every \(every) GD steps; dashed: 2/lr.",
                             svg: sharpPlot.svg()),
            ExperimentFigure(name: "loss.svg", caption: "Training loss at the same steps.", svg: lossPlot.svg()),
        ]
        return ExperimentOutcome(
            columns: ["lr", "step", "sharpness", "2/lr", "loss"], rows: rows,
            notes: [sizes.describe([("lrs", lrs.map(formatNumber).joined(separator: ",")), ("steps", String(steps)), ("every", String(every)),
                                    ("width", String(width)), ("depth", String(depth)), ("samples", String(samples)),
                                    ("lanczos", String(lanczos))])],
            figures: figures, result: .object(["edge_of_stability": .array(entries)]), verdicts: verdicts)
    }
}
