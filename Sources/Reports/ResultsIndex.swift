import OptBenchHarness
import OptBenchCore
import Foundation

/// The page over every suite of a results folder: `results/index.html`, with each suite's
/// definition, how its pairs ended, its integrated scores at each target (over epochs, from
/// `table.json`) and links to its own report and tables. Built from the suites' `table.json`
/// alone, so it changes only when a suite's results do; inline CSS, no scripts, fonts or
/// external links — the links are relative, to the files beside it. Below the suites, every
/// experiment of `experiments/` (read from its `result.json`): its claim, its verdicts and its
/// figures.
public struct ResultsIndex {
    public struct Entry {
        var folder: String
        var document: ResultReport.Document
        /// Other files of the suite's folder the page links to, in order.
        var files: [String]
    }

    public var entries: [Entry]
    /// The experiments under `experiments/`, in name order.
    public var experiments: [ExperimentReport.Summary]

    /// Every immediate subfolder of `directory` holding a `table.json`, in name order; a
    /// `table.json` that does not decode is a `ConfigurationError` naming it.
    public init(directory: URL) throws(ConfigurationError) {
        let fm = FileManager.default
        let names = ((try? fm.contentsOfDirectory(atPath: directory.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        var entries: [Entry] = []
        for name in names {
            let folder = directory.appendingPathComponent(name)
            guard fm.fileExists(atPath: folder.appendingPathComponent("table.json").path) else { continue }
            let document = try Comparison.load(folder).document
            // Results only: the timing files beside them are not tracked, so the index would
            // differ between a fresh clone and a machine that ran the suite.
            let files = ["index.html", "table.md", "rankings.md", "complexity.md"].filter {
                fm.fileExists(atPath: folder.appendingPathComponent($0).path)
            }
            entries.append(Entry(folder: name, document: document, files: files))
        }
        let experimentsDirectory = directory.appendingPathComponent("experiments")
        var experiments: [ExperimentReport.Summary] = []
        for name in ((try? fm.contentsOfDirectory(atPath: experimentsDirectory.path)) ?? []).filter({ !$0.hasPrefix(".") }).sorted()
        where fm.fileExists(atPath: experimentsDirectory.appendingPathComponent(name).appendingPathComponent("result.json").path) {
            experiments.append(try ExperimentReport.summary(folder: name, in: experimentsDirectory))
        }
        guard !entries.isEmpty || !experiments.isEmpty else {
            throw ConfigurationError("\(directory.path): no suite folder with a table.json and no experiments/NAME/result.json; expected the folder 'optbench bench' writes suites into (e.g. results)")
        }
        self.entries = entries
        self.experiments = experiments
    }

    /// The page over folders already read back, under their names, linking no other file.
    public init(folders: [(name: String, folder: ResultsFolder)]) {
        entries = folders.map { Entry(folder: $0.name, document: $0.folder.document, files: []) }
        experiments = []
    }

    public func html() -> String {
        let e = SVGPlot.escape
        var o = ["<!DOCTYPE html>", "<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">", "<title>OptBench results</title>",
                 "<style>\n\(HTMLReport.css)\n</style>\n</head>\n<body>", "<h1>OptBench results</h1>",
                 "<p>Every suite written by <code>make bench</code>. Each suite's own report holds its table, convergence curves "
                 + "against epochs and performance profiles (against seconds: its <code>timings.html</code>, written by each run and not tracked); below, per suite, how its pairs ended and AlgoPerf's "
                 + "integrated score B (τ_max = \(formatNumber(TargetRankings.tauMax)), over epochs) of every optimizer at each target ε, "
                 + "rank in parentheses.</p>"]
        o.append("<ul>" + entries.map { "<li><a href=\"#\(e($0.folder))\">\(e($0.document.suite))</a></li>" }.joined()
            + (experiments.isEmpty ? "" : "<li><a href=\"#experiments\">Experiments</a>: " + experiments.map {
                "<a href=\"#experiment-\(e($0.folder))\">\(e($0.name))</a> (\(ExperimentReport.overall($0.verdicts)))" }.joined(separator: ", ") + "</li>")
            + "</ul>")
        for entry in entries {
            let d = entry.document
            o.append("<h2 id=\"\(e(entry.folder))\">Suite <code>\(e(d.suite))</code></h2>")
            if let summary = d.summary { o.append("<p>\(e(summary)).</p>") }
            var counts: [PairStatus: Int] = [:]
            for p in d.pairs { counts[p.status, default: 0] += 1 }
            let order: [PairStatus] = [.reached, .partial, .budget, .stalled, .diverged, .skipped]
            let ended = order.compactMap { s in counts[s].map { "\($0) \(s.rawValue)" } }.joined(separator: ", ")
            let edges = d.pairs.filter { $0.edge != nil }.count
            o.append("<p class=\"note\">Made by <code>\(e(d.command))</code>: \(e(d.rankings?.last?.label ?? "ε = " + formatNumber(d.target))), budget "
                + "\(e(formatNumber(d.maxEpochs))) epochs, seeds \(e(d.seeds.map(String.init).joined(separator: ", "))); "
                + "\(d.pairs.count) pairs: \(e(ended))" + (edges > 0 ? "; \(edges) tuned at an end of the extended sweep (†edge)" : "") + ".</p>")
            o.append("<p>" + entry.files.map { "<a href=\"\(e(entry.folder))/\(e($0))\">\(e($0 == "index.html" ? "report" : $0))</a>" }
                .joined(separator: " · ") + "</p>")
            guard let rankings = d.rankings, !rankings.isEmpty else { continue }
            var solvers: [String] = []
            for p in d.pairs where !solvers.contains(p.optimizer) && rankings.contains(where: { r in r.scores.contains { $0.optimizer == p.optimizer } }) {
                solvers.append(p.optimizer)
            }
            o.append("<table>\n<tr><th>optimizer</th>" + rankings.map { "<th>\(e($0.label ?? "ε = " + formatNumber($0.epsilon)))</th>" }.joined() + "</tr>")
            for s in solvers {
                var row = "<tr><th>\(e(s))</th>"
                for r in rankings {
                    if let score = r.scores.first(where: { $0.optimizer == s }) {
                        row += "<td class=\"num\">\(String(format: "%.3f (#%d)", score.score, score.rank))</td>"
                    } else {
                        row += "<td class=\"num\">—</td>"
                    }
                }
                o.append(row + "</tr>")
            }
            o.append("</table>")
            o.append("<p class=\"note\">Problems in the profile: " + rankings.map { "\(e(formatNumber($0.epsilon))): \($0.profileProblems)" }
                .joined(separator: ", ") + ".</p>")
        }
        if !experiments.isEmpty {
            o.append("<h2 id=\"experiments\">Experiments</h2>")
            o.append("<p>Every experiment written by <code>make experiments</code>: a claim from the literature, measured here, "
                + "with verdicts the numbers decide at the stated tolerances.</p>")
            for x in experiments {
                let folder = "experiments/\(x.folder)"
                o.append("<h3 id=\"experiment-\(e(x.folder))\">Experiment <code>\(e(x.name))</code></h3>")
                o.append("<p>\(e(x.claim))</p>")
                o += ExperimentReport.verdictHTML(x.verdicts)
                o.append("<p class=\"note\">Made by <code>\(e(x.command))</code>. "
                    + ["index.html", "table.md", "result.json"].map { "<a href=\"\(e(folder))/\($0)\">\($0 == "index.html" ? "report" : $0)</a>" }
                    .joined(separator: " · ") + "</p>")
                o.append("<div class=\"figs\">" + x.figures.map { "<figure><img src=\"\(e(folder))/\(e($0))\" alt=\"\(e($0))\" width=\"660\"></figure>" }
                    .joined() + "</div>")
            }
        }
        o.append("</body>\n</html>")
        return o.joined(separator: "\n") + "\n"
    }

    /// Writes `directory/index.html`; a folder that does not take it (read-only, or a folder
    /// where the page should be) is a `ConfigurationError` naming the page and why.
    public func write(to directory: URL) throws(ConfigurationError) {
        let page = directory.appendingPathComponent("index.html")
        do {
            try Data(html().utf8).write(to: page, options: .atomic)
        } catch {
            let reason = ((error as? CocoaError)?.userInfo[NSUnderlyingErrorKey] as? NSError)?.localizedDescription ?? error.localizedDescription
            throw ConfigurationError("file \(page.path): cannot be written (\(reason)); expected a writable folder")
        }
    }
}
