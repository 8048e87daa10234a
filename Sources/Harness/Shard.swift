import Core
import Foundation

/// What a shard folder holds (`shard.json`): suite, shard i of N, and its cell count.
public struct ShardMarker: Codable, Sendable, Equatable {
    public var suite: String
    public var index: Int
    public var count: Int
    public var cells: Int

    public func write(to directory: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try encoder.encode(self).write(to: directory.appendingPathComponent("shard.json"), options: .atomic)
    }

    static func read(_ directory: URL) throws(ConfigurationError) -> ShardMarker {
        let file = directory.appendingPathComponent("shard.json")
        guard let data = FileManager.default.contents(atPath: file.path),
              let marker = try? JSONDecoder().decode(ShardMarker.self, from: data)
        else {
            throw ConfigurationError("file \(file.path): missing or unreadable; expected the output of 'optbench bench --shard i/N'")
        }
        return marker
    }
}

/// `optbench merge`: shard folders of one suite combined into exactly the tables a single run
/// writes. Every shard 1…N must be there, of one suite and one N, and every cell of the grid
/// in them under this code's keys; otherwise it refuses, naming what is missing.
public enum ShardMerge {
    public static func merge(_ shards: [URL], into out: URL, threads: Int = 2, log: @escaping @Sendable (String) -> Void = { _ in })
        throws -> [PairSummary] {
        var markers: [ShardMarker] = []
        for dir in shards { markers.append(try ShardMarker.read(dir)) }
        guard let first = markers.first else { throw ConfigurationError("merge: no shard folders given") }
        for (m, dir) in zip(markers, shards) where m.suite != first.suite || m.count != first.count {
            throw ConfigurationError("\(dir.path)/shard.json is shard \(m.index)/\(m.count) of '\(m.suite)'; expected a shard of '\(first.suite)' out of \(first.count)")
        }
        let present = Set(markers.map(\.index))
        let missing = (1...first.count).filter { !present.contains($0) }
        guard missing.isEmpty else {
            throw ConfigurationError("merge: shard\(missing.count > 1 ? "s" : "") \(missing.map(String.init).joined(separator: ", ")) of \(first.count) of suite '\(first.suite)' missing; expected every shard 1…\(first.count)")
        }
        let suite = try Suites.named(first.suite)
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        var cells = Data(), timings = Data()
        for dir in shards {
            cells.append(FileManager.default.contents(atPath: dir.appendingPathComponent("cells.jsonl").path) ?? Data())
            timings.append(FileManager.default.contents(atPath: dir.appendingPathComponent("timings.jsonl").path) ?? Data())
        }
        try cells.write(to: out.appendingPathComponent("cells.jsonl"), options: .atomic)
        try timings.write(to: out.appendingPathComponent("timings.jsonl"), options: .atomic)
        var grid = Grid(suite: suite, threads: threads, resume: true, log: log)
        grid.requireCached = true
        return try grid.run(writingTo: out, command: "optbench bench --suite \(suite.name)")
    }
}
