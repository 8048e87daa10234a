import OptBenchHarness
import Foundation

/// A suite's results as one self-contained static page: `index.html` with the result table,
/// per problem the convergence of each optimizer (median over seeds, min–max band) against
/// epochs and against seconds, performance profiles over epochs and over time with each
/// solver's integrated score at the suite's ε, and the scores at looser targets
/// (`TargetRankings`). Inline CSS and SVG only: no scripts, fonts or links. Every figure is also
/// written as a standalone SVG under `figures/`.
public struct HTMLReport {
    public var suite: Suite
    public var command: String
    public var problemLabels: [String]
    public var optimizerLabels: [String]
    public var pairs: [PairSummary]
    /// The tuned cells' traces: `traces[k]` is of `traceCells[k]`, `seeds.count` consecutive
    /// traces (seeds in order) per (problem, optimizer), as `TraceWriter.write` receives them.
    public var traces: [RunResult]
    public var traceCells: [(problem: Int, optimizer: Int)]
    public var seeds: [UInt64]
    public var rankings: TargetRankings
    /// Whether the page shows wall-clock figures (convergence against seconds, the profile and
    /// scores over time). `index.html` does not — it holds results only, the same on every
    /// machine and every rerun; `timings.html` beside it does, and git does not track it.
    public var timings = true

    /// AlgoPerf's τ_max for the integrated score.
    static let tauMax = 4.0
    /// At most this many points per convergence line.
    static let maxPoints = 240

    public init(suite: Suite, command: String, problemLabels: [String], optimizerLabels: [String], pairs: [PairSummary],
                traces: [RunResult], traceCells: [(problem: Int, optimizer: Int)], seeds: [UInt64], rankings: TargetRankings? = nil) {
        self.suite = suite
        self.command = command
        self.problemLabels = problemLabels
        self.optimizerLabels = optimizerLabels
        self.pairs = pairs
        self.traces = traces
        self.traceCells = traceCells
        self.seeds = seeds
        self.rankings = rankings ?? TargetRankings(suite: suite, problemLabels: problemLabels, optimizerLabels: optimizerLabels,
                                                   traces: traces, traceCells: traceCells)
    }

    /// One figure: its file name under `figures/`, a caption and the SVG.
    struct Figure {
        var name: String
        var caption: String
        var svg: String
    }

    var table: ResultReport {
        ResultReport(suite: suite, command: command, problemLabels: problemLabels, optimizerLabels: optimizerLabels, pairs: pairs,
                     rankings: rankings)
    }

    // MARK: Traces

    /// The seeds' traces of each (problem, optimizer), keyed by problem then optimizer index.
    func groupedTraces() -> [Int: [Int: [RunResult]]] {
        var out: [Int: [Int: [RunResult]]] = [:]
        let group = max(1, seeds.count)
        var k = 0
        while k < traces.count, k < traceCells.count {
            let (i, j) = traceCells[k]
            let end = min(k + group, traces.count)
            out[i, default: [:]][j, default: []] += traces[k..<end]
            k = end
        }
        return out
    }

    /// The plotted quantity of a record: relative suboptimality where F* is known, else the loss.
    static func value(_ r: TraceRecord, suboptimality: Bool) -> Double? {
        let v = suboptimality ? r.suboptimality : r.loss
        guard let v, v.isFinite, v > 0 else { return nil }
        return v
    }

    /// Median and min–max over seeds on a common x grid (the union of the seeds' x, thinned),
    /// interpolating each seed linearly in log y between its records; a seed counts only inside
    /// its own x range, and not across a record it cannot show (a diverged loss).
    static func aggregate(_ runs: [RunResult], x: (TraceRecord) -> Double, suboptimality: Bool)
        -> (x: [Double], median: [Double?], lower: [Double?], upper: [Double?]) {
        let curves: [[(x: Double, y: Double?)]] = runs.map { run in
            run.records.compactMap { r in
                let xv = x(r)
                guard xv.isFinite else { return nil }
                return (xv, value(r, suboptimality: suboptimality).map { Foundation.log10($0) })
            }
        }
        var grid = Array(Set(curves.flatMap { $0.map(\.x) })).sorted()
        if grid.count > maxPoints {
            let last = grid.count - 1
            grid = (0..<maxPoints).map { grid[Int((Double($0) * Double(last) / Double(maxPoints - 1)).rounded())] }
        }
        func at(_ c: [(x: Double, y: Double?)], _ gx: Double) -> Double? {
            guard let first = c.first, let last = c.last, gx >= first.x, gx <= last.x else { return nil }
            // The last record at or before gx.
            var lo = 0, hi = c.count - 1
            while lo < hi {
                let mid = (lo + hi + 1) / 2
                if c[mid].x <= gx { lo = mid } else { hi = mid - 1 }
            }
            guard let y0 = c[lo].y else { return nil }
            if c[lo].x == gx || lo == c.count - 1 { return y0 }
            guard let y1 = c[lo + 1].y else { return nil }
            let t = (gx - c[lo].x) / (c[lo + 1].x - c[lo].x)
            return y0 + t * (y1 - y0)
        }
        var median: [Double?] = [], lower: [Double?] = [], upper: [Double?] = []
        for gx in grid {
            let ys = curves.compactMap { at($0, gx) }.sorted()
            guard !ys.isEmpty else { median.append(nil); lower.append(nil); upper.append(nil); continue }
            // The median only while more than half the seeds are still running (a seed that stopped
            // at ε would otherwise make it jump back up); the band covers whichever seeds remain.
            if 2 * ys.count > curves.count {
                let m = ys.count % 2 == 1 ? ys[ys.count / 2] : (ys[ys.count / 2 - 1] + ys[ys.count / 2]) / 2
                median.append(Foundation.pow(10, m))
            } else {
                median.append(nil)
            }
            lower.append(Foundation.pow(10, ys.first!))
            upper.append(Foundation.pow(10, ys.last!))
        }
        return (grid, median, lower, upper)
    }

    // MARK: Figures

    /// Unique file names: the slug, with `-2`, `-3`… on a clash.
    static func uniqueNames(_ names: [String]) -> [String] {
        var seen: [String: Int] = [:]
        return names.map { n in
            let c = seen[n, default: 0] + 1
            seen[n] = c
            return c == 1 ? n : "\(n)-\(c)"
        }
    }

    /// The two convergence figures (epochs, seconds) of each problem with at least one trace.
    func convergenceFigures() -> [(problem: Int, epochs: Figure, seconds: Figure)] {
        let grouped = groupedTraces()
        let slugs = Self.uniqueNames(problemLabels.map { fileSlug($0).isEmpty ? "problem" : fileSlug($0) })
        var out: [(Int, Figure, Figure)] = []
        for (i, label) in problemLabels.enumerated() {
            guard let byOptimizer = grouped[i], !byOptimizer.isEmpty else { continue }
            let all = byOptimizer.values.flatMap { $0 }
            let useSub = all.contains { $0.records.contains { $0.suboptimality != nil } }
            let quantity = useSub ? "relative suboptimality (F − F*)/(F₀ − F*)" : "loss F"
            func figure(_ axis: String, _ x: @escaping (TraceRecord) -> Double) -> Figure {
                var plot = SVGPlot(title: label, xTitle: axis, yTitle: quantity)
                for (j, name) in optimizerLabels.enumerated() {
                    guard let runs = byOptimizer[j], !runs.isEmpty else { continue }
                    let a = Self.aggregate(runs, x: x, suboptimality: useSub)
                    plot.series.append(.init(label: name, x: a.x, y: a.median, lower: a.lower, upper: a.upper))
                }
                if useSub {
                    plot.references.append(.init(orientation: .horizontal, value: suite.rule.target,
                                                 label: "ε = \(formatNumber(suite.rule.target))"))
                }
                let name = "convergence-\(axis == "epochs" ? "epochs" : "seconds")__\(slugs[i]).svg"
                return Figure(name: name, caption: "\(label): \(quantity) against \(axis); median over seeds (while more than half still run), band min–max.",
                              svg: plot.svg())
            }
            out.append((i, figure("epochs", { $0.epoch }), figure("seconds", { $0.seconds })))
        }
        return out
    }

    /// The performance profile at the suite's ε over epochs or seconds (`TargetRankings`), with
    /// the problems left out; nil when no problem is left.
    func profile(seconds: Bool) -> (profile: PerformanceProfile, dropped: [String])? {
        guard let target = rankings.targets(seconds ? .seconds : .epochs).last, let profile = target.profile else { return nil }
        return (profile, target.dropped)
    }

    func profileFigure(seconds: Bool) -> (figure: Figure, profile: PerformanceProfile, dropped: [String])? {
        guard let (profile, dropped) = profile(seconds: seconds) else { return nil }
        let scores = profile.integratedScores(tauMax: Self.tauMax)
        let maxRatio = profile.ratios.flatMap { $0 }.filter(\.isFinite).max() ?? 1
        let logX = maxRatio > 20
        let xMax = logX ? Foundation.pow(10, Foundation.log10(maxRatio * 1.05).rounded(.up)) : max(Self.tauMax, maxRatio * 1.05)
        let what = seconds ? "seconds" : "epochs"
        var plot = SVGPlot(title: "Performance profile: \(what) to ε (\(profile.problemCount) problems)",
                           xTitle: "τ (ratio to the best \(what))", yTitle: "fraction of problems ρ(τ)", logX: logX, logY: false,
                           xRange: (logX ? 1 : 1 - 0.015 * (xMax - 1))...xMax, yRange: -0.03...1.03)
        for (s, name) in profile.solvers.enumerated() {
            let steps = profile.breakpoints(solver: s)
            let xs = [1.0] + steps.map(\.tau) + [xMax]
            let ys: [Double?] = [0.0] + steps.map(\.rho) + [steps.last?.rho ?? 0]
            plot.series.append(.init(label: name, x: xs, y: ys, step: true, legendSuffix: "  B=\(String(format: "%.3f", scores[s]))"))
        }
        plot.extraXTicks = [1]
        plot.references.append(.init(orientation: .vertical, value: Self.tauMax, label: "τ_max"))
        let caption = "Performance profile over \(what) to ε: ρ_s(τ) is the fraction of problems on which solver s "
            + "needs at most τ times the best solver's expected running time (COCO's ERT over the seeds) in \(what). "
            + "B: integrated score, τ_max = \(formatNumber(Self.tauMax))."
        return (Figure(name: "profile-\(what).svg", caption: caption, svg: plot.svg()), profile, dropped)
    }

    /// Every figure in page order.
    func figures() -> [Figure] {
        var out: [Figure] = []
        for c in convergenceFigures() { out += timings ? [c.epochs, c.seconds] : [c.epochs] }
        for s in costs { if let p = profileFigure(seconds: s) { out.append(p.figure) } }
        return out
    }

    /// The costs the page shows: epochs, and seconds when it shows timings (false, true).
    var costs: [Bool] { timings ? [false, true] : [false] }

    // MARK: Page

    static func escape(_ s: String) -> String { SVGPlot.escape(s) }

    static let css = """
        body { font-family: sans-serif; margin: 24px auto; max-width: 1360px; color: #222; background: #fff; line-height: 1.4; }
        h1 { font-size: 1.5em; margin-bottom: 0.2em; }
        h2 { font-size: 1.2em; margin-top: 1.6em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
        h3 { font-size: 1.05em; margin: 1.2em 0 0.3em; }
        code, pre { font-family: monospace; background: #f4f4f4; }
        pre { padding: 8px; white-space: pre-wrap; word-break: break-all; }
        table { border-collapse: collapse; font-size: 0.9em; margin: 0.6em 0; }
        th, td { border: 1px solid #ccc; padding: 3px 8px; }
        th { background: #f0f0f0; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        td.reached { background: #eef7ee; }
        td.skipped, td.diverged { color: #888; }
        .figs { display: flex; flex-wrap: wrap; gap: 12px; }
        figure { margin: 0; }
        figure svg { max-width: 100%; height: auto; border: 1px solid #eee; }
        figcaption { font-size: 0.85em; color: #555; max-width: 660px; }
        .note { font-size: 0.9em; color: #555; }
        """

    public func html() -> String {
        let report = table
        let notes = report.skipNotes()
        func note(_ p: PairSummary) -> Int? { p.reason.flatMap { r in notes.firstIndex(of: r).map { $0 + 1 } } }
        let e = Self.escape
        var o: [String] = []
        o.append("<!DOCTYPE html>")
        o.append("<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">")
        o.append("<title>OptBench: \(e(suite.name))</title>")
        o.append("<style>\n\(Self.css)\n</style>\n</head>\n<body>")
        o.append("<h1>Suite <code>\(e(suite.name))</code>: epochs to \(e(suite.rule.criterion.target(formatNumber(suite.rule.target))))</h1>")
        o.append("<p>\(e(suite.summary)).</p>")
        o.append("<p>Made by:</p>\n<pre>\(e(command))</pre>")
        o.append("<p class=\"note\">Seeds: \(e(seeds.map(String.init).joined(separator: ", "))). Budget \(e(formatNumber(suite.rule.maxEpochs))) epochs; "
            + "learning-rate sweep \(e(report.sweepText() + report.axesText())). One epoch = n sample gradients.</p>")

        // Table.
        o.append("<h2>Results</h2>")
        o.append("<p class=\"note\">Each cell: the median over seeds of the epochs needed to reach accuracy ≤ ε (relative suboptimality "
            + "where F* is known, else relative gradient norm), the range over seeds in parentheses, and the tuned learning rate. "
            + "<code>— (acc a)</code>: not reached within the budget; <code>stalled</code>: the rule stopped short of ε; "
            + "<code>ERT e [k/s seeds]</code>: reached on k of s seeds; <code>skipped [k]</code>: not run, see note k; "
            + "<code>†edge</code>: the tuned lr is still an end of its extended sweep.</p>")
        o.append("<table>\n<tr><th>problem</th>" + optimizerLabels.map { "<th>\(e($0))</th>" }.joined() + "</tr>")
        for p in problemLabels {
            var row = "<tr><th>\(e(p))</th>"
            for opt in optimizerLabels {
                if let pair = report.pair(p, opt) {
                    row += "<td class=\"num \(pair.status.rawValue)\">\(e(ResultReport.cell(pair, note: note(pair))))</td>"
                } else {
                    row += "<td></td>"
                }
            }
            o.append(row + "</tr>")
        }
        o.append("</table>")
        if !notes.isEmpty {
            o.append("<ol class=\"note\">" + notes.map { "<li>skipped: \(e($0))</li>" }.joined() + "</ol>")
        }

        // Convergence.
        let convergence = convergenceFigures()
        if !convergence.isEmpty {
            o.append("<h2>Convergence</h2>")
            o.append("<p class=\"note\">Each line: the median over seeds at the tuned learning rate, drawn while more than half the seeds still run; shaded: min–max over seeds. "
                + "Log-scale y; points that cannot be shown (diverged, zero) are left out. "
                + (timings ? "Seconds: optimizer time only.</p>" : "Against seconds: <a href=\"timings.html\">timings.html</a>, written beside this page by each run "
                   + "(wall-clock figures depend on the machine, so git does not track them).</p>"))
        }
        for c in convergence {
            o.append("<h3>\(e(problemLabels[c.problem]))</h3>\n<div class=\"figs\">")
            for f in timings ? [c.epochs, c.seconds] : [c.epochs] {
                o.append("<figure>\n\(f.svg)<figcaption>\(e(f.caption))</figcaption>\n</figure>")
            }
            o.append("</div>")
        }

        // Profiles.
        let profiles = costs.compactMap { profileFigure(seconds: $0) }
        o.append("<h2>Performance profiles</h2>")
        if profiles.isEmpty {
            o.append("<p class=\"note\">No profile: no problem was solved by any solver that ran on every problem.</p>")
        } else {
            o.append("<div class=\"figs\">")
            for p in profiles {
                o.append("<figure>\n\(p.figure.svg)<figcaption>\(e(p.figure.caption))"
                    + (p.dropped.isEmpty ? "" : " Left out: \(e(p.dropped.joined(separator: "; "))).") + "</figcaption>\n</figure>")
            }
            o.append("</div>")
            o.append("<h3>Integrated scores (τ_max = \(formatNumber(Self.tauMax)))</h3>")
            let solvers = profiles[0].profile.solvers
            o.append("<table>\n<tr><th>solver</th>" + profiles.map { "<th>\($0.figure.name.hasSuffix("seconds.svg") ? "time" : "epochs")</th>" }.joined() + "</tr>")
            let allSolvers = optimizerLabels.filter { s in profiles.contains { $0.profile.solvers.contains(s) } }
            for s in allSolvers.isEmpty ? solvers : allSolvers {
                var row = "<tr><th>\(e(s))</th>"
                for p in profiles {
                    if let k = p.profile.solvers.firstIndex(of: s) {
                        row += "<td class=\"num\">\(String(format: "%.3f", p.profile.integratedScore(solver: k, tauMax: Self.tauMax)))</td>"
                    } else {
                        row += "<td class=\"num\">—</td>"
                    }
                }
                o.append(row + "</tr>")
            }
            o.append("</table>")
        }

        // Scores at every target.
        o.append("<h2>Integrated scores across targets</h2>")
        o.append("<p class=\"note\">AlgoPerf's integrated score B (τ_max = \(formatNumber(Self.tauMax))) of the profile at each ε, from the "
            + "same traces (rank in parentheses): whether the order depends on the target. Per problem: <code>rankings.md</code>.</p>")
        for cost in costs.map({ $0 ? TargetRankings.Cost.seconds : .epochs }) {
            let targets = rankings.targets(cost)
            let solvers = optimizerLabels.filter { o in targets.contains { $0.profile?.solvers.contains(o) == true } }
            guard !solvers.isEmpty else { continue }
            o.append("<h3>Over \(cost == .epochs ? "epochs" : "seconds")</h3>")
            o.append("<table>\n<tr><th>solver</th>" + targets.map { "<th>\(e(rankings.label($0.epsilon)))</th>" }.joined() + "</tr>")
            for s in solvers {
                var row = "<tr><th>\(e(s))</th>"
                for t in targets {
                    if let k = t.profile?.solvers.firstIndex(of: s) {
                        row += "<td class=\"num\">\(String(format: "%.3f (#%d)", t.scores[k], t.ranks[k]))</td>"
                    } else {
                        row += "<td class=\"num\">—</td>"
                    }
                }
                o.append(row + "</tr>")
            }
            o.append("</table>")
            o.append("<p class=\"note\">\(e(RankingReport.orderSentence(targets, rankings)))</p>")
        }
        o.append("</body>\n</html>")
        return o.joined(separator: "\n") + "\n"
    }

    /// Writes `index.html` and `figures/<name>.svg`, each file atomically.
    /// Writes `index.html` (results only) and `timings.html` (with the wall-clock figures), and
    /// every figure under `figures/`, each file atomically.
    public func write(to directory: URL) throws {
        let fm = FileManager.default
        let figuresDir = directory.appendingPathComponent("figures")
        try fm.createDirectory(at: figuresDir, withIntermediateDirectories: true)
        var page = self
        page.timings = true
        for f in page.figures() {
            try Data(f.svg.utf8).write(to: figuresDir.appendingPathComponent(f.name), options: .atomic)
        }
        try Data(page.html().utf8).write(to: directory.appendingPathComponent("timings.html"), options: .atomic)
        page.timings = false
        try Data(page.html().utf8).write(to: directory.appendingPathComponent("index.html"), options: .atomic)
    }
}
