import Foundation
import OptBenchHarness

/// `optbench bench`: a suite's full grid, tables and traces under `--out` (default `results/<suite>`).
enum BenchCommand: Subcommand {
    static let declaration = CommandDeclaration(
        name: "bench", summary: "run a suite's grid (problems × optimizers × lr sweep × seeds) and write its tables",
        positional: nil,
        options: [
            OptionDeclaration(name: "--suite", valueName: "NAME", help: "suite name (default 'default'; see 'optbench list suites')"),
            OptionDeclaration(name: "--out", valueName: "DIR", help: "output directory (default results/<suite>)"),
            OptionDeclaration(name: "--jobs", valueName: "N", help: "cells run in parallel (default 2); results do not depend on it"),
            OptionDeclaration(name: "--threads", valueName: "N", help: "the same as --jobs"),
            OptionDeclaration(name: "--shard", valueName: "I/N",
                              help: "run only the I-th of N deterministic parts of the grid (cells, no tables; combine with 'optbench merge')"),
            OptionDeclaration(name: "--resume", valueName: nil, help: "reuse the cells an interrupted run already finished in DIR"),
        ])

    static func run(_ arguments: ParsedArguments, output: (String) -> Void, errors: (String) -> Void) throws {
        let suite = try Suites.named(arguments.value("--suite") ?? "default")
        let threads = try declaration.number(arguments, "--jobs", as: Int.self, expected: "a positive integer")
            ?? declaration.number(arguments, "--threads", as: Int.self, expected: "a positive integer") ?? 2
        guard threads >= 1 else { throw UsageError(message: "optbench bench: --jobs \(threads) must be ≥ 1", command: "bench") }
        let out = try writableDirectory(arguments.value("--out") ?? "results/\(suite.name)", option: "--out", command: "bench")
        let grid = Grid(suite: suite, threads: threads, resume: arguments.has("--resume"),
                        log: { FileHandle.standardError.write(Data(($0 + "\n").utf8)) })
        let start = Date()
        var shardedGrid = grid
        if let text = arguments.value("--shard") {
            let parts = text.split(separator: "/").map { Int($0) }
            guard parts.count == 2, let i = parts[0], let n = parts[1], n >= 1, (1...n).contains(i) else {
                throw UsageError(message: "optbench bench: --shard \(text) is not valid; expected I/N with 1 ≤ I ≤ N", command: "bench")
            }
            shardedGrid.shard = (i, n)
            _ = try shardedGrid.run(writingTo: out, command: "optbench bench --suite \(suite.name)")
            output("shard \(i)/\(n) of suite \(suite.name): cells in \(out.path)/cells.jsonl; combine the shards with 'optbench merge'")
            return
        }
        let pairs = try grid.run(writingTo: out, command: "optbench bench --suite \(suite.name)")
        // A summary a terminal can show; the tables themselves are in the files.
        var counts: [PairStatus: Int] = [:]
        for p in pairs { counts[p.status, default: 0] += 1 }
        let order: [PairStatus] = [.reached, .partial, .budget, .stalled, .diverged, .skipped]
        output("suite \(suite.name): \(pairs.count) pairs: " + order.compactMap { s in counts[s].map { "\($0) \(s.rawValue)" } }.joined(separator: ", "))
        output("  tables   \(out.path)/table.md (.csv, .json)" + (suite.optimizers.contains { $0.complexity != nil } ? ", complexity.md" : ""))
        output("  report   \(out.path)/index.html")
        output("  traces   \(out.path)/traces/, timings in timings.csv and timings/")
        output("  took     \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
    }
}
