import OptBenchCore
import Foundation

/// What a shard folder holds (`shard.json`): suite, shard i of N, and its cell count; beside it
/// `suite.json`, the suite's canonical definition, from which `optbench merge` runs the grid.
public struct ShardMarker: Codable, Sendable, Equatable {
    public var suite: String
    public var index: Int
    public var count: Int
    public var cells: Int

    public func write(to directory: URL, definition: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try Data(definition.utf8).write(to: directory.appendingPathComponent("suite.json"), options: .atomic)
        try encoder.encode(self).write(to: directory.appendingPathComponent("shard.json"), options: .atomic)
    }

    /// The marker of the shard folder `directory`.
    public static func read(_ directory: URL) throws(ConfigurationError) -> ShardMarker {
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
/// in them under this code's keys; otherwise it refuses, naming what is missing. A folder
/// without `shard.json` holds a shard that failed or was killed part-way: it counts as missing,
/// and is named with the shard indices that none of the finished folders holds.
public enum ShardMerge {
    public static func merge(_ shards: [URL], into out: URL, catalog: Catalog, jobs: Int = 2,
                             log: @escaping @Sendable (String) -> Void = { _ in }) throws -> GridOutcome {
        // The finished folders' markers tell which indices the unfinished ones should have held.
        var markers: [ShardMarker] = [], finished: [URL] = [], unfinished: [URL] = []
        var unreadable: ConfigurationError?
        for dir in shards {
            do {
                markers.append(try ShardMarker.read(dir))
                finished.append(dir)
            } catch {
                unfinished.append(dir)
                unreadable = unreadable ?? error
            }
        }
        guard let first = markers.first else { throw unreadable ?? ConfigurationError("merge: no shard folders given") }
        for (m, dir) in zip(markers, finished) where m.suite != first.suite || m.count != first.count {
            throw ConfigurationError("\(dir.path)/shard.json is shard \(m.index)/\(m.count) of '\(m.suite)'; expected a shard of '\(first.suite)' out of \(first.count)")
        }
        let present = Set(markers.map(\.index))
        let missing = (1...first.count).filter { !present.contains($0) }
        guard missing.isEmpty else {
            let why = unfinished.isEmpty ? ""
                : " (no finished shard in \(unfinished.map(\.path).joined(separator: ", ")): \(unfinished.count > 1 ? "they hold" : "it holds") no shard.json)"
            throw ConfigurationError("shard\(missing.count > 1 ? "s" : "") \(missing.map(String.init).joined(separator: ", ")) of \(first.count) of suite '\(first.suite)' missing\(why); expected every shard 1…\(first.count)")
        }
        if let unreadable { throw unreadable }
        // Every shard keeps the definition it was cut from; they must agree, and this catalog must read it.
        var definition: String?
        for dir in shards {
            let file = dir.appendingPathComponent("suite.json")
            guard let data = FileManager.default.contents(atPath: file.path), let text = String(data: data, encoding: .utf8) else {
                throw ConfigurationError("file \(file.path): missing or unreadable; expected the suite definition 'optbench bench --shard' writes")
            }
            if let d = definition, d != text {
                throw ConfigurationError("file \(file.path): another definition of suite '\(first.suite)' than in \(shards[0].path); expected shards of one grid")
            }
            definition = text
        }
        let suite = try SuiteFile(name: first.suite, path: shards[0].appendingPathComponent("suite.json").path, text: definition ?? "")
            .suite(in: catalog)
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        var cells = Data(), timings = Data()
        for dir in shards {
            cells.append(FileManager.default.contents(atPath: dir.appendingPathComponent("cells.jsonl").path) ?? Data())
            timings.append(FileManager.default.contents(atPath: dir.appendingPathComponent("timings.jsonl").path) ?? Data())
        }
        try cells.write(to: out.appendingPathComponent("cells.jsonl"), options: .atomic)
        try timings.write(to: out.appendingPathComponent("timings.jsonl"), options: .atomic)
        var grid = Grid(suite: suite, jobs: jobs, resume: true, log: log)
        grid.requireCached = true
        guard let outcome = try grid.run(in: out) else { throw ConfigurationError("merge: no grid to merge") }
        return outcome
    }
}
