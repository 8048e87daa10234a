import OptBenchCore
import OptBenchHarness

/// `optbench list [problems|optimizers|suites|experiments]`: names, one-line descriptions,
/// parameters, from the catalog.
enum ListCommand: Subcommand {
    static let declaration = CommandDeclaration(
        name: "list", summary: "list problems, optimizers, suites and experiments with their parameters and defaults",
        positional: ("what", "problems, optimizers, suites or experiments (default: all)", ["problems", "optimizers", "suites", "experiments"]),
        options: [])

    static func run(_ arguments: ParsedArguments, _ context: CommandContext) throws {
        let catalog = context.catalog, what = arguments.positional
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
            section("problems (--set key=value)", catalog.problems.map { ($0.name, $0.summary, $0.settings) })
        }
        if what == nil || what == "optimizers" {
            section("optimizers (--hp key=value)", catalog.optimizers.map { ($0.name, $0.summary, $0.parameters) })
        }
        if what == nil || what == "suites" {
            lines.append("suites (optbench bench --suite NAME, or --suite FILE for a suite file):")
            for file in catalog.suites {
                let s = try file.suite(in: catalog)
                lines.append("  \(s.name.padding(22))\(s.summary)")
                let axes = Set(s.optimizers.flatMap { $0.sweeps.map(\.name) }).sorted()
                lines.append("      \(file.path): \(s.problems.count) problems × \(s.optimizers.count) optimizers × \(s.learningRates.count) learning rates"
                             + (axes.isEmpty ? "" : " (some columns × \(axes.joined(separator: " × ")))")
                             + " × \(s.seeds.count) seeds, \(s.rule.criterion.target(formatNumber(s.rule.target))), budget \(formatNumber(s.rule.maxEpochs)) epochs")
            }
            lines.append("")
        }
        if what == nil || what == "experiments" {
            lines.append("experiments (optbench experiment NAME):")
            for e in catalog.experiments { lines.append("  \(e.name.padding(22))\(e.summary)") }
            lines.append("")
        }
        context.output(lines.joined(separator: "\n"))
    }
}
