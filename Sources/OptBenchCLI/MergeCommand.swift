import Foundation
import OptBenchHarness

/// `optbench merge DIR… --out DIR`: shard folders of one suite into the tables one run writes.
enum MergeCommand: Subcommand {
    static let declaration = CommandDeclaration(
        name: "merge", summary: "combine the shard folders of 'bench --shard i/N' into the tables a single run writes",
        positional: ("DIR…", "the shard folders, every one of 1…N", []),
        positionalCount: Int.max,
        options: [OptionDeclaration(name: "--out", valueName: "DIR", help: "where the merged tables go", required: true)])

    static func run(_ arguments: ParsedArguments, output: (String) -> Void, errors: (String) -> Void) throws {
        guard !arguments.positionals.isEmpty else {
            throw UsageError(message: "optbench merge: expected the shard folders", command: "merge")
        }
        let out = try writableDirectory(arguments.value("--out")!, option: "--out", command: "merge")
        let pairs = try ShardMerge.merge(arguments.positionals.map { URL(fileURLWithPath: $0) }, into: out,
                                         log: { FileHandle.standardError.write(Data(($0 + "\n").utf8)) })
        output("merged \(arguments.positionals.count) shards: \(pairs.count) pairs, tables in \(out.path)")
    }
}
