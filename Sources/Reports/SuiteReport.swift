import Foundation
import OptBenchHarness

/// Every file of a suite's folder from a grid's outcome: the tables (Markdown, CSV, JSON), the
/// rankings across targets, the complexity report when a column names one, the traces, the
/// HTML report and, kept apart from the results, the timing files and provenance.
public enum SuiteReport {
    /// Writes `outcome`'s files under `directory`; `command` is the command that made them.
    public static func write(_ outcome: GridOutcome, command: String, to directory: URL) throws {
        let suite = outcome.suite
        let rankings = TargetRankings(suite: suite, problemLabels: outcome.problemLabels, optimizerLabels: outcome.optimizerLabels,
                                      traces: outcome.traces, traceCells: outcome.traceCells)
        try ResultReport(suite: suite, command: command, problemLabels: outcome.problemLabels, optimizerLabels: outcome.optimizerLabels,
                         pairs: outcome.pairs, rankings: rankings).write(to: directory)
        try RankingReport(suite: suite, command: command, rankings: rankings, noise: outcome.noise).write(to: directory)
        try outcome.noise.write(to: directory)
        if suite.optimizers.contains(where: { $0.complexity != nil }) {
            try ComplexityReport(suite: suite, command: command, problemLabels: outcome.problemLabels, theory: outcome.theory,
                                 optimizerLabels: outcome.optimizerLabels, pairs: outcome.pairs).write(to: directory)
        } else {
            // The folder holds this suite's files only, even when another suite wrote there before.
            for name in ["complexity.md", "complexity.csv"] { try? FileManager.default.removeItem(at: directory.appendingPathComponent(name)) }
        }
        try TraceWriter.write(traces: outcome.traces, cells: outcome.traceCells, problems: outcome.problemLabels,
                              optimizers: outcome.optimizerLabels, seeds: suite.seeds, to: directory)
        try HTMLReport(suite: suite, command: command, problemLabels: outcome.problemLabels, optimizerLabels: outcome.optimizerLabels,
                       pairs: outcome.pairs, traces: outcome.traces, traceCells: outcome.traceCells, seeds: suite.seeds,
                       rankings: rankings).write(to: directory)
        try Provenance.current(threads: outcome.jobs).write(to: directory)
    }
}

extension Grid {
    /// Runs the grid in `directory` and writes every file of its folder there (`SuiteReport`):
    /// the pairs of the table, or none for a shard, which writes its cells only.
    @discardableResult
    public func run(writingTo directory: URL, command: String) throws -> [PairSummary] {
        guard let outcome = try run(in: directory) else { return [] }
        try SuiteReport.write(outcome, command: command, to: directory)
        return outcome.pairs
    }
}
