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

    /// The most shards a grid is cut into (`--shard I/N`, N ≤ this).
    public static let maximumCount = 100_000

    /// The marker of the shard folder `directory`.
    public static func read(_ directory: URL) throws(ConfigurationError) -> ShardMarker {
        let file = directory.appendingPathComponent("shard.json")
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw ConfigurationError("file \(file.path): missing; expected the output of 'optbench bench --shard i/N'")
        }
        return try RecordFile.read(ShardMarker.self, from: data, file: file.path)
    }
}

extension ShardMarker: CheckedRecord {
    /// A suite name, 1 ≤ count ≤ `maximumCount`, 1 ≤ index ≤ count, cells ≥ 0.
    public func check() throws(FieldDefect) {
        try FieldDefect.named(suite, "suite")
        try FieldDefect.count(count, "count", in: 1...Self.maximumCount, "a shard count in 1…\(Self.maximumCount)")
        try FieldDefect.count(index, "index", in: 1...count, "a shard index in 1…\(count) (count)")
        try FieldDefect.count(cells, "cells", in: 0...Int.max, "a cell count ≥ 0")
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
        // A folder without shard.json holds a shard that did not finish (nil); one that does not read is refused.
        var markers: [ShardMarker?] = []
        for dir in shards {
            let finished = FileManager.default.fileExists(atPath: dir.appendingPathComponent("shard.json").path)
            markers.append(finished ? try ShardMarker.read(dir) : nil)
        }
        let first = try checkMarkers(markers, of: shards)
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
        // Each shard's files checked where they are, so that a defect names the shard's file.
        var cells = Data(), timings = Data()
        for (dir, marker) in zip(shards, markers) {
            let cellsFile = dir.appendingPathComponent("cells.jsonl"), timingsFile = dir.appendingPathComponent("timings.jsonl")
            let cellData = FileManager.default.contents(atPath: cellsFile.path) ?? Data()
            let timingData = FileManager.default.contents(atPath: timingsFile.path) ?? Data()
            let held = try RecordFile.lines(CachedCell.self, from: cellData, file: cellsFile.path, tornEnd: false).records
            _ = try RecordFile.lines(CellTiming.self, from: timingData, file: timingsFile.path, tornEnd: false)
            if let marker, held.count != marker.cells {
                throw ConfigurationError("file \(cellsFile.path): \(held.count) cells; expected \(marker.cells), as \(dir.path)/shard.json says")
            }
            cells.append(cellData)
            if cellData.last.map({ $0 != UInt8(ascii: "\n") }) ?? false { cells.append(UInt8(ascii: "\n")) }
            timings.append(timingData)
            if timingData.last.map({ $0 != UInt8(ascii: "\n") }) ?? false { timings.append(UInt8(ascii: "\n")) }
        }
        try cells.write(to: out.appendingPathComponent("cells.jsonl"), options: .atomic)
        try timings.write(to: out.appendingPathComponent("timings.jsonl"), options: .atomic)
        var grid = Grid(suite: suite, jobs: jobs, resume: true, log: log)
        grid.requireCached = true
        guard let outcome = try grid.run(in: out) else { throw ConfigurationError("merge: no grid to merge") }
        return outcome
    }
}

extension ShardMerge {
    /// The marker every shard shares, once the markers (nil: a folder without one) are of one
    /// suite cut into one N and hold every shard 1…N; otherwise what is missing or disagrees.
    public static func checkMarkers(_ markers: [ShardMarker?], of shards: [URL]) throws(ConfigurationError) -> ShardMarker {
        let finished = zip(markers, shards).compactMap { m, dir in m.map { ($0, dir) } }
        let unfinished = zip(markers, shards).filter { $0.0 == nil }.map(\.1)
        guard let (first, firstDir) = finished.first else {
            guard let dir = unfinished.first else { throw ConfigurationError("merge: no shard folders given") }
            throw ConfigurationError("file \(dir.appendingPathComponent("shard.json").path): missing; expected the output of 'optbench bench --shard i/N'")
        }
        for (m, dir) in finished where m.suite != first.suite || m.count != first.count {
            throw ConfigurationError("\(dir.path)/shard.json is shard \(m.index)/\(m.count) of '\(m.suite)'; expected a shard of '\(first.suite)' out of \(first.count) as \(firstDir.path)/shard.json")
        }
        var seen: [Int: URL] = [:]
        for (m, dir) in finished {
            if let other = seen[m.index] {
                throw ConfigurationError("\(dir.path)/shard.json is shard \(m.index)/\(m.count), as \(other.path)/shard.json; expected each shard once")
            }
            seen[m.index] = dir
        }
        // At most as many shards are present as folders given, so the missing ones are counted, not listed, past a few.
        let missing = first.count - seen.count
        guard missing == 0 else {
            var named: [Int] = []
            for i in 1...first.count where seen[i] == nil {
                named.append(i)
                if named.count == 10 { break }
            }
            let list = named.map(String.init).joined(separator: ", ") + (missing > named.count ? " and \(missing - named.count) more" : "")
            let why = unfinished.isEmpty ? ""
                : " (no finished shard in \(unfinished.map(\.path).joined(separator: ", ")): \(unfinished.count > 1 ? "they hold" : "it holds") no shard.json)"
            throw ConfigurationError("shard\(missing > 1 ? "s" : "") \(list) of \(first.count) of suite '\(first.suite)' missing\(why); expected every shard 1…\(first.count)")
        }
        if let dir = unfinished.first {
            throw ConfigurationError("file \(dir.appendingPathComponent("shard.json").path): missing; expected the output of 'optbench bench --shard i/N'")
        }
        return first
    }
}
