import Foundation
import OptBenchCore
import OptBenchHarness
import OptBenchReports

/// `optbench experiment NAME`: runs one experiment of the catalog and writes its folder
/// (`table.md`, figures, `result.json`, `index.html`; see `ExperimentReport`), printing the
/// verdicts. Exit 0 whatever the verdicts say: a claim that does not hold is a result.
enum ExperimentCommand: Subcommand {
    static let declaration = CommandDeclaration(
        name: "experiment", summary: "run one experiment (see 'optbench list experiments'): table, figures, result.json and verdicts",
        positional: ("NAME", "the experiment", []),
        options: [
            OptionDeclaration(name: "--out", valueName: "DIR", help: "write the results into DIR (default results/experiments/NAME)"),
            OptionDeclaration(name: "--quick", valueName: nil, help: "the experiment's small sizes (seconds, for CI)"),
            OptionDeclaration(name: "--set", valueName: "KEY=VALUE", help: "a size of the experiment's grid (each experiment documents its keys)",
                              repeatable: true),
            OptionDeclaration(name: "--jobs", valueName: "N", help: "cells run in parallel (default 2); results do not depend on it"),
        ])

    static func run(_ arguments: ParsedArguments, _ context: CommandContext) throws {
        guard let name = arguments.positional else {
            throw UsageError(message: "optbench experiment: missing NAME; valid experiments: "
                             + context.catalog.experiments.map(\.name).joined(separator: ", "), command: "experiment")
        }
        let entry = try context.catalog.experiment(named: name)
        var settings: [String: String] = [:]
        for word in arguments.all("--set") {
            guard let eq = word.firstIndex(of: "="), eq != word.startIndex else {
                throw UsageError(message: "optbench experiment: --set \(word) is not valid; expected KEY=VALUE", command: "experiment")
            }
            settings[String(word[..<eq])] = String(word[word.index(after: eq)...])
        }
        let jobs = try positiveCount(arguments, "--jobs", command: "experiment") ?? 2
        let quick = arguments.has("--quick")
        let out = try writableDirectory(arguments.value("--out") ?? "results/experiments/\(name)", option: "--out", command: "experiment")
        let options = ExperimentOptions(quick: quick, settings: settings, jobs: jobs, log: { _ in })
        let started = Date()
        let outcome = try entry.run(options)
        let command = (["optbench", "experiment", name] + (quick ? ["--quick"] : [])
                       + settings.keys.sorted().flatMap { ["--set", "\($0)=\(settings[$0]!)"] }).joined(separator: " ")
        let report = ExperimentReport(name: name, claim: entry.claim, command: command, quick: quick, outcome: outcome)
        do { try report.write(to: out) } catch {
            throw ConfigurationError("cannot write \(out.path): \(error.localizedDescription)")
        }
        var lines = ["experiment \(name): the claim \(ExperimentReport.overall(outcome.verdicts)) (\(String(format: "%.1f", Date().timeIntervalSince(started))) s)"]
        for v in outcome.verdicts { lines.append("  \(v.holds ? "✓" : "✗") \(v.test) — measured \(v.measured)") }
        lines.append("written: \(out.path)/table.md, result.json, index.html, " + outcome.figures.map { ExperimentReport.fileName($0) }.joined(separator: ", "))
        context.output(lines.joined(separator: "\n"))
    }
}
