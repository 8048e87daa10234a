import OptBenchCore
import OptBenchHarness
import OptBenchProblems
import OptBenchReports

extension ExperimentEntry {
    /// `deep-linear-init`: epochs of full-batch gradient descent to a relative loss ε on a deep
    /// linear network F = ‖Y − W_L⋯W₁X‖²_F/(2N) (`DeepLinearNetwork`, realizable Y = AX so
    /// F* = 0) against depth L, from orthogonal and from scaled Gaussian starts (entries
    /// N(0, 1/fan-in), variance-preserving on average). Inputs and outputs have `input` entries
    /// and the L − 1 hidden layers `width` > `input`: with all layers square, a start whose
    /// product has a determinant of the wrong sign must cross a singular matrix to reach A, which
    /// stalls GD at any depth and from any start, hiding the effect of depth.
    ///
    /// Claim (Saxe, McClelland & Ganguli, 2014, §3–4): with orthogonal initialisation the
    /// end-to-end map starts as an isometry, every layer's gradient is of the same size, and with
    /// the step scaled as η/L the learning time is nearly independent of depth; products of
    /// Gaussian matrices spread their singular values with depth, so the time grows.
    ///
    /// Grid: L ∈ `depths` (2, 4, 8, 16, 32), init ∈ {orthogonal, gaussian}, `seeds` starts each
    /// (median reported); GD with lr = `eta`/L, N = `samples`, at most `budget`
    /// epochs (one epoch is one full gradient), target F/F₀ ≤ `epsilon`.
    ///
    /// Verdicts: orthogonal — median epochs at the deepest L ≤ 2× those at the shallowest;
    /// Gaussian — median epochs at the deepest L > 4× those at the shallowest (a run past the
    /// budget counts as more than the budget).
    ///
    /// `result.json`: `deep_linear_init`, a list of {depth, init, lr, epochs (median, null when
    /// not reached), epochs_by_seed (null entries: budget or divergence)}.
    public static let deepLinearInit = ExperimentEntry(
        name: "deep-linear-init",
        summary: "epochs to ε of deep linear nets against depth: orthogonal vs scaled Gaussian initialisation",
        claim: "Orthogonal initialisation makes deep linear nets learn in nearly depth-independent time; scaled Gaussian starts slow down with depth (Saxe et al., 2014).",
        run: DeepLinearInitExperiment.run)
}

enum DeepLinearInitExperiment {
    static let inits: [DeepLinearNetwork.Initialization] = [.orthogonal, .gaussian]

    static func run(_ options: ExperimentOptions) throws -> ExperimentOutcome {
        var sizes = ExperimentSizes("deep-linear-init", options)
        let depths = try sizes.ints("depths", [2, 4, 8, 16, 32], quick: [2, 8, 32], range: 1...256)
        let input = try sizes.int("input", 8, quick: 8, range: 1...512)
        let width = try sizes.int("width", 16, quick: 16, range: 1...512)
        let samples = try sizes.int("samples", 32, quick: 32, range: 1...100_000)
        let seeds = try sizes.int("seeds", 3, quick: 1, range: 1...100)
        let budget = try sizes.int("budget", 10000, quick: 1500, range: 1...10_000_000)
        let eta = try sizes.double("eta", 0.2, quick: 0.2, range: 1e-9...100)
        let epsilon = try sizes.double("epsilon", 1e-3, quick: 1e-3, range: 1e-15...1)
        try sizes.finish()

        struct Cell { var depth: Int; var initialization: DeepLinearNetwork.Initialization; var seed: Int }
        var cells: [Cell] = []
        for depth in depths { for i in inits { for s in 0..<seeds { cells.append(Cell(depth: depth, initialization: i, seed: s)) } } }
        let epochs = ExperimentCells.map(cells.count, jobs: options.jobs) { k -> Int? in
            let c = cells[k]
            let problem = DeepLinearNetwork.synthetic(
                widths: [input] + Array(repeating: width, count: c.depth - 1) + [input], samples: samples, noise: 0, seed: 0, initialization: c.initialization)
            let r = gradientDescent(problem, seed: UInt64(c.seed), lr: eta / Double(c.depth), epsilon: epsilon, budget: budget)
            options.log("deep-linear-init: L=\(c.depth) \(c.initialization.rawValue) seed \(c.seed): \(r.map(String.init) ?? "not reached")")
            return r
        }

        var rows: [[String]] = [], entries: [JSONValue] = []
        var medians: [DeepLinearNetwork.Initialization: [Double]] = [:]
        var lows: [DeepLinearNetwork.Initialization: [Double?]] = [:], highs: [DeepLinearNetwork.Initialization: [Double?]] = [:]
        for depth in depths {
            for i in inits {
                let runs = cells.indices.filter { cells[$0].depth == depth && cells[$0].initialization == i }.map { epochs[$0] }
                let values = runs.map { $0.map(Double.init) ?? .infinity }
                let m = median(values)
                medians[i, default: []].append(m)
                lows[i, default: []].append(values.min().flatMap { $0.isFinite ? $0 : nil })
                highs[i, default: []].append(values.max().flatMap { $0.isFinite ? $0 : nil })
                let lr = eta / Double(depth)
                rows.append([String(depth), i.rawValue, formatNumber(lr), m.isFinite ? formatNumber(m) : "> \(budget)",
                             runs.map { $0.map(String.init) ?? "—" }.joined(separator: " ")])
                entries.append(.object([
                    "depth": .number(Double(depth)), "init": .string(i.rawValue), "lr": .number(lr), "epochs": .finite(m),
                    "epochs_by_seed": .array(runs.map { .finite($0.map(Double.init)) }),
                ]))
            }
        }

        func growth(_ i: DeepLinearNetwork.Initialization) -> (ratio: Double, text: String) {
            let first = medians[i]!.first!, last = medians[i]!.last!
            func show(_ v: Double) -> String { v.isFinite ? formatNumber(v) : "> \(budget)" }
            let ratio = last.isFinite ? last / first : Double(budget) / first
            let bound = last.isFinite ? "" : " at least"
            return (ratio, "L=\(depths.first!): \(show(first)) epochs, L=\(depths.last!): \(show(last)) epochs, ratio\(bound) \(formatNumber(ratio))")
        }
        let orthogonal = growth(.orthogonal), gaussian = growth(.gaussian)
        let verdicts = [
            Verdict(test: "orthogonal: median epochs at L = \(depths.last!) ≤ 2× those at L = \(depths.first!)",
                    measured: orthogonal.text, holds: medians[.orthogonal]!.last!.isFinite && orthogonal.ratio <= 2),
            Verdict(test: "Gaussian: median epochs grow by more than 4× from L = \(depths.first!) to L = \(depths.last!)",
                    measured: gaussian.text, holds: gaussian.ratio > 4 && medians[.gaussian]!.first!.isFinite),
        ]

        var plot = SVGPlot(title: "Deep linear networks: epochs to F/F₀ ≤ \(formatNumber(epsilon))", xTitle: "depth L",
                           yTitle: "epochs (GD, lr = \(formatNumber(eta))/L)", logX: true, logY: true)
        for i in inits {
            plot.series.append(.init(label: "\(i.rawValue) (median of \(seeds))", x: depths.map(Double.init),
                                     y: medians[i]!.map { $0.isFinite ? $0 : nil }, lower: lows[i]!, upper: highs[i]!))
        }
        plot.references.append(.init(orientation: .horizontal, value: Double(budget), label: "budget"))
        let figure = ExperimentFigure(
            name: "epochs-vs-depth.svg",
            caption: "Epochs of GD to F/F₀ ≤ \(formatNumber(epsilon)) against depth, median over \(seeds) starts (band: min–max); a missing point did not reach the target within \(budget) epochs.",
            svg: plot.svg())

        return ExperimentOutcome(
            columns: ["L", "init", "lr", "epochs (median)", "epochs by seed"], rows: rows,
            notes: [sizes.describe([("depths", depths.map(String.init).joined(separator: ",")), ("input", String(input)), ("width", String(width)),
                                    ("samples", String(samples)), ("seeds", String(seeds)), ("budget", String(budget)),
                                    ("eta", formatNumber(eta)), ("epsilon", formatNumber(epsilon))]),
                    "— : not reached within the budget (or diverged)."],
            figures: [figure], result: .object(["deep_linear_init": .array(entries)]), verdicts: verdicts)
    }

    /// Epochs of w ← w − lr·∇F(w) until F(w) ≤ ε·F(w₀) (F* = 0), nil past `budget` or when F
    /// stops being finite or exceeds 10⁴·F(w₀).
    static func gradientDescent(_ problem: DeepLinearNetwork, seed: UInt64, lr: Double, epsilon: Double, budget: Int) -> Int? {
        var w = problem.initialPoint(seed: seed)
        var g = [Double](repeating: 0, count: problem.dimension)
        var f0 = 0.0
        for k in 0...budget {
            let f = w.withUnsafeBufferPointer { wp in g.withUnsafeMutableBufferPointer { problem.lossAndGradient(at: wp, into: $0) } }
            if k == 0 { f0 = f }
            guard f.isFinite, f <= 1e4 * f0 else { return nil }
            if f <= epsilon * f0 { return k }
            if k == budget { break }
            for j in w.indices { w[j] -= lr * g[j] }
        }
        return nil
    }
}
