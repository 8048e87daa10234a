@testable import OptBenchReports
import OptBenchCatalog
import Foundation
import Testing
@testable import OptBenchHarness

/// A shard whose task failed part-way (a batch job killed, say) leaves cells but no
/// `shard.json`: `merge` names the missing shard and writes no table, and the shard run again
/// with `--resume` into the same folder keeps the cells it had and completes the grid.
@Suite struct ShardRecoveryTests {
    /// Log lines collected from the grid's workers.
    final class Lines: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [String] = []
        func append(_ line: String) { lock.lock(); lines.append(line); lock.unlock() }
        var all: [String] { lock.lock(); defer { lock.unlock() }; return lines }
    }

    @Test func aFailedShardIsNamedAndItsRerunCompletesTheGrid() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("optbench-recovery-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let whole = root.appendingPathComponent("whole"), merged = root.appendingPathComponent("merged")
        let shards = (0..<3).map { root.appendingPathComponent("shard-\($0)") }
        #expect(optbench("bench", "--suite", "smoke", "--out", whole.path).status == 0)
        for (k, dir) in shards.enumerated() {
            #expect(optbench("bench", "--suite", "smoke", "--shard", "\(k + 1)/3", "--out", dir.path).status == 0)
        }

        // Shard 2 killed after 40 cells, the 41st line cut short, before its marker was written.
        let failed = shards[1], cellsFile = failed.appendingPathComponent("cells.jsonl")
        let complete = try Data(contentsOf: cellsFile)
        let lines = complete.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast()
        let kept = 40
        #expect(lines.count > kept + 1)
        var cut = Data(lines.prefix(kept).joined(separator: [UInt8(ascii: "\n")]))
        cut.append(UInt8(ascii: "\n"))
        cut.append(contentsOf: lines[kept].prefix(lines[kept].count / 2))
        try cut.write(to: cellsFile)
        try FileManager.default.removeItem(at: failed.appendingPathComponent("shard.json"))

        let refused = optbench(["merge"] + shards.map(\.path) + ["--out", merged.path])
        #expect(refused.status == 2, "\(refused.err)")
        #expect(refused.err.contains("shard 2 of 3 of suite 'smoke' missing") && refused.err.contains(failed.path), "\(refused.err)")
        for file in ["table.md", "table.csv", "table.json", "index.html"] {
            #expect(!FileManager.default.fileExists(atPath: merged.appendingPathComponent(file).path), "\(file)")
        }

        // Only shard 2 again, resuming: the 40 whole lines are reused, the cut one is run again.
        let log = Lines()
        var grid = Grid(suite: try Catalog.standard.suite("smoke"), jobs: 2, resume: true, log: { log.append($0) })
        grid.shard = (2, 3)
        try grid.run(writingTo: failed, command: "optbench bench --suite smoke")
        // Over the base grid and the sweep extensions, every cell once and exactly the kept ones reused.
        let counts = log.all.compactMap { line -> (Int, Int)? in
            guard let m = line.firstMatch(of: /(\d+) cells \((\d+) from the cache\)/), let n = Int(m.1), let c = Int(m.2) else { return nil }
            return (n, c)
        }
        #expect(counts.map(\.0).reduce(0, +) == lines.count && counts.map(\.1).reduce(0, +) == kept, "\(log.all)")
        #expect(try Data(contentsOf: cellsFile) == complete)

        let r = optbench(["merge"] + shards.map(\.path) + ["--out", merged.path])
        #expect(r.status == 0, "\(r.err)")
        for file in ["table.md", "table.csv", "table.json", "cells.jsonl"] {
            #expect(try Data(contentsOf: whole.appendingPathComponent(file)) == Data(contentsOf: merged.appendingPathComponent(file)), "\(file)")
        }
    }

    @Test func everyUnfinishedFolderIsNamed() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("optbench-unfinished-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let shards = (0..<3).map { root.appendingPathComponent("shard-\($0)") }
        #expect(optbench("bench", "--suite", "smoke", "--shard", "3/3", "--out", shards[2].path).status == 0)
        try FileManager.default.createDirectory(at: shards[0], withIntermediateDirectories: true)
        // shards[1] does not exist at all: its task never started.
        let r = optbench(["merge"] + shards.map(\.path) + ["--out", root.appendingPathComponent("merged").path])
        #expect(r.status == 2)
        #expect(r.err.contains("shards 1, 2 of 3 of suite 'smoke' missing") && r.err.contains(shards[0].path)
                && r.err.contains(shards[1].path), "\(r.err)")
    }
}
