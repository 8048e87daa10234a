import OptBenchCore
import OptBenchHarness
import OptBenchOptimizers
import OptBenchProblems

/// `optbench list [problems|optimizers|suites]`: names, one-line descriptions, parameters.
enum ListCommand: Subcommand {
    static let declaration = CommandDeclaration(
        name: "list", summary: "list problems, optimizers and suites with their parameters and defaults",
        positional: ("what", "problems, optimizers or suites (default: all three)", ["problems", "optimizers", "suites"]),
        options: [])

    static func run(_ arguments: ParsedArguments, output: (String) -> Void, errors: (String) -> Void) throws {
        let what = arguments.positional
        var lines: [String] = []
        func section(_ title: String, _ items: [(String, String, [ParameterDeclaration])]) {
            lines.append("\(title):")
            for (name, summary, params) in items {
                lines.append("  \(name.padding(22))\(summary)")
                for p in params { lines.append("      \(p.usage)") }
            }
            lines.append("")
        }
        if what == nil || what == "problems" {
            section("problems (--set key=value)", ProblemRegistry.all.map { ($0.name, $0.summary, $0.settings) })
        }
        if what == nil || what == "optimizers" {
            section("optimizers (--hp key=value)", OptimizerRegistry.all.map { ($0.name, $0.summary, $0.parameters) })
        }
        if what == nil || what == "suites" {
            lines.append("suites (optbench bench --suite NAME):")
            for s in Suites.all {
                lines.append("  \(s.name.padding(22))\(s.summary)")
                let axes = Set(s.optimizers.flatMap { $0.sweeps.map(\.name) }).sorted()
                lines.append("      \(s.problems.count) problems × \(s.optimizers.count) optimizers × \(s.learningRates.count) learning rates"
                             + (axes.isEmpty ? "" : " (some columns × \(axes.joined(separator: " × ")))")
                             + " × \(s.seeds.count) seeds, ε = \(formatNumber(s.rule.target)), budget \(formatNumber(s.rule.maxEpochs)) epochs")
            }
            lines.append("")
        }
        output(lines.joined(separator: "\n"))
    }
}
