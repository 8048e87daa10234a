import OptBenchHarness
import Foundation

/// A suite's result table in three forms under `results/<suite>/`: `table.md` (rows problems,
/// columns optimizers, cells epochs-to-ε with the tuned values; then the integrated scores
/// across targets), `table.csv` and `table.json` (with the epoch rankings across targets).
public struct ResultReport {
    public var suite: Suite
    public var command: String
    public var problemLabels: [String]
    public var optimizerLabels: [String]
    public var pairs: [PairSummary]
    /// The rankings across targets, when the grid traced its tuned cells.
    public var rankings: TargetRankings?

    public init(suite: Suite, command: String, problemLabels: [String], optimizerLabels: [String], pairs: [PairSummary],
                rankings: TargetRankings? = nil) {
        self.suite = suite
        self.command = command
        self.problemLabels = problemLabels
        self.optimizerLabels = optimizerLabels
        self.pairs = pairs
        self.rankings = rankings
    }

    public func write(to directory: URL) throws {
        try markdown().write(to: directory.appendingPathComponent("table.md"), atomically: true, encoding: .utf8)
        try csv().write(to: directory.appendingPathComponent("table.csv"), atomically: true, encoding: .utf8)
        try json().write(to: directory.appendingPathComponent("table.json"), options: .atomic)
        try timings().write(to: directory.appendingPathComponent("timings.csv"), atomically: true, encoding: .utf8)
    }

    func pair(_ problem: String, _ optimizer: String) -> PairSummary? {
        pairs.first { $0.problem == problem && $0.optimizer == optimizer }
    }

    /// `123 (118–130) lr=0.1 momentum=0.9`: median epochs over seeds, their range, and the tuned
    /// values (`†edge`: lr still at an end of its extended sweep); `skipped [k]` points at the
    /// k-th note under the table.
    static func cell(_ p: PairSummary, note: Int?) -> String {
        let tuned = p.tunedText
        let lr = tuned.isEmpty ? "" : " " + tuned
        switch p.status {
        case .reached:
            let range = p.minEpochs == p.maxEpochs ? "" : " (\(formatNumber(p.minEpochs!))–\(formatNumber(p.maxEpochs!)))"
            return "\(formatNumber(p.medianEpochs!))\(range)\(lr)"
        case .partial:
            // COCO's expected running time: every run's epochs (a failure its whole run) over the successes.
            let runs = p.tunedCells.map { c in
                c.epochsToTarget.map { RunOutcome.success($0, seed: c.seed) } ?? RunOutcome.failure(budget: c.epochs, seed: c.seed)
            }
            let ert = runs.isEmpty ? "—" : formatNumber(expectedRunningTime(runs: runs).value)
            return "ERT \(ert) [\(p.reached)/\(p.seeds) seeds]\(lr)"
        case .diverged: return "diverged" + (p.edge == nil ? "" : " †edge")
        case .skipped: return "skipped [\(note ?? 0)]"
        case .budget: return "— (acc \(p.medianFinalAccuracy.map(formatNumber) ?? "—"))\(lr)"
        case .stalled: return "stalled (acc \(p.medianFinalAccuracy.map(formatNumber) ?? "—"))\(lr)"
        }
    }

    /// The distinct reasons of skipped pairs, numbered from 1 in table order.
    func skipNotes() -> [String] {
        var notes: [String] = []
        for p in pairs where p.status == .skipped {
            if let r = p.reason, !notes.contains(r) { notes.append(r) }
        }
        return notes
    }

    public func markdown() -> String {
        let rule = suite.rule
        let notes = skipNotes()
        func note(_ p: PairSummary) -> Int? { p.reason.flatMap { r in notes.firstIndex(of: r).map { $0 + 1 } } }
        var lines = [
            "# Suite `\(suite.name)`: epochs to \(rule.criterion.target(formatNumber(rule.target)))",
            "",
            suite.summary + ".",
            "",
            "Made by `\(command)`. Each cell: the median over \(suite.seeds.count) seeds (\(suite.seeds.map(String.init).joined(separator: ", "))) "
                + criterionText(rule.criterion) + " — with the range over seeds in parentheses, at the learning rate that did best in the sweep "
                + "\(sweepText())\(axesText()). One epoch = n sample gradients (a full gradient is 1, a mini-batch of b is b/n). "
                + "Budget \(formatNumber(rule.maxEpochs)) epochs; `— (acc a)`: not reached, with the median final accuracy; "
                + "`stalled (acc a)`: the rule stopped making progress short of ε; `diverged`: every learning rate diverged; "
                + "`ERT e [k/s seeds]`: reached on k of s seeds, with COCO's expected running time e (all runs' epochs ÷ k); "
                + "`skipped [k]`: not run, for the k-th reason below the table; `†edge`: the tuned lr is still an end of its sweep "
                + "after \(SweepExtension.maximumSteps) extensions, so a better one may lie beyond.",
            "",
        ]
        var rows = [["problem"] + optimizerLabels]
        for p in problemLabels {
            rows.append([p] + optimizerLabels.map { o in pair(p, o).map { Self.cell($0, note: note($0)) } ?? "" })
        }
        lines += markdownTable(rows, rightAligned: Set(1..<(optimizerLabels.count + 1)))
        if !notes.isEmpty {
            lines.append("")
            for (k, r) in notes.enumerated() { lines.append("\(k + 1). skipped: \(r)") }
        }
        if let rankings {
            lines += ["", "## Integrated scores across targets", "",
                      "AlgoPerf's integrated performance-profile score B (τ_max = \(formatNumber(TargetRankings.tauMax)), over epochs; "
                      + "rank in parentheses) at each ε, read from the tuned runs' traces, each pair costing COCO's ERT over its seeds. "
                      + "The order per problem is in `rankings.md`; the same over seconds in `timings.md`, which each run writes beside it and git does not track.", ""]
            lines += RankingReport.scoreTable(rankings, .epochs)
        }
        lines.append("")
        return lines.joined(separator: "\n")
    }

    func sweepText() -> String {
        let lrs = suite.learningRates
        guard let lo = lrs.first, let hi = lrs.last else { return "(none)" }
        return "\(formatNumber(lo)) … \(formatNumber(hi)) (\(lrs.count) log-spaced values, extended geometrically by up to "
            + "\(SweepExtension.maximumSteps) more beyond an end that wins)"
    }

    /// The columns' own sweeps: other hyper-parameters swept with lr and lr grids of their own,
    /// e.g. `; lr 0.01 … 10 × momentum ∈ {0.5, 0.9} for momentum, nesterov`.
    func axesText() -> String {
        var groups: [(axes: String, columns: [String])] = []
        for o in suite.optimizers where !o.sweeps.isEmpty || (o.learningRates.map { !$0.isEmpty && $0 != suite.learningRates } ?? false) {
            let own = o.learningRates.flatMap { lrs in lrs.isEmpty || lrs == suite.learningRates ? nil : lrs }
            let lr = own.map { "lr \(formatNumber($0.min()!)) … \(formatNumber($0.max()!)) (\($0.count) values)" } ?? "lr"
            let axes = ([lr] + o.sweeps.map { "\($0.name) ∈ {\($0.values.map(\.description).joined(separator: ", "))}" }).joined(separator: " × ")
            if let k = groups.firstIndex(where: { $0.axes == axes }) { groups[k].columns.append(o.label) } else { groups.append((axes, [o.label])) }
        }
        return groups.map { "; \($0.axes) for \($0.columns.joined(separator: ", "))" }.joined()
    }

    public func csv() -> String {
        var out = "problem,optimizer,lr,hyper_parameters,lr_at_edge,seeds,reached,diverged,median_epochs,min_epochs,max_epochs,median_final_accuracy,status,reason\n"
        for p in pairs {
            let fields: [String] = [
                csvField(p.problem), csvField(p.optimizer), p.lr.map(formatNumber) ?? "", csvField(p.hyperParameters.joined(separator: " ")),
                p.edge?.rawValue ?? "", String(p.seeds), String(p.reached),
                String(p.diverged), p.medianEpochs.map(formatNumber) ?? "", p.minEpochs.map(formatNumber) ?? "",
                p.maxEpochs.map(formatNumber) ?? "",
                p.medianFinalAccuracy.map(formatNumber) ?? "", p.status.rawValue, csvField(p.reason ?? ""),
            ]
            out += fields.joined(separator: ",") + "\n"
        }
        return out
    }

    /// The wall-clock side of the table, apart from the results so that a rerun at the same
    /// code changes only this file: median optimizer seconds to ε of each pair at its tuned lr.
    public func timings() -> String {
        var out = "problem,optimizer,lr,hyper_parameters,median_seconds_to_target\n"
        for p in pairs {
            out += [csvField(p.problem), csvField(p.optimizer), p.lr.map(formatNumber) ?? "", csvField(p.hyperParameters.joined(separator: " ")),
                    p.medianSeconds.map { String(format: "%.6f", $0) } ?? ""].joined(separator: ",") + "\n"
        }
        return out
    }

    /// `table.json`: what `optbench compare` reads back.
    struct Document: Codable {
        var suite: String
        /// The suite's one-line summary; absent in older tables.
        var summary: String?
        var command: String
        var target: Double
        var maxEpochs: Double
        var seeds: [UInt64]
        var learningRates: [Double]
        var pairs: [PairSummary]
        /// The epoch rankings at each target (`TargetRankings`); absent in older tables.
        var rankings: [TargetRankings.Document]?
    }

    public func json() throws -> Data {
        let doc = Document(suite: suite.name, summary: suite.summary, command: command, target: suite.rule.target, maxEpochs: suite.rule.maxEpochs,
                           seeds: suite.seeds, learningRates: suite.learningRates, pairs: pairs, rankings: rankings?.documents)
        let encoder = reportEncoder()
        encoder.userInfo[CellSummary.omitsKey] = true
        return try encoder.encode(doc)
    }
}


/// A Markdown table with every column padded to its widest cell.
public func markdownTable(_ rows: [[String]], rightAligned: Set<Int> = []) -> [String] {
    guard let header = rows.first else { return [] }
    let widths = header.indices.map { c in rows.map { $0[c].count }.max()! }
    func line(_ r: [String]) -> String {
        "| " + r.indices.map { c in
            let pad = String(repeating: " ", count: widths[c] - r[c].count)
            return rightAligned.contains(c) ? pad + r[c] : r[c] + pad
        }.joined(separator: " | ") + " |"
    }
    let rule = "|" + header.indices.map { c in
        rightAligned.contains(c) ? String(repeating: "-", count: widths[c] + 1) + ":" : String(repeating: "-", count: widths[c] + 2)
    }.joined(separator: "|") + "|"
    return [line(header), rule] + rows.dropFirst().map(line)
}


func csvField(_ s: String) -> String {
    s.contains(",") || s.contains("\"") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
}

/// What a suite's cells count epochs to, for its table's legend.
func criterionText(_ criterion: StoppingCriterion) -> String {
    switch criterion {
    case .relative:
        "of the epochs needed to reach accuracy ≤ ε — relative suboptimality (F − F*)/(F₀ − F*) where F* is known, else ‖∇F‖/‖∇F₀‖"
    case .loss:
        "of the epochs needed to reach a training loss F ≤ ε (the acc of an unfinished cell is its final F)"
    case .metric(let name):
        "of the epochs needed to reach \(name) ≥ ε (the acc of an unfinished cell is its final \(name))"
    }
}
