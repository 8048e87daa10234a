import Foundation
import Testing
import TestSupport
@testable import Harness

@Suite struct GridTests {
    static let suite = Suite(
        name: "tiny", summary: "test grid",
        problems: [ProblemSpec("least-squares", ["n=50", "d=5", "kappa=10"])],
        optimizers: [OptimizerSpec("gd"), OptimizerSpec("sgd", ["batch_size=5"])],
        seeds: [1, 2], rule: StoppingRule(target: 1e-4, maxEpochs: 300),
        learningRates: [0.01, 0.1, 1, 10])

    func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("optbench-grid-\(UUID().uuidString)")
    }

    /// GD on a quadratic with λmax = 1: the fastest stable rate in the sweep wins (lr = 1,
    /// i.e. 1/L), and lr = 10 > 2/L diverges.
    @Test func picksTheFastestLearningRateAndWritesEveryReport() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let pairs = try Grid(suite: Self.suite, threads: 2).run(writingTo: dir, command: "test")
        let gd = pairs.first { $0.optimizer == "gd" }!
        #expect(gd.lr == 1 && gd.status == "reached" && gd.reached == 2)
        #expect(gd.sweep.filter { $0.lr == 10 }.allSatisfy { $0.status == .diverged })
        let slower = gd.sweep.filter { $0.lr == 0.1 }.map { $0.epochsToTarget ?? .infinity }
        #expect(slower.allSatisfy { $0 > gd.maxEpochs! })
        for file in ["table.md", "table.csv", "table.json", "cells.jsonl", "traces"] {
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent(file).path), "\(file) missing")
        }
        let md = try String(contentsOf: dir.appendingPathComponent("table.md"), encoding: .utf8)
        #expect(md.contains("| least-squares(n=50 d=5 kappa=10) |"))
        let csv = try String(contentsOf: dir.appendingPathComponent("table.csv"), encoding: .utf8).split(separator: "\n")
        #expect(csv.count == 3)
        let traces = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("traces").path)
        #expect(traces.count == 2)
    }

    /// Thread count changes nothing but wall time.
    @Test func resultsDoNotDependOnThreadCount() throws {
        let d1 = temporaryDirectory(), d2 = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: d1); try? FileManager.default.removeItem(at: d2) }
        let a = try Grid(suite: Self.suite, threads: 1).run(writingTo: d1, command: "test")
        let b = try Grid(suite: Self.suite, threads: 2).run(writingTo: d2, command: "test")
        #expect(a.map(\.medianEpochs) == b.map(\.medianEpochs))
        #expect(a.flatMap { $0.sweep.map(\.finalAccuracy) } == b.flatMap { $0.sweep.map(\.finalAccuracy) })
    }

    /// An interrupted grid resumes: cached cells are not run again, a torn last line is.
    @Test func resumeReusesFinishedCells() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let full = try Grid(suite: Self.suite, threads: 2).run(writingTo: dir, command: "test")
        let cache = dir.appendingPathComponent("cells.jsonl")
        var lines = try String(contentsOf: cache, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.count == 16)
        // Keep 5 cells, tamper with one so we can see it was reused, and tear the last line.
        var kept = Array(lines.prefix(5))
        kept[0] = kept[0].replacingOccurrences(of: "\"steps\":", with: "\"steps\":7777777,\"x\":")
        kept.append(String(lines[5].prefix(20)))
        try (kept.joined(separator: "\n") + "\n").write(to: cache, atomically: true, encoding: .utf8)
        let resumed = try Grid(suite: Self.suite, threads: 2, resume: true).run(writingTo: dir, command: "test")
        #expect(resumed.map(\.medianEpochs) == full.map(\.medianEpochs))
        #expect(resumed.flatMap(\.sweep).contains { $0.steps == 7777777 })
        lines = try String(contentsOf: cache, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.filter { $0.hasPrefix("{") && $0.hasSuffix("}") }.count == 16)
    }

    @Test func unknownNamesFailBeforeAnyWork() {
        var suite = Self.suite
        suite.optimizers.append(OptimizerSpec("adamw"))
        let dir = temporaryDirectory()
        #expect(throws: (any Error).self) { try Grid(suite: suite).run(writingTo: dir, command: "test") }
        #expect(!FileManager.default.fileExists(atPath: dir.path))
    }

    @Test func logGridIsLogSpaced() {
        #expect(logGrid(from: -2, to: 0, perDecade: 2) == [0.01, 0.0316, 0.1, 0.316, 1])
    }

    @Test func medianOfEvenAndOddCounts() {
        #expect(median([3, 1, 2]) == 2)
        #expect(median([4, 1, 3, 2]) == 2.5)
        #expect(median([1, .infinity]) == .infinity)
    }
}
