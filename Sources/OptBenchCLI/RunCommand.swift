import Core
import Foundation
import Harness
import Optimizers
import Problems

/// `optbench run`: one cell (problem × optimizer × hyper-parameters × seed); a summary to
/// stdout and, with `--out`, the per-epoch trace as CSV.
enum RunCommand: Subcommand {
    static let spec = CommandSpec(
        name: "run", summary: "run one optimizer on one problem to a target accuracy; summary to stdout, trace CSV to --out",
        positional: nil,
        options: [
            OptionSpec(name: "--problem", valueName: "NAME", help: "problem name (see 'optbench list problems')", required: true),
            OptionSpec(name: "--set", valueName: "KEY=VALUE", help: "a problem setting (sizes, κ, data files)", repeatable: true),
            OptionSpec(name: "--optimizer", valueName: "NAME", help: "optimizer name (see 'optbench list optimizers')", required: true),
            OptionSpec(name: "--hp", valueName: "KEY=VALUE", help: "an optimizer hyper-parameter", repeatable: true),
            OptionSpec(name: "--epochs", valueName: "N", help: "epoch budget (default 100)"),
            OptionSpec(name: "--target", valueName: "EPS", help: "target accuracy ε (default 1e-6)"),
            OptionSpec(name: "--seed", valueName: "S", help: "seed of the initial point and sampling (default 0)"),
            OptionSpec(name: "--out", valueName: "DIR", help: "write the trace CSV into DIR"),
        ])

    static func run(_ arguments: ParsedArguments, output: (String) -> Void, errors: (String) -> Void) throws {
        let problemEntry = try ProblemRegistry.entry(named: arguments.value("--problem")!)
        let optimizerEntry = try OptimizerRegistry.entry(named: arguments.value("--optimizer")!)
        let hp = try optimizerEntry.parameters(arguments.all("--hp"))
        let optimizer = try optimizerEntry.make(hp)
        var rule = StoppingRule(target: 1e-6, maxEpochs: 100)
        if let e = try spec.number(arguments, "--epochs", as: Double.self, expected: "a positive number of epochs") {
            guard e > 0 else { throw UsageError(message: "optbench run: --epochs \(e) must be positive", command: "run") }
            rule.maxEpochs = e
        }
        if let t = try spec.number(arguments, "--target", as: Double.self, expected: "a real ε ≥ 0") {
            guard t >= 0 else { throw UsageError(message: "optbench run: --target \(t) must be ≥ 0", command: "run") }
            rule.target = t
        }
        let seed = try spec.number(arguments, "--seed", as: UInt64.self, expected: "a non-negative integer") ?? 0
        let problem = try problemEntry.make(arguments.all("--set"))
        let result = Runner.run(optimizer, on: problem, seed: seed, rule: rule)

        let final = result.final
        var lines = [
            "problem    \(problem.label)   (n = \(problem.sampleCount), d = \(problem.dimension)"
                + (problem.optimalValue.map { ", F* = \(format17($0))" } ?? "") + ")",
            "optimizer  \(optimizerEntry.name)   \(hp)",
            "status     \(result.status.rawValue)" + (result.epochsToTarget.map { " at epoch \(formatNumber($0))" } ?? ""),
            "epochs     \(formatNumber(final.epoch))   steps \(result.steps)   seconds \(String(format: "%.6f", final.seconds))",
            "loss       \(format17(result.records[0].loss)) → \(format17(final.loss))",
            "accuracy   \(String(format: "%.3e", result.finalAccuracy)) (target \(formatNumber(rule.target)))",
        ]
        for (name, value) in zip(result.metricNames, final.metrics) { lines.append("\(name.padding(11))\(format17(value))") }
        if let dir = arguments.value("--out") {
            let url = URL(fileURLWithPath: dir)
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            let file = url.appendingPathComponent("\(fileSlug(problem.label))__\(fileSlug(optimizerEntry.name + " " + hp.changed))__seed\(seed).csv")
            try TraceWriter.csv(result).write(to: file, atomically: true, encoding: .utf8)
            lines.append("trace      \(file.path)")
        }
        output(lines.joined(separator: "\n"))
    }
}
