import Foundation
import Harness

/// `optbench bench`: a suite's full grid, tables and traces under `--out` (default `results/<suite>`).
enum BenchCommand: Subcommand {
    static let declaration = CommandDeclaration(
        name: "bench", summary: "run a suite's grid (problems × optimizers × lr sweep × seeds) and write its tables",
        positional: nil,
        options: [
            OptionDeclaration(name: "--suite", valueName: "NAME", help: "suite name (default 'default'; see 'optbench list suites')"),
            OptionDeclaration(name: "--out", valueName: "DIR", help: "output directory (default results/<suite>)"),
            OptionDeclaration(name: "--threads", valueName: "N", help: "cells run concurrently (default 2)"),
            OptionDeclaration(name: "--resume", valueName: nil, help: "reuse the cells an interrupted run already finished in DIR"),
        ])

    static func run(_ arguments: ParsedArguments, output: (String) -> Void, errors: (String) -> Void) throws {
        let suite = try Suites.named(arguments.value("--suite") ?? "default")
        let threads = try declaration.number(arguments, "--threads", as: Int.self, expected: "a positive integer") ?? 2
        guard threads >= 1 else { throw UsageError(message: "optbench bench: --threads \(threads) must be ≥ 1", command: "bench") }
        let out = try writableDirectory(arguments.value("--out") ?? "results/\(suite.name)", option: "--out", command: "bench")
        let grid = Grid(suite: suite, threads: threads, resume: arguments.has("--resume"),
                        log: { FileHandle.standardError.write(Data(($0 + "\n").utf8)) })
        let start = Date()
        try grid.run(writingTo: out, command: "optbench bench --suite \(suite.name)")
        output(try String(contentsOf: out.appendingPathComponent("table.md"), encoding: .utf8))
        output("wrote \(out.path)/table.{md,csv,json}, traces/ and cells.jsonl in \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
    }
}
