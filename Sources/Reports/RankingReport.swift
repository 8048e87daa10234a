import OptBenchHarness
import Foundation

/// The rankings across targets as Markdown: `rankings.md` over epochs (a result: the same bytes
/// on a rerun at the same code) and `timings.md` over optimizer seconds with the run's timing
/// noise (a timing file, like `timings.csv`). See `TargetRankings` for what is computed.
public struct RankingReport {
    public var suite: Suite
    public var command: String
    public var rankings: TargetRankings
    public var noise: TimingNoise

    public func write(to directory: URL) throws {
        try markdown(.epochs).write(to: directory.appendingPathComponent("rankings.md"), atomically: true, encoding: .utf8)
        try markdown(.seconds).write(to: directory.appendingPathComponent("timings.md"), atomically: true, encoding: .utf8)
    }


    static func costText(_ v: Double, _ cost: TargetRankings.Cost) -> String {
        guard v.isFinite else { return "inf" }
        return cost == .epochs ? formatNumber(v) : String(format: "%.3g s", v)
    }

    /// Rows optimizers (in suite order), columns the targets: `B (#rank)`; then whether the
    /// order by score changes with ε.
    static func scoreTable(_ rankings: TargetRankings, _ cost: TargetRankings.Cost) -> [String] {
        let targets = rankings.targets(cost)
        let solvers = rankings.optimizerLabels.filter { o in targets.contains { $0.profile?.solvers.contains(o) == true } }
        guard !solvers.isEmpty else { return ["No profile: no problem was run by every optimizer and solved by one."] }
        var rows = [["optimizer"] + targets.map { rankings.label($0.epsilon) }]
        for s in solvers {
            rows.append([s] + targets.map { t in
                guard let k = t.profile?.solvers.firstIndex(of: s) else { return "—" }
                return String(format: "%.3f (#%d)", t.scores[k], t.ranks[k])
            })
        }
        var lines = markdownTable(rows, rightAligned: Set(1..<(targets.count + 1)))
        let counts = targets.map { $0.profile?.problemCount ?? 0 }
        lines.append("")
        lines.append("Problems in the profile at each ε: " + zip(targets, counts).map { "\(formatNumber($0.epsilon)): \($1)" }.joined(separator: ", ")
            + ". " + orderSentence(targets, rankings))
        let dropped = Array(Set(targets.flatMap(\.dropped))).sorted()
        if !dropped.isEmpty { lines.append("Left out: \(dropped.joined(separator: "; ")).") }
        return lines
    }

    /// Whether the order by score is the same at every ε, naming the leaders.
    static func orderSentence(_ targets: [TargetRankings.Target], _ rankings: TargetRankings) -> String {
        func order(_ t: TargetRankings.Target) -> [String] {
            guard let p = t.profile else { return [] }
            return p.solvers.indices.sorted { (t.ranks[$0], $0) < (t.ranks[$1], $1) }.map { p.solvers[$0] }
        }
        let orders = targets.map(order)
        let leaders = zip(targets, orders).compactMap { t, o in o.first.map { "\($0) at \(rankings.label(t.epsilon))" } }
        if Set(orders).count <= 1 { return "The order by score is the same at every target (first: \(orders.first?.first ?? "—"))." }
        return "The order by score changes with the target (first: \(leaders.joined(separator: "; ")))."
    }

    /// Per problem: the three best optimizers at each ε with their ERT, and whether the whole
    /// order is the same at every ε.
    static func orderTable(_ rankings: TargetRankings, _ cost: TargetRankings.Cost) -> [String] {
        let targets = rankings.targets(cost)
        guard let first = targets.first else { return [] }
        var rows = [["problem"] + targets.map { rankings.label($0.epsilon) } + ["same order at every ε"]]
        for (p, problem) in first.problems.enumerated() {
            var row = [problem.label]
            for t in targets {
                let r = t.problems[p].ranking
                let top = r.order.prefix(3).filter { r.expectedRunningTimes[$0]!.value.isFinite }
                row.append(top.isEmpty ? "none reached" : top.map { "\($0) \(costText(r.expectedRunningTimes[$0]!.value, cost))" }.joined(separator: ", "))
            }
            row.append(orderDependsOnTarget(targets.map { $0.problems[p].ranking }) ? "no" : "yes")
            rows.append(row)
        }
        return markdownTable(rows)
    }

    func markdown(_ cost: TargetRankings.Cost) -> String {
        let what = cost == .epochs ? "epochs" : "optimizer seconds"
        let eps = rankings.epsilons.map(rankings.label).joined(separator: ", ")
        var lines = [
            cost == .epochs ? "# Suite `\(suite.name)`: rankings across targets (epochs)"
                : "# Suite `\(suite.name)`: timings — rankings across targets (seconds) and this run's timing noise",
            "",
            "Made by `\(command)`. From the traces of the tuned runs (tuned at \(suite.rule.criterion.target(formatNumber(suite.rule.target)))), read at "
                + "\(eps): at each target a pair's cost is COCO's expected running time over its \(suite.seeds.count) seeds in \(what) — "
                + "each run's \(what) to its first record with \(suite.rule.criterion.reachSentence), a run that never gets there charged its whole run, the sum "
                + "divided by the runs that got there. Scores: AlgoPerf's integrated performance profile "
                + "B = 1/(τ_max − 1)·∫₁^τ_max ρ(τ) dτ with τ_max = \(formatNumber(TargetRankings.tauMax)), over the problems every "
                + "optimizer ran and one solved (1: best on every problem; 0: never within τ_max of the best); rank 1 is the highest B. "
                + "The tuned values are the best at the suite's ε, so at a looser ε an optimizer may rank below what its own best "
                + "setting there would reach." + (cost == .seconds ? " Seconds are this machine's and change from run to run." : ""),
            "",
            "## Integrated scores at each ε",
            "",
        ]
        lines += Self.scoreTable(rankings, cost)
        lines += ["", "## Order per problem", "",
                  "The three best optimizers at each ε by expected running time (\(what)); the last column says whether the whole order "
                  + "is the same at every ε.", ""]
        lines += Self.orderTable(rankings, cost)
        if cost == .seconds {
            lines += ["", "## Timing noise of this run", ""] + noise.sentences()
        }
        lines.append("")
        return lines.joined(separator: "\n")
    }
}
