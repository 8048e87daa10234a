@testable import OptBenchReports
import OptBenchCatalog
import OptBenchCore
import Foundation
import Testing
@testable import OptBenchHarness

@Suite struct HTMLReportTests {
    static let suite = Suite(
        name: "tiny-html", summary: "a hand-made report",
        problems: [try! Catalog.standard.row("least-squares", ["n=50", "d=5"]), try! Catalog.standard.row("logistic", ["n=80"]), try! Catalog.standard.row("w7")],
        optimizers: [try! Catalog.standard.column("gd"), try! Catalog.standard.column("sgd", ["batch_size=5"]), try! Catalog.standard.column("lbfgs")],
        seeds: [1, 2], rule: StoppingRule(target: 1e-4, maxEpochs: 50), learningRates: [0.01, 0.1, 1])

    static let problems = ["least-squares(n=50 d=5)", "logistic(n=80)", "nofstar"]
    static let optimizers = ["gd", "sgd(batch_size=5)", "newton"]

    static func pair(_ p: String, _ o: String, median: Double, lo: Double, hi: Double, seconds: Double, lr: Double? = 0.1) -> PairSummary {
        PairSummary(problem: p, optimizer: o, lr: lr, seeds: 2, reached: 2, diverged: 0, medianEpochs: median, minEpochs: lo,
                    maxEpochs: hi, medianSeconds: seconds, medianFinalAccuracy: 5e-5, status: .reached, reason: nil, sweep: [])
    }

    static let pairs: [PairSummary] = [
        pair(problems[0], optimizers[0], median: 12, lo: 11, hi: 13, seconds: 0.02),
        pair(problems[0], optimizers[1], median: 3.5, lo: 3, hi: 4, seconds: 0.05),
        pair(problems[0], optimizers[2], median: 2, lo: 2, hi: 2, seconds: 0.3, lr: nil),
        pair(problems[1], optimizers[0], median: 40, lo: 38, hi: 42, seconds: 0.1),
        PairSummary(problem: problems[1], optimizer: optimizers[1], lr: 1, seeds: 2, reached: 0, diverged: 0, medianEpochs: nil,
                    minEpochs: nil, maxEpochs: nil, medianSeconds: nil, medianFinalAccuracy: 0.003, status: .budget, reason: nil, sweep: []),
        .skipped(problem: problems[1], optimizer: optimizers[2], seeds: 2, reason: "newton needs a Hessian"),
        pair(problems[2], optimizers[0], median: 20, lo: 19, hi: 21, seconds: 0.04),
        pair(problems[2], optimizers[1], median: 9, lo: 8, hi: 10, seconds: 0.03),
        pair(problems[2], optimizers[2], median: 1, lo: 1, hi: 1, seconds: 0.2, lr: nil),
    ]

    /// A geometric decay `rate` per epoch from 1, with suboptimality (or only the loss).
    static func run(rate: Double, epochs: Int, step: Double = 1, seconds: Double, suboptimality: Bool = true,
                    diverge: Bool = false) -> RunResult {
        var records: [TraceRecord] = []
        for k in 0...epochs {
            let e = Double(k) * step
            let v = Foundation.pow(rate, e)
            records.append(TraceRecord(epoch: e, loss: diverge && k == epochs ? .infinity : 0.5 + v, suboptimality: suboptimality ? v : nil,
                                       gradientNorm: v, seconds: Double(k) * seconds, metrics: []))
        }
        return RunResult(status: diverge ? .diverged : .reached, epochsToTarget: Double(epochs) * step, records: records,
                         steps: epochs, metricNames: [], finalAccuracy: records.last!.suboptimality)
    }

    static func report(command: String = "optbench suite tiny-html --threads 2") -> HTMLReport {
        var traces: [RunResult] = []
        var cells: [(problem: Int, optimizer: Int)] = []
        func add(_ i: Int, _ j: Int, _ runs: [RunResult]) {
            traces += runs
            cells += runs.map { _ in (i, j) }
        }
        add(0, 0, [run(rate: 0.45, epochs: 12, seconds: 0.002), run(rate: 0.4, epochs: 11, seconds: 0.0021)])
        add(0, 1, [run(rate: 0.05, epochs: 14, step: 0.25, seconds: 0.004), run(rate: 0.06, epochs: 16, step: 0.25, seconds: 0.0035)])
        add(0, 2, [run(rate: 0.001, epochs: 2, seconds: 0.15), run(rate: 0.001, epochs: 2, seconds: 0.14)])
        add(1, 0, [run(rate: 0.8, epochs: 40, seconds: 0.0025), run(rate: 0.79, epochs: 38, seconds: 0.0026)])
        add(1, 1, [run(rate: 0.9, epochs: 50, seconds: 0.001), run(rate: 0.9, epochs: 50, seconds: 0.001, diverge: true)])
        add(2, 0, [run(rate: 0.6, epochs: 20, seconds: 0.002, suboptimality: false), run(rate: 0.62, epochs: 19, seconds: 0.002, suboptimality: false)])
        add(2, 1, [run(rate: 0.3, epochs: 9, seconds: 0.003, suboptimality: false), run(rate: 0.35, epochs: 10, seconds: 0.003, suboptimality: false)])
        add(2, 2, [run(rate: 1e-5, epochs: 1, seconds: 0.2, suboptimality: false), run(rate: 1e-5, epochs: 1, seconds: 0.2, suboptimality: false)])
        return HTMLReport(suite: suite, command: command, problemLabels: problems, optimizerLabels: optimizers, pairs: pairs,
                          traces: traces, traceCells: cells, seeds: suite.seeds)
    }

    static func count(_ needle: String, in s: String) -> Int { s.components(separatedBy: needle).count - 1 }

    /// Every `name="value"` attribute value in `s`.
    static func attributes(_ s: String) -> [(name: String, value: String)] {
        let regex = try! NSRegularExpression(pattern: "([a-zA-Z-]+)=\"([^\"]*)\"")
        let ns = s as NSString
        return regex.matches(in: s, range: NSRange(location: 0, length: ns.length)).map {
            (ns.substring(with: $0.range(at: 1)), ns.substring(with: $0.range(at: 2)))
        }
    }

    @Test func pageHasTableLabelsAndFigures() {
        let html = Self.report().html()
        for o in Self.optimizers { #expect(html.contains(SVGPlot.escape(o)), "missing optimizer \(o)") }
        for p in Self.problems { #expect(html.contains(SVGPlot.escape(p))) }
        #expect(html.contains("12 (11–13) lr=0.1"))
        #expect(html.contains("3.5 (3–4) lr=0.1"))
        #expect(html.contains("skipped [1]"))
        #expect(html.contains("skipped: newton needs a Hessian"))
        #expect(html.contains("— (acc 0.003) lr=1"))
        #expect(html.contains("optbench suite tiny-html --threads 2"))
        // 3 problems × 2 convergence figures + 2 profiles.
        #expect(Self.count("<svg", in: html) == 8)
        #expect(Self.report().figures().count == 8)
        #expect(html.contains("relative suboptimality"))
        #expect(html.contains("loss F"))
        #expect(html.contains("B="))
    }

    @Test func selfContained() {
        let html = Self.report(command: "optbench suite x --out https://example.com/a").html()
        let stripped = html.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "")
        #expect(!stripped.contains("http://"))
        // The command is shown as given, but never as a link.
        #expect(Self.count("https://", in: stripped) == 1)
        #expect(!Self.report().html().contains("https://"))
        #expect(!html.lowercased().contains("<script"))
        #expect(!html.contains("<link"))
        #expect(!html.contains("@import"))
        #expect(!html.contains("url("))
    }

    @Test func numericAttributesAreFinite() {
        let numeric: Set<String> = ["x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "width", "height", "points", "viewBox", "transform",
                                    "fill-opacity", "stroke-width", "dy", "font-size"]
        for f in Self.report().figures() {
            for (name, value) in Self.attributes(f.svg) where numeric.contains(name) {
                let v = value.lowercased()
                #expect(!v.contains("nan") && !v.contains("inf"), "\(f.name): \(name)=\"\(value)\"")
            }
        }
    }

    @Test func deterministicBytes() throws {
        let a = Self.report().html(), b = Self.report().html()
        #expect(Data(a.utf8) == Data(b.utf8))
        let dir1 = FileManager.default.temporaryDirectory.appendingPathComponent("optbench-html-\(UUID().uuidString)")
        let dir2 = FileManager.default.temporaryDirectory.appendingPathComponent("optbench-html-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir1); try? FileManager.default.removeItem(at: dir2) }
        try Self.report().write(to: dir1)
        try Self.report().write(to: dir2)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir1.appendingPathComponent("figures").path).sorted()
        #expect(names.count == 8)
        #expect(names.contains("convergence-epochs__least-squares_n=50_d=5.svg"))
        #expect(names.contains("profile-epochs.svg"))
        #expect(names.contains("profile-seconds.svg"))
        for n in names {
            let x = try Data(contentsOf: dir1.appendingPathComponent("figures").appendingPathComponent(n))
            let y = try Data(contentsOf: dir2.appendingPathComponent("figures").appendingPathComponent(n))
            #expect(x == y)
            #expect(String(decoding: x, as: UTF8.self).hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        }
        // index.html holds results only; timings.html, beside it, the wall-clock figures too.
        var resultsOnly = Self.report()
        resultsOnly.timings = false
        #expect(try Data(contentsOf: dir1.appendingPathComponent("index.html")) == Data(resultsOnly.html().utf8))
        #expect(try Data(contentsOf: dir1.appendingPathComponent("timings.html")) == Data(a.utf8))
        #expect(a.contains("<h3>Over seconds</h3>") && !resultsOnly.html().contains("<h3>Over seconds</h3>"))
        #expect(resultsOnly.figures().count == 4 && resultsOnly.figures().allSatisfy { !$0.name.contains("seconds") })
        if let demo = ProcessInfo.processInfo.environment["OPTBENCH_HTML_DEMO"] {
            try Self.report().write(to: URL(fileURLWithPath: demo))
        }
    }

    @Test func polylinePointsInsideViewBox() {
        for f in Self.report().figures() {
            let attrs = Self.attributes(f.svg)
            let box = attrs.first { $0.name == "viewBox" }!.value.split(separator: " ").map { Double($0)! }
            var checked = 0
            for (name, value) in attrs where name == "points" {
                for pair in value.split(separator: " ") {
                    let xy = pair.split(separator: ",").map { Double($0)! }
                    #expect(xy.count == 2)
                    #expect(xy[0] >= box[0] && xy[0] <= box[0] + box[2], "\(f.name): x \(xy[0])")
                    #expect(xy[1] >= box[1] && xy[1] <= box[1] + box[3], "\(f.name): y \(xy[1])")
                    checked += 1
                }
            }
            #expect(checked > 0, "\(f.name) has no lines")
        }
    }

    @Test func logAxisOrdersDecades() {
        let plot = SVGPlot(title: "t", xTitle: "x", yTitle: "y",
                           series: [.init(label: "a", x: [0, 1, 2], y: [1, 1e-2, 1e-4])])
        let (_, y) = plot.axes()
        #expect(y.log)
        let p3 = y.pixel(1e-3)!, p1 = y.pixel(1e-1)!
        #expect(p3 > p1)
        #expect(y.pixel(0) == nil && y.pixel(-1) == nil && y.pixel(.nan) == nil && y.pixel(.infinity) == nil)
        let ticks = y.ticks().map(\.value)
        #expect(ticks.contains(1e-4) && ticks.contains(1))
    }

    @Test func nonPositiveAndNonFiniteValuesAreSkipped() {
        let plot = SVGPlot(title: "t", xTitle: "x", yTitle: "y",
                           series: [.init(label: "a", x: [0, 1, 2, 3, 4], y: [1, 0, .nan, 1e-2, -.infinity],
                                          lower: [0.5, -1, nil, 1e-3, .infinity], upper: [2, 1, nil, 1e-1, 1])])
        let svg = plot.svg()
        for (_, v) in Self.attributes(svg) { #expect(!v.lowercased().contains("nan") && !v.lowercased().contains("inf")) }
        #expect(svg.contains("<circle"))  // isolated points remain visible
    }

    @Test func profileSkipsUnrunAndUnsolvedProblems() throws {
        let r = Self.report()
        let epochs = try #require(r.profile(seconds: false))
        // logistic is dropped: newton was skipped there.
        #expect(epochs.profile.problemCount == 2)
        #expect(epochs.dropped.count == 1)
        #expect(epochs.profile.solvers == Self.optimizers)
        let scores = epochs.profile.integratedScores(tauMax: 4)
        #expect(scores[2] == 1)  // newton is best on both remaining problems
    }
}

/// Seventeen and more lines stay apart, and the legend shows every one with its score whole.
@Suite struct SVGLegendTests {
    @Test func manySeriesKeepDistinctStylesAndWholeScores() {
        var plot = SVGPlot(title: "t", xTitle: "x", yTitle: "y", logX: false, logY: false)
        for k in 0..<40 {
            plot.series.append(.init(label: "a-rather-long-optimizer-label-\(k)(batch_size=64)", x: [0, 1], y: [0, Double(k)],
                                     legendSuffix: "  B=0.\(String(format: "%03d", k))"))
        }
        let styles = (0..<40).map { SVGPlot.colour($0) + "|" + SVGPlot.dash($0) }
        #expect(Set(styles).count == 40)
        #expect(Set((0..<12).map(SVGPlot.colour)).count == 12)
        let svg = plot.svg()
        for k in 0..<40 {
            #expect(svg.contains("  B=0.\(String(format: "%03d", k))</text>"), "score of series \(k) cut")
        }
        // Every legend line lies inside the figure.
        let height = Double(svg.split(separator: "height=\"")[1].prefix { $0 != "\"" })!
        let lastY = 38 + 8 + 39 * SVGPlot.legendStep
        #expect(lastY + 4 <= height)
    }
}
