import Foundation
import OptBenchHarness
import OptBenchReports

/// `optbench merge DIR… --out DIR`: shard folders of one suite into the tables one run writes.
enum MergeCommand: Subcommand {
    static let declaration = CommandDeclaration(
        name: "merge", summary: "combine the shard folders of 'bench --shard i/N' into the tables a single run writes",
        positional: ("DIR…", "the shard folders, every one of 1…N", []),
        positionalCount: Int.max,
        options: [
            OptionDeclaration(name: "--out", valueName: "DIR", help: "where the merged tables go", required: true),
            OptionDeclaration(name: "--jobs", valueName: "N", help: "cells run in parallel (default 2); results do not depend on it"),
        ])

    static func run(_ arguments: ParsedArguments, _ context: CommandContext) throws {
        let output = context.output
        guard !arguments.positionals.isEmpty else {
            throw UsageError(message: "optbench merge: expected the shard folders", command: "merge")
        }
        let out = try writableDirectory(arguments.value("--out")!, option: "--out", command: "merge")
        let jobs = try positiveCount(arguments, "--jobs", command: "merge") ?? 2
        let outcome = try ShardMerge.merge(arguments.positionals.map { URL(fileURLWithPath: $0) }, into: out, catalog: context.catalog,
                                           jobs: jobs, log: { FileHandle.standardError.write(Data(($0 + "\n").utf8)) })
        try SuiteReport.write(outcome, command: "optbench bench --suite \(outcome.suite.name)", to: out)
        output("merged \(arguments.positionals.count) shards: \(outcome.pairs.count) pairs, tables in \(out.path)")
    }
}
