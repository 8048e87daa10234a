import Foundation
import Testing
import TestSupport
@testable import OptBenchCLI

/// Every JSON file optbench reads back (a shard's `shard.json` and cells, a results folder's
/// `table.json`, `timings.jsonl`, `timings.json`, a cache on `--resume`) is checked: a defect is
/// exit 2 with the file, the field and the value expected — never a trap, never a silent
/// acceptance — and the files are left as they were. The seeds are real files of a small grid
/// (Tests/Fixtures/records, made by its make_records.sh).
@Suite struct ReadBackTests {
    static let records = URL(fileURLWithPath: IDXFixture.fixture("records"))

    func folder(_ tag: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("optbench-readback-\(tag)-\(UUID().uuidString)")
    }

    /// A results folder holding the fixture's `table.json`, `timings.jsonl` and `timings.json`,
    /// `edit` applied to the table's JSON object first.
    func results(_ tag: String, edit: (inout [String: Any]) -> Void = { _ in }) throws -> URL {
        let dir = folder(tag)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for name in ["timings.jsonl", "timings.json"] {
            try FileManager.default.copyItem(at: Self.records.appendingPathComponent(name), to: dir.appendingPathComponent(name))
        }
        var table = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: Self.records.appendingPathComponent("table.json")))
            as? [String: Any])
        edit(&table)
        try JSONSerialization.data(withJSONObject: table).write(to: dir.appendingPathComponent("table.json"))
        return dir
    }

    /// The first pair that reached ε on every seed, and the index in its sweep of a tuned cell.
    static func reachedPair(_ table: [String: Any]) -> (pair: Int, cell: Int)? {
        let pairs = table["pairs"] as? [[String: Any]] ?? []
        for (k, p) in pairs.enumerated() where p["status"] as? String == "reached" {
            let sweep = p["sweep"] as? [[String: Any]] ?? []
            if let j = sweep.firstIndex(where: { ($0["lr"] as? Double) == (p["lr"] as? Double) }) { return (k, j) }
        }
        return nil
    }

    /// What bench writes, it reads back: every committed results folder compares equal to itself
    /// (a partial pair's median epochs is +∞, written "inf", and is accepted as such).
    @Test func everyCommittedTableReadsBack() throws {
        let results = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("results")
        let suites = try FileManager.default.contentsOfDirectory(atPath: results.path).filter {
            FileManager.default.fileExists(atPath: results.appendingPathComponent($0).appendingPathComponent("table.json").path)
        }
        #expect(suites.count >= 5, "\(suites)")
        for name in suites.sorted() {
            let dir = results.appendingPathComponent(name)
            let r = optbench("compare", dir.path, dir.path, "--ignore-time")
            #expect(r.status == 0, "\(name): \(r.err)")
        }
    }

    /// A pair that reached ε on fewer than half its seeds has median epochs +∞ ("inf"): accepted
    /// for a partial pair, refused naming the field for a reached one.
    @Test func anInfiniteMedianIsAPartialPairsOnly() throws {
        func infinite(_ status: String) throws -> URL {
            try results("inf-\(status)") { table in
                guard let (k, _) = Self.reachedPair(table), var pairs = table["pairs"] as? [[String: Any]] else { return }
                pairs[k]["status"] = status
                pairs[k]["reached"] = 1
                pairs[k]["medianEpochs"] = "inf"
                pairs[k]["maxEpochs"] = nil
                table["pairs"] = pairs
            }
        }
        let partial = try infinite("partial"), reached = try infinite("reached")
        defer { for d in [partial, reached] { try? FileManager.default.removeItem(at: d) } }
        let ok = optbench("compare", partial.path, partial.path, "--ignore-time")
        #expect(ok.status == 0, "\(ok.err)")
        let bad = optbench("compare", reached.path, reached.path, "--ignore-time")
        #expect(bad.status == 2 && bad.err.contains("medianEpochs"), "\(bad.err)")
    }

    @Test func compareRefusesNaNEpochsToTargetNamingTheField() throws {
        var at: (pair: Int, cell: Int)?
        let base = try results("base"), bad = try results("nan") { table in
            guard let (k, j) = Self.reachedPair(table), var pairs = table["pairs"] as? [[String: Any]],
                  var sweep = pairs[k]["sweep"] as? [[String: Any]] else { return }
            at = (k, j)
            sweep[j]["epochsToTarget"] = "nan"
            pairs[k]["sweep"] = sweep
            table["pairs"] = pairs
        }
        defer { for d in [base, bad] { try? FileManager.default.removeItem(at: d) } }
        let (k, j) = try #require(at, "the fixture holds a reached pair")
        // The untouched copy passes: the refusal below is the edit's.
        #expect(optbench("compare", base.path, base.path).status == 0)
        let r = optbench("compare", base.path, bad.path)
        #expect(r.status == 2, "\(r.out)\(r.err)")
        #expect(r.err.contains("\(bad.path)/table.json") && r.err.contains("field pairs[\(k)].sweep[\(j)].epochsToTarget is nan")
                && r.err.contains("expected a finite number ≥ 0"), "\(r.err)")
        // The other way round too: the baseline is read as strictly as the new run.
        #expect(optbench("compare", bad.path, base.path).status == 2)
    }

    @Test func compareRefusesAPairThatRanWithAnEmptySweep() throws {
        var at: Int?
        let base = try results("base"), bad = try results("empty") { table in
            guard var pairs = table["pairs"] as? [[String: Any]],
                  let k = pairs.firstIndex(where: { $0["status"] as? String != "skipped" }) else { return }
            at = k
            pairs[k]["sweep"] = [Any]()
            table["pairs"] = pairs
        }
        defer { for d in [base, bad] { try? FileManager.default.removeItem(at: d) } }
        let k = try #require(at)
        let r = optbench("compare", base.path, bad.path)
        #expect(r.status == 2 && r.err.contains("field pairs[\(k)].sweep is []") && r.err.contains("expected the cells of a pair that ran"), "\(r.err)")
    }

    @Test func compareRefusesARepeatedKeyAtItsLine() throws {
        let base = try results("base"), bad = try results("twice")
        defer { for d in [base, bad] { try? FileManager.default.removeItem(at: d) } }
        let file = bad.appendingPathComponent("table.json")
        let text = try String(contentsOf: file, encoding: .utf8)
        try text.replacingOccurrences(of: "\"maxEpochs\":", with: "\"maxEpochs\":1,\"maxEpochs\":").write(to: file, atomically: true, encoding: .utf8)
        let r = optbench("compare", base.path, bad.path)
        #expect(r.status == 2 && r.err.contains(file.path) && r.err.contains("key 'maxEpochs' is given twice"), "\(r.err)")
    }

    @Test func compareRefusesABadTimingLineOrNoiseFile() throws {
        let base = try results("base"), timings = try results("timings"), noise = try results("noise")
        defer { for d in [base, timings, noise] { try? FileManager.default.removeItem(at: d) } }
        let lines = timings.appendingPathComponent("timings.jsonl")
        var rows = try String(contentsOf: lines, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(rows.count >= 3)
        rows[2] = rows[2].replacingOccurrences(of: "\"seconds\":", with: "\"seconds\":-1,\"x\":")
        try (rows.joined(separator: "\n") + "\n").write(to: lines, atomically: true, encoding: .utf8)
        let r = optbench("compare", base.path, timings.path)
        #expect(r.status == 2 && r.err.contains("\(lines.path), line 3: field seconds is -1; expected a finite number ≥ 0"), "\(r.err)")

        let file = noise.appendingPathComponent("timings.json")
        let text = try String(contentsOf: file, encoding: .utf8)
        try text.replacingOccurrences(of: "\"quantile\" : 0.9", with: "\"quantile\" : 1.5").write(to: file, atomically: true, encoding: .utf8)
        let n = optbench("compare", base.path, noise.path)
        #expect(n.status == 2 && n.err.contains("\(file.path): field noise.quantile is 1.5; expected a quantile in [0, 1]"), "\(n.err)")
    }

    /// Two shard folders from the fixture: `shard.json` and `shard-2.json` as their markers,
    /// the suite definition, and no cells.
    func shards() throws -> [URL] {
        try ["shard.json", "shard-2.json"].map { marker in
            let dir = folder("shard")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: Self.records.appendingPathComponent(marker), to: dir.appendingPathComponent("shard.json"))
            try FileManager.default.copyItem(at: Self.records.appendingPathComponent("suite.json"), to: dir.appendingPathComponent("suite.json"))
            return dir
        }
    }

    @Test func mergeRefusesAShardCountOfZero() throws {
        let dirs = try shards(), out = folder("out")
        defer { for d in dirs + [out] { try? FileManager.default.removeItem(at: d) } }
        for dir in dirs {
            let file = dir.appendingPathComponent("shard.json")
            let text = try String(contentsOf: file, encoding: .utf8)
            try text.replacingOccurrences(of: "\"count\" : 2", with: "\"count\" : 0").write(to: file, atomically: true, encoding: .utf8)
        }
        let r = optbench(["merge"] + dirs.map(\.path) + ["--out", out.path])
        #expect(r.status == 2 && r.err.contains("\(dirs[0].path)/shard.json: field count is 0; expected a shard count in 1…"), "\(r.err)")
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("table.json").path))
    }

    @Test func mergeRefusesAShardHoldingFewerCellsThanItsMarkerSays() throws {
        let dirs = try shards(), out = folder("out")
        defer { for d in dirs + [out] { try? FileManager.default.removeItem(at: d) } }
        // Each marker says how many cells its folder holds; these hold 3.
        let said = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: dirs[0].appendingPathComponent("shard.json"))) as? [String: Any])
        let count = try #require(said["cells"] as? Int)
        #expect(count != 3)
        let lines = try String(contentsOf: Self.records.appendingPathComponent("cells.jsonl"), encoding: .utf8).split(separator: "\n")
        for dir in dirs {
            try (lines.prefix(3).joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("cells.jsonl"), atomically: true, encoding: .utf8)
        }
        let r = optbench(["merge"] + dirs.map(\.path) + ["--out", out.path])
        #expect(r.status == 2 && r.err.contains("\(dirs[0].path)/cells.jsonl: 3 cells; expected \(count)"), "\(r.err)")
    }

    /// `--resume` over a cache with a corrupt line in the middle: refused, naming the line, with
    /// both files byte for byte as they were; a torn last line instead is run again.
    @Test func resumeRefusesACorruptCacheLineAndLeavesTheCacheAsItWas() throws {
        let dir = folder("cache"), fresh = folder("fresh")
        defer { for d in [dir, fresh] { try? FileManager.default.removeItem(at: d) } }
        let grid = ["bench", "--problem", "least-squares[n=40,d=4,kappa=10]", "--optimizer", "gd", "--seeds", "2", "--target", "1e-4",
                    "--epochs", "40", "--lr", "0.1,1"]
        #expect(optbench(grid + ["--out", fresh.path]).status == 0)
        let cells = try Data(contentsOf: fresh.appendingPathComponent("cells.jsonl"))
        var rows = try #require(String(data: cells, encoding: .utf8)).split(separator: "\n").map(String.init)
        #expect(rows.count >= 4)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: fresh.appendingPathComponent("timings.jsonl"), to: dir.appendingPathComponent("timings.jsonl"))
        rows[1] = rows[1].replacingOccurrences(of: "\"epochs\":", with: "\"epochs\":\"inf\",\"x\":")
        let corrupt = Data((rows.joined(separator: "\n") + "\n").utf8)
        try corrupt.write(to: dir.appendingPathComponent("cells.jsonl"))
        let timings = try Data(contentsOf: dir.appendingPathComponent("timings.jsonl"))
        let r = optbench(grid + ["--out", dir.path, "--resume"])
        #expect(r.status == 2 && r.err.contains("\(dir.path)/cells.jsonl, line 2: field epochs is inf; expected a finite number ≥ 0"), "\(r.err)")
        #expect(try Data(contentsOf: dir.appendingPathComponent("cells.jsonl")) == corrupt)
        #expect(try Data(contentsOf: dir.appendingPathComponent("timings.jsonl")) == timings)

        // The last line cut short by an interruption: that cell runs again, the rest is reused.
        var torn = cells.prefix(cells.count - 1)
        torn = torn.prefix(torn.count - 10)
        try torn.write(to: dir.appendingPathComponent("cells.jsonl"))
        let resumed = optbench(grid + ["--out", dir.path, "--resume"])
        #expect(resumed.status == 0, "\(resumed.err)")
        #expect(try Data(contentsOf: dir.appendingPathComponent("cells.jsonl")) == cells)
    }
}
