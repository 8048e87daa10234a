import Foundation
import Testing
import TestSupport
@testable import OptBenchHarness

/// `bench --shard i/N` then `merge`: exactly the tables one run writes, or a refusal that names
/// what is missing.
@Suite struct ShardTests {
    /// A grid of one pair cut into three shards: shard 1 holds it, shards 2 and 3 hold no cell,
    /// say so and write an empty `cells.jsonl`; the three merge into the single run's tables.
    @Test func shardsBeyondThePairsAreEmptyAndMerge() throws {
        let whole = folder("one-whole"), merged = folder("one-merged")
        let shards = (1...3).map { folder("one-s\($0)") }
        defer { for d in [whole, merged] + shards { try? FileManager.default.removeItem(at: d) } }
        let grid = ["--problem", "w7", "--optimizer", "gd", "--lr", "0.01,0.1", "--seeds", "1", "--epochs", "5"]
        #expect(optbench(["bench"] + grid + ["--out", whole.path]).status == 0)
        for (k, dir) in shards.enumerated() {
            let r = optbench(["bench"] + grid + ["--shard", "\(k + 1)/3", "--out", dir.path])
            #expect(r.status == 0, "\(r.err)")
            let cells = try String(contentsOf: dir.appendingPathComponent("cells.jsonl"), encoding: .utf8)
            #expect(cells.isEmpty == (k > 0))
            #expect(r.out.contains("holds no cell") == (k > 0), "\(r.out)")
        }
        let r = optbench(["merge"] + shards.map(\.path) + ["--out", merged.path])
        #expect(r.status == 0, "\(r.err)")
        // table.md and table.json also name the command that made them, which differs here.
        for name in ["table.csv", "cells.jsonl"] {
            #expect(FileManager.default.contents(atPath: merged.appendingPathComponent(name).path)
                    == FileManager.default.contents(atPath: whole.appendingPathComponent(name).path), "\(name) differs")
        }
    }

    func folder(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("optbench-shard-\(name)-\(UUID().uuidString)")
    }

    @Test func threeShardsMergeIntoTheSingleRunsTables() throws {
        let whole = folder("whole"), merged = folder("merged")
        let shards = (1...3).map { folder("s\($0)") }
        defer { for d in [whole, merged] + shards { try? FileManager.default.removeItem(at: d) } }
        #expect(optbench("bench", "--suite", "smoke", "--out", whole.path).status == 0)
        for (k, dir) in shards.enumerated() {
            let r = optbench("bench", "--suite", "smoke", "--shard", "\(k + 1)/3", "--out", dir.path)
            #expect(r.status == 0, "\(r.err)")
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("table.md").path))
        }
        // Whole pairs go to a shard, sweep extensions included: together the shards hold exactly
        // the single run's cells, each once, and the merge runs none.
        let shardLines = try shards.flatMap {
            try String(contentsOf: $0.appendingPathComponent("cells.jsonl"), encoding: .utf8).split(separator: "\n")
        }
        let base = Set(try Catalog.standard.suite("smoke").learningRates)
        let wholeLines = try String(contentsOf: whole.appendingPathComponent("cells.jsonl"), encoding: .utf8).split(separator: "\n")
        struct Rate: Decodable { var lr: Double? }
        let extended = try wholeLines.filter { line in
            try JSONDecoder().decode(Rate.self, from: Data(line.utf8)).lr.map { !base.contains($0) } ?? false
        }
        #expect(!extended.isEmpty, "the smoke suite extends some sweep, so the shards must carry extensions")
        #expect(shardLines.sorted() == wholeLines.sorted())
        for dir in shards {
            #expect(try String(contentsOf: dir.appendingPathComponent("cells.jsonl"), encoding: .utf8).isEmpty == false)
        }

        // Missing shard 2: refused, naming it.
        let partial = optbench(["merge", shards[0].path, shards[2].path, "--out", merged.path])
        #expect(partial.status == 2 && partial.err.contains("shard 2 of 3"), "\(partial.err)")

        let r = optbench(["merge"] + shards.map(\.path) + ["--out", merged.path])
        #expect(r.status == 0, "\(r.err)")
        // Shards without their extension cells: the merge refuses rather than running them.
        let trimmed = (1...3).map { folder("t\($0)") }
        defer { for d in trimmed + [folder("never")] { try? FileManager.default.removeItem(at: d) } }
        let extendedSet = Set(extended)
        for (dir, copy) in zip(shards, trimmed) {
            try FileManager.default.copyItem(at: dir, to: copy)
            let kept = try String(contentsOf: dir.appendingPathComponent("cells.jsonl"), encoding: .utf8)
                .split(separator: "\n").filter { !extendedSet.contains($0) }
            try (kept.joined(separator: "\n") + "\n").write(to: copy.appendingPathComponent("cells.jsonl"), atomically: true, encoding: .utf8)
        }
        // Their markers still count the cells they held: that alone is refused, naming the file.
        let miscounted = optbench(["merge"] + trimmed.map(\.path) + ["--out", folder("never").path])
        #expect(miscounted.status == 2 && miscounted.err.contains("\(trimmed[0].path)/cells.jsonl") && miscounted.err.contains("as \(trimmed[0].path)/shard.json says"),
                "\(miscounted.err)")
        // Markers that agree with what is left: the grid finds the cells missing.
        for dir in trimmed {
            let file = dir.appendingPathComponent("shard.json")
            var marker = try JSONDecoder().decode(ShardMarker.self, from: Data(contentsOf: file))
            marker.cells = try String(contentsOf: dir.appendingPathComponent("cells.jsonl"), encoding: .utf8).split(separator: "\n").count
            try JSONEncoder().encode(marker).write(to: file)
        }
        let short = optbench(["merge"] + trimmed.map(\.path) + ["--out", folder("never").path])
        #expect(short.status == 2 && short.err.contains("missing from the shards"), "\(short.err)")
        for file in ["table.md", "table.csv", "table.json", "cells.jsonl"] {
            #expect(try Data(contentsOf: whole.appendingPathComponent(file)) == Data(contentsOf: merged.appendingPathComponent(file)), "\(file)")
        }
        let traces = try FileManager.default.contentsOfDirectory(atPath: whole.appendingPathComponent("traces").path)
        for t in traces {
            #expect(try Data(contentsOf: whole.appendingPathComponent("traces/\(t)")) == Data(contentsOf: merged.appendingPathComponent("traces/\(t)")))
        }
    }

    @Test func badShardArgumentsAreRefused() {
        #expect(optbench("bench", "--suite", "smoke", "--shard", "4/3").status == 2)
        #expect(optbench("bench", "--suite", "smoke", "--shard", "x").status == 2)
        #expect(optbench("merge", "/nonexistent", "--out", "/tmp/x-merge").err.contains("/nonexistent/shard.json"))
    }
}
