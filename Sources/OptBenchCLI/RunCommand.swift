import OptBenchCore
import Foundation
import OptBenchHarness
import OptBenchReports
import OptBenchOptimizers
import OptBenchProblems

/// `optbench run`: one cell (problem × optimizer × hyper-parameters × seed); a summary to
/// stdout and, with `--out`, the per-epoch trace as CSV.
enum RunCommand: Subcommand {
    static let declaration = CommandDeclaration(
        name: "run", summary: "run one optimizer on one problem to a target accuracy; summary to stdout, trace CSV to --out",
        positional: nil,
        options: [
            OptionDeclaration(name: "--problem", valueName: "NAME", help: "problem name (see 'optbench list problems')", required: true),
            OptionDeclaration(name: "--set", valueName: "KEY=VALUE", help: "a problem setting (sizes, κ, dtype, init, data files); spaces around KEY and VALUE are ignored", repeatable: true),
            OptionDeclaration(name: "--optimizer", valueName: "NAME", help: "optimizer name (see 'optbench list optimizers')", required: true),
            OptionDeclaration(name: "--hp", valueName: "KEY=VALUE", help: "an optimizer hyper-parameter; spaces around KEY and VALUE are ignored", repeatable: true),
            OptionDeclaration(name: "--group", valueName: "SEL:KEY=VALUE",
                       help: "a parameter-group override: blocks of role or name SEL take KEY=VALUE (e.g. bias:weight_decay=0)",
                       repeatable: true),
            OptionDeclaration(name: "--epochs", valueName: "N", help: "epoch budget (default 100)"),
            OptionDeclaration(name: "--target", valueName: "EPS", help: "target ε of the criterion (default 1e-6)"),
            OptionDeclaration(name: "--criterion", valueName: "C",
                              help: "what ε targets: relative (accuracy ≤ ε, the default), loss (training loss ≤ ε) or metric:NAME (a trace metric ≥ ε, e.g. metric:test_accuracy)"),
            OptionDeclaration(name: "--seed", valueName: "S", help: "seed of the initial point and sampling (default 0)"),
            OptionDeclaration(name: "--out", valueName: "DIR", help: "write the trace CSV into DIR"),
        ])

    static func run(_ arguments: ParsedArguments, _ context: CommandContext) throws {
        let output = context.output
        let problemEntry = try context.catalog.problem(named: arguments.value("--problem")!)
        let optimizerEntry = try context.catalog.optimizer(named: arguments.value("--optimizer")!)
        let hp = try optimizerEntry.parameters(arguments.all("--hp"))
        var groups: [ParameterGroup] = []
        for word in arguments.all("--group") { groups.append(try ParameterGroup(parsing: word)) }
        groups = ParameterGroup.merged(groups)
        let optimizer = try optimizerEntry.make(hp, groups: groups)
        var rule = StoppingRule(target: 1e-6, maxEpochs: 100)
        if let e = try positiveCount(arguments, "--epochs", command: "run") { rule.maxEpochs = Double(e) }
        if let t = try declaration.number(arguments, "--target", as: Double.self, expected: "a real ε ≥ 0") {
            guard t >= 0, t.isFinite else { throw UsageError(message: "optbench run: --target \(t) must be a finite ε ≥ 0", command: "run") }
            rule.target = t
        }
        let seed = try declaration.number(arguments, "--seed", as: UInt64.self, expected: "a non-negative integer") ?? 0
        let outDirectory = try arguments.value("--out").map { try writableDirectory($0, option: "--out", command: "run") }
        let settings = try problemEntry.parameters(arguments.all("--set"))
        let memory = try problemEntry.memory(settings)
        let problem = try problemEntry.make(settings)
        if let c = arguments.value("--criterion") {
            rule.criterion = try criterion(c, command: "run")
            if case .metric(let name) = rule.criterion, !problem.metricNames.contains(name) {
                let known = problem.metricNames.isEmpty ? "none" : problem.metricNames.joined(separator: ", ")
                throw UsageError(message: "optbench run: --criterion \(c): problem '\(problemEntry.name)' has no metric '\(name)'; its metrics: \(known)", command: "run")
            }
        }
        let label = optimizerEntry.name + (hp.changed.isEmpty ? "" : "(\(hp.changed))")
        if let reason = Grid.incompatibility(optimizer, label: label, groups: groups, problem: problem) {
            throw ConfigurationError("cannot run: \(reason)")
        }
        let result = Runner.run(optimizer, on: problem, seed: seed, rule: rule)

        let final = result.final
        var lines = [
            "problem    \(problem.label)   (n = \(problem.sampleCount), d = \(problem.dimension), \(problem.precision.rawValue)"
                + (problem.theory.optimalValue.map { ", F* = \(format17($0))" } ?? "") + ")",
            "memory     " + (memory.map(memoryLine) ?? "no estimate"),
            "optimizer  \(optimizerEntry.name)   \(hp)" + (groups.isEmpty ? "" : "   groups \(groups.map(\.description).joined(separator: " "))"),
            "status     \(result.status.rawValue)" + (result.epochsToTarget.map { " at epoch \(formatNumber($0))" } ?? ""),
            "epochs     \(formatNumber(final.epoch))   steps \(result.steps)   seconds \(String(format: "%.6f", final.seconds))",
            "loss       \(format17(result.records[0].loss)) → \(format17(final.loss))",
            "criterion  \(rule.criterion.measure(optimalValueKnown: problem.theory.optimalValue != nil)) = "
                + (result.finalAccuracy.map { String(format: "%.3e", $0) } ?? "none (diverged)")
                + "   (target \(rule.criterion.comparison) \(formatNumber(rule.target)))",
        ]
        if let batch = optimizer.float64.resolvedBatchSize(problem: problem.miniBatch, sampleCount: problem.sampleCount) {
            let source = hp.value(of: "batch_size") == nil ? "\(optimizerEntry.name) always takes the full gradient"
                : hp.isSet("batch_size") ? "batch_size=\(hp.value(of: "batch_size")!)"
                : problem.miniBatch != nil ? "batch_size=auto: the problem's mini-batch (--set batch_size=…)"
                : "batch_size=auto: the rule's default, as the problem declares none"
            let after = (lines.firstIndex { $0.hasPrefix("optimizer  ") } ?? 0) + 1
            lines.insert("batch      " + (batch == 0 ? "full gradient" : "\(batch) samples") + "   (\(source))", at: after)
        }
        for (name, value) in zip(result.metricNames, final.metrics) { lines.append("\(name.padding(11))\(format17(value))") }
        if let peak = peakResidentSet() {
            lines.append("peak rss   \(MemoryEstimate.format(peak)) (\(peak) bytes; this process, runtime included: VmHWM)")
        }
        if let url = outDirectory {
            let file = url.appendingPathComponent("\(fileSlug(problem.label))__\(fileSlug(optimizerEntry.name + " " + hp.changed))__seed\(seed).csv")
            do { try TraceWriter.csv(result).write(to: file, atomically: true, encoding: .utf8) } catch {
                throw ConfigurationError("cannot write the trace \(file.path): \(error.localizedDescription)")
            }
            lines.append("trace      \(file.path)")
        }
        output(lines.joined(separator: "\n"))
    }
}

/// `about 1.2 GB (built in 1.6 GB, keeps 800 MB, 400 MB per run)`, with the estimate's note.
func memoryLine(_ m: MemoryEstimate) -> String {
    "about \(m) (built in \(MemoryEstimate.format(m.construction)), keeps \(MemoryEstimate.format(m.resident)), "
        + "\(MemoryEstimate.format(m.perRun)) per run)" + (m.note.map { "; \($0)" } ?? "")
}

/// The largest resident set this process has had (VmHWM of /proc/self/status), in bytes; nil
/// where the file is not there.
func peakResidentSet() -> Int? {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
          let kB = Int(line.dropFirst(6).trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "")
    else { return nil }
    return kB * 1024
}

/// `path` as a directory that exists (created if need be) and accepts a new file, checked
/// before any work; otherwise a usage error that says why.
func writableDirectory(_ path: String, option: String, command: String) throws -> URL {
    let url = URL(fileURLWithPath: path)
    let fm = FileManager.default
    var isDirectory: ObjCBool = false
    if fm.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue {
        throw UsageError(message: "optbench \(command): \(option) \(path) is a file; expected a directory", command: command)
    }
    do {
        try fm.createDirectory(at: url, withIntermediateDirectories: true)
    } catch {
        throw UsageError(message: "optbench \(command): \(option) \(path) cannot be created; expected a writable directory", command: command)
    }
    let probe = url.appendingPathComponent(".optbench-write-test-\(getpid())")
    guard fm.createFile(atPath: probe.path, contents: Data()) else {
        throw UsageError(message: "optbench \(command): \(option) \(path) is not writable; expected a writable directory", command: command)
    }
    try? fm.removeItem(at: probe)
    return url
}

/// A `--criterion` word: relative, loss or metric:NAME.
func criterion(_ word: String, command: String) throws -> StoppingCriterion {
    guard let c = StoppingCriterion(word) else {
        throw UsageError(message: "optbench \(command): --criterion \(word) is not valid; expected relative, loss or metric:NAME", command: command)
    }
    return c
}
