import Foundation
import OptBenchCore
import OptBenchHarness
import OptBenchReports

/// `optbench bench`: a suite's full grid — a catalog suite, a suite file, or one given on the
/// command line in Benchopt's filter syntax — its tables and traces under `--out` (default
/// `results/<suite>`).
enum BenchCommand: Subcommand {
    static let declaration = CommandDeclaration(
        name: "bench", summary: "run a suite's grid (problems × optimizers × lr sweep × seeds) and write its tables",
        positional: nil,
        options: [
            OptionDeclaration(name: "--suite", valueName: "NAME|FILE",
                              help: "a suite of the catalog ('optbench list suites') or a suite file ('optbench help suite-file'); default 'default'"),
            OptionDeclaration(name: "--problem", valueName: "SPEC",
                              help: "instead of --suite, a grid given here: a problem in filter syntax, e.g. 'least-squares[kappa=100]'", repeatable: true),
            OptionDeclaration(name: "--optimizer", valueName: "SPEC",
                              help: "with --problem: an optimizer column, e.g. 'nesterov[momentum=0.9]' or 'sgd[momentum=[0.5,0.9]]' (swept)",
                              repeatable: true),
            OptionDeclaration(name: "--seeds", valueName: "N", help: "with --problem: seeds 1…N (default 3)"),
            OptionDeclaration(name: "--target", valueName: "EPS", help: "with --problem: target ε of the criterion (default 1e-6)"),
            OptionDeclaration(name: "--criterion", valueName: "C", help: "with --problem: relative (default), loss or metric:NAME"),
            OptionDeclaration(name: "--epochs", valueName: "N", help: "with --problem: epoch budget (default 100)"),
            OptionDeclaration(name: "--lr", valueName: "FROM:TO:PER_DECADE|V1,V2,…",
                              help: "with --problem: the learning rates swept (default 1e-4:10:3, log-spaced between powers of ten)"),
            OptionDeclaration(name: "--name", valueName: "NAME", help: "with --problem: the suite's name in its tables (default adhoc)"),
            OptionDeclaration(name: "--out", valueName: "DIR", help: "output directory (default results/<suite>; required with --problem)"),
            OptionDeclaration(name: "--jobs", valueName: "N", help: "cells run in parallel (default 2); results do not depend on it"),
            OptionDeclaration(name: "--kernel-threads", valueName: "N",
                              help: "threads each kernel (GEMM, element-wise passes) may use (default: every core); results do not depend on it"),
            OptionDeclaration(name: "--shard", valueName: "I/N",
                              help: "run only the I-th of N deterministic parts of the grid (cells, no tables; combine with 'optbench merge')"),
            OptionDeclaration(name: "--resume", valueName: nil, help: "reuse the cells an interrupted run already finished in DIR"),
        ])

    /// The options that describe a grid on the command line.
    static let gridOptions = ["--problem", "--optimizer", "--seeds", "--target", "--criterion", "--epochs", "--lr", "--name"]

    static func run(_ arguments: ParsedArguments, _ context: CommandContext) throws {
        let output = context.output
        let jobs = try positiveCount(arguments, "--jobs", command: "bench") ?? 2
        if let threads = try positiveCount(arguments, "--kernel-threads", command: "bench") { setKernelThreads(threads) }
        let adHoc = arguments.has("--problem") || arguments.has("--optimizer")
        let suite: Suite
        if adHoc {
            guard !arguments.has("--suite") else {
                throw UsageError(message: "optbench bench: --suite and --problem/--optimizer both given; expected a suite or a grid on the command line", command: "bench")
            }
            guard arguments.has("--out") else {
                throw UsageError(message: "optbench bench: a grid given with --problem needs --out DIR", command: "bench")
            }
            suite = try commandLineSuite(arguments, context.catalog)
        } else {
            if let stray = gridOptions.first(where: arguments.has) {
                throw UsageError(message: "optbench bench: \(stray) describes a grid given with --problem and --optimizer; the suite defines its own", command: "bench")
            }
            suite = try context.catalog.suite(arguments.value("--suite") ?? "default")
        }
        let out = try writableDirectory(arguments.value("--out") ?? "results/\(suite.name)", option: "--out", command: "bench")
        var grid = Grid(suite: suite, jobs: jobs, resume: arguments.has("--resume"),
                        log: { FileHandle.standardError.write(Data(($0 + "\n").utf8)) })
        let command = "optbench bench " + (adHoc ? commandLineWords(arguments) : "--suite \(arguments.value("--suite") ?? suite.name)")
        let start = Date()
        let resume = command + (arguments.value("--out").map { " --out \($0)" } ?? "")
            + (arguments.value("--shard").map { " --shard \($0)" } ?? "") + (arguments.value("--jobs").map { " --jobs \($0)" } ?? "") + " --resume"
        InterruptNotice.install("\noptbench bench: interrupted; the finished cells are kept in \(out.path)/cells.jsonl. Resume with:\n  \(resume)\n")
        if let text = arguments.value("--shard") {
            let parts = text.split(separator: "/", omittingEmptySubsequences: false).map { Int($0) }
            guard parts.count == 2, let i = parts[0], let n = parts[1], n >= 1, n <= ShardMarker.maximumCount, (1...n).contains(i) else {
                throw UsageError(message: "optbench bench: --shard \(text) is not valid; expected I/N, integers with 1 ≤ I ≤ N ≤ \(ShardMarker.maximumCount)",
                                 command: "bench")
            }
            grid.shard = (i, n)
            _ = try grid.run(in: out)
            if try ShardMarker.read(out).cells == 0 {
                output("shard \(i)/\(n) of suite \(suite.name) holds no cell (the grid has fewer runnable pairs than \(i)): "
                       + "wrote an empty shard in \(out.path); 'optbench merge' takes it with the others")
                return
            }
            output("shard \(i)/\(n) of suite \(suite.name): cells in \(out.path)/cells.jsonl; combine the shards with 'optbench merge'")
            return
        }
        guard let outcome = try grid.run(in: out) else { return }
        try SuiteReport.write(outcome, command: command, to: out)
        // A summary a terminal can show; the tables themselves are in the files.
        var counts: [PairStatus: Int] = [:]
        for p in outcome.pairs { counts[p.status, default: 0] += 1 }
        let order: [PairStatus] = [.reached, .partial, .budget, .stalled, .diverged, .skipped]
        output("suite \(suite.name): \(outcome.pairs.count) pairs: " + order.compactMap { s in counts[s].map { "\($0) \(s.rawValue)" } }.joined(separator: ", "))
        output("  tables   \(out.path)/table.md (.csv, .json)" + (suite.optimizers.contains { $0.complexity != nil } ? ", complexity.md" : ""))
        output("  report   \(out.path)/index.html")
        output("  traces   \(out.path)/traces/; wall times (untracked) in timings.html, timings.md, timings.csv and timings/")
        output("  took     \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
    }

    /// The suite the grid options describe, read through the same checks as a suite file.
    static func commandLineSuite(_ arguments: ParsedArguments, _ catalog: Catalog) throws -> Suite {
        func node(_ v: JSONValue) -> String { v.text() }
        let seeds = try positiveCount(arguments, "--seeds", command: "bench", maximum: 10_000) ?? 3
        var stop: [JSONValue.Member] = [.init("target", .number(try number(arguments, "--target", expected: "a finite ε ≥ 0", minimum: 0) ?? 1e-6))]
        if let c = arguments.value("--criterion") {
            _ = try criterion(c, command: "bench")
            stop.append(.init("criterion", .string(c)))
        }
        let epochs = try positiveCount(arguments, "--epochs", command: "bench") ?? 100
        let rates: JSONValue
        if let text = arguments.value("--lr") {
            rates = try learningRates(text)
        } else {
            rates = .object(["from": 1e-4, "to": 10, "per_decade": 3])
        }
        let definition = JSONValue.object([
            .init("name", .string(arguments.value("--name") ?? "adhoc")),
            .init("summary", .string("a grid given on the command line")),
            .init("problems", .array(arguments.all("--problem").map { .string($0) })),
            .init("optimizers", .array(arguments.all("--optimizer").map { .string($0) })),
            .init("learning_rates", rates),
            .init("seeds", .array((1...seeds).map { .number(Double($0)) })),
            .init("stop", .object(stop)),
            .init("budget", .object(["epochs": .number(Double(epochs))])),
        ]).text()
        guard arguments.has("--problem"), arguments.has("--optimizer") else {
            throw UsageError(message: "optbench bench: a grid on the command line needs at least one --problem and one --optimizer", command: "bench")
        }
        return try SuiteFile(name: "adhoc", path: "the command line", text: definition).suite(in: catalog)
    }

    /// `FROM:TO:PER_DECADE` or `V1,V2,…` as a suite file's `learning_rates`.
    static func learningRates(_ text: String) throws -> JSONValue {
        let bad = UsageError(message: "optbench bench: --lr \(text) is not valid; expected FROM:TO:PER_DECADE (e.g. 1e-4:10:3) or V1,V2,… (positive reals)",
                             command: "bench")
        if text.contains(":") {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false).map { Double($0) }
            guard parts.count == 3, let from = parts[0], let to = parts[1], let k = parts[2], from.isFinite, to.isFinite, k.isFinite else { throw bad }
            return .object(["from": .number(from), "to": .number(to), "per_decade": .number(k)])
        }
        var values: [JSONValue] = []
        for word in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let v = Double(word), v.isFinite, v > 0 else { throw bad }
            values.append(.number(v))
        }
        return .array(values)
    }

    static func number(_ arguments: ParsedArguments, _ option: String, expected: String, minimum: Double) throws -> Double? {
        guard let v = try declaration.number(arguments, option, as: Double.self, expected: expected) else { return nil }
        guard v.isFinite, v >= minimum else { throw UsageError(message: "optbench bench: \(option) \(v) is not valid; expected \(expected)", command: "bench") }
        return v
    }

    /// The grid options as typed, quoted where the shell would need it, for the tables' header.
    static func commandLineWords(_ arguments: ParsedArguments) -> String {
        var words: [String] = []
        for option in gridOptions {
            for v in arguments.all(option) {
                let quoted = v.contains(where: { "[]() ,".contains($0) }) ? "'\(v)'" : v
                words.append("\(option) \(quoted)")
            }
        }
        return words.joined(separator: " ")
    }
}

/// A positive integer option (`--jobs`, `--seeds`, `--epochs`), at most `maximum`, or nil when
/// absent; `1.5`, `1e3`, `0x10` or a number beyond `maximum` is a usage error naming the option.
func positiveCount(_ arguments: ParsedArguments, _ option: String, command: String, maximum: Int = Int.max) throws -> Int? {
    guard let text = arguments.value(option) else { return nil }
    guard let v = Int(text), v >= 1, v <= maximum else {
        let range = maximum == Int.max ? "a positive integer" : "an integer from 1 to \(maximum)"
        throw UsageError(message: "optbench \(command): \(option) \(text) is not valid; expected \(range)", command: command)
    }
    return v
}
