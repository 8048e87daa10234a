@testable import OptBenchReports
import OptBenchCatalog
import OptBenchCore
import Foundation
import OptBenchProblems
import Testing
import TestSupport
@testable import OptBenchHarness

@Suite struct GridTests {
    static let suite = Suite(
        name: "tiny", summary: "test grid",
        problems: [try! Catalog.standard.row("least-squares", ["n=50", "d=5", "kappa=10", "init=gaussian"])],
        optimizers: [try! Catalog.standard.column("gd"), try! Catalog.standard.column("sgd", ["batch_size=5"])],
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
        let pairs = try Grid(suite: Self.suite, jobs: 2).run(writingTo: dir, command: "test")
        let gd = pairs.first { $0.optimizer == "gd" }!
        #expect(gd.lr == 1 && gd.status == .reached && gd.reached == 2)
        #expect(gd.sweep.filter { $0.lr == 10 }.allSatisfy { $0.status == .diverged })
        let slower = gd.sweep.filter { $0.lr == 0.1 }.map { $0.epochsToTarget ?? .infinity }
        #expect(slower.allSatisfy { $0 > gd.maxEpochs! })
        for file in ["table.md", "table.csv", "table.json", "cells.jsonl", "traces"] {
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent(file).path), "\(file) missing")
        }
        let md = try String(contentsOf: dir.appendingPathComponent("table.md"), encoding: .utf8)
        #expect(md.contains("| least-squares(n=50 d=5 kappa=10 init=gaussian) |"))
        let csv = try String(contentsOf: dir.appendingPathComponent("table.csv"), encoding: .utf8).split(separator: "\n")
        #expect(csv.count == 3)
        let traces = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("traces").path)
        #expect(traces.count == 2)
    }

    /// Thread count changes nothing but wall time.
    @Test func resultsDoNotDependOnThreadCount() throws {
        let d1 = temporaryDirectory(), d2 = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: d1); try? FileManager.default.removeItem(at: d2) }
        let a = try Grid(suite: Self.suite, jobs: 1).run(writingTo: d1, command: "test")
        let b = try Grid(suite: Self.suite, jobs: 2).run(writingTo: d2, command: "test")
        #expect(a.map(\.medianEpochs) == b.map(\.medianEpochs))
        #expect(a.flatMap { $0.sweep.map(\.finalAccuracy) } == b.flatMap { $0.sweep.map(\.finalAccuracy) })
    }

    /// An interrupted grid resumes: cached cells are not run again, a torn last line is.
    @Test func resumeReusesFinishedCells() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let full = try Grid(suite: Self.suite, jobs: 2).run(writingTo: dir, command: "test")
        let cache = dir.appendingPathComponent("cells.jsonl")
        var lines = try String(contentsOf: cache, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.count == 16)
        // Keep 5 cells, tamper with one so we can see it was reused, and tear the last line.
        var kept = Array(lines.prefix(5))
        kept[0] = kept[0].replacingOccurrences(of: "\"steps\":", with: "\"steps\":7777777,\"x\":")
        kept.append(String(lines[5].prefix(20)))
        try (kept.joined(separator: "\n") + "\n").write(to: cache, atomically: true, encoding: .utf8)
        let resumed = try Grid(suite: Self.suite, jobs: 2, resume: true).run(writingTo: dir, command: "test")
        #expect(resumed.map(\.medianEpochs) == full.map(\.medianEpochs))
        #expect(resumed.flatMap(\.sweep).contains { $0.steps == 7777777 })
        lines = try String(contentsOf: cache, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.filter { $0.hasPrefix("{") && $0.hasSuffix("}") }.count == 16)
    }

    /// The cache key covers everything that determines a cell: a resume under another budget,
    /// or into another suite's folder, reuses nothing it should not, and the folder ends up
    /// holding the resumed suite's files only.
    @Test func cacheKeysCoverTheBudgetAndTheSuite() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var theory = Self.suite
        theory.name = "with-theory"
        theory.optimizers = [try! Catalog.standard.column("gd", complexity: .gradientDescent)]
        try Grid(suite: theory, jobs: 2).run(writingTo: dir, command: "test")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("complexity.md").path))

        var shorter = Self.suite
        shorter.rule.maxEpochs = 20
        let resumed = try Grid(suite: shorter, jobs: 2, resume: true).run(writingTo: dir, command: "test")
        let fresh = try Grid(suite: shorter, jobs: 2).run(writingTo: temporaryDirectory(), command: "test")
        #expect(resumed.map(\.medianEpochs) == fresh.map(\.medianEpochs))
        #expect(resumed.flatMap(\.sweep).allSatisfy { $0.epochs <= 20 })
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("complexity.md").path))
        let lines = try String(contentsOf: dir.appendingPathComponent("cells.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 16)
        // Same configuration, same keys: a second resume runs nothing and changes no byte.
        let before = try Data(contentsOf: dir.appendingPathComponent("cells.jsonl"))
        try Grid(suite: shorter, jobs: 2, resume: true).run(writingTo: dir, command: "test")
        #expect(try Data(contentsOf: dir.appendingPathComponent("cells.jsonl")) == before)
    }

    /// A prescribed column that lands on a value another column sweeps is still its own cell.
    @Test func columnsWithTheSameRunKeepTheirOwnCells() throws {
        var suite = Self.suite
        suite.optimizers = [try! Catalog.standard.column("gd"), try! Catalog.standard.column("gd", prescribed: ["lr": "1"], tag: "theory")]
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let pairs = try Grid(suite: suite, jobs: 2).run(writingTo: dir, command: "test")
        #expect(pairs[0].lr == 1 && pairs[1].lr == nil)
        #expect(pairs[0].medianEpochs == pairs[1].medianEpochs)
    }

    /// Names resolve in the catalog, where a suite is built: an unknown one never reaches a grid.
    @Test func unknownNamesAreRefusedByTheCatalog() {
        #expect(throws: ConfigurationError.self) { try Catalog.standard.column("adamx") }
        #expect(throws: ConfigurationError.self) { try Catalog.standard.row("least-squars") }
    }

    /// An optimizer that needs what a problem does not offer is a `skipped` cell with the
    /// reason in the tables; the other pairs run as usual.
    @Test func incompatiblePairsAreSkippedWithTheReason() throws {
        let suite = Suite(
            name: "skips", summary: "test",
            problems: [try! Catalog.standard.row("least-squares", ["n=40", "d=4", "kappa=10"]), try! Catalog.standard.row("deep-linear")],
            optimizers: [try! Catalog.standard.column("gd"), try! Catalog.standard.column("rcd", ["sampling=lipschitz", "lr=1"], learningRates: []),
                         try! Catalog.standard.column("lbfgs", groups: ["parameters:lr=0.5"], learningRates: [])],
            seeds: [1], rule: StoppingRule(target: 1e-3, maxEpochs: 30), learningRates: [0.1])
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let pairs = try Grid(suite: suite, jobs: 2).run(writingTo: dir, command: "test")
        func pair(_ p: String, _ o: String) -> PairSummary { pairs.first { $0.problem.hasPrefix(p) && $0.optimizer.hasPrefix(o) }! }
        #expect(pair("least-squares", "rcd").status == .reached)
        let skipped = pair("deep-linear", "rcd")
        #expect(skipped.status == .skipped && skipped.sweep.isEmpty)
        #expect(skipped.reason?.contains("coordinate") == true, "\(skipped.reason ?? "")")
        #expect(pair("deep-linear", "gd").status != .skipped)
        #expect(pair("least-squares", "lbfgs").status == .skipped)
        #expect(pair("least-squares", "lbfgs").reason?.contains("parameter groups") == true)
        let md = try String(contentsOf: dir.appendingPathComponent("table.md"), encoding: .utf8)
        #expect(md.contains("skipped [1]") && md.contains("1. skipped: "))
        let cache = try String(contentsOf: dir.appendingPathComponent("cells.jsonl"), encoding: .utf8)
        #expect(!cache.contains("deep-linear\",\"optimizer\":\"rcd"))
    }

    /// float32 cells give the same bits on one thread and on two, and reach the float32
    /// accuracy GD can reach on least squares.
    @Test func float32ResultsDoNotDependOnThreadCount() throws {
        let suite = Suite(
            name: "f32", summary: "test",
            problems: [try! Catalog.standard.row("least-squares", ["n=300", "d=20", "kappa=30", "dtype=float32", "noise=0.1"]),
                       try! Catalog.standard.row("logistic", ["n=200", "d=10", "dtype=float32"])],
            optimizers: [try! Catalog.standard.column("gd"), try! Catalog.standard.column("sgd", ["batch_size=7", "momentum=0.5"]), try! Catalog.standard.column("saga")],
            seeds: [1, 2], rule: StoppingRule(target: 1e-5, maxEpochs: 60), learningRates: [0.1, 0.5])
        let d1 = temporaryDirectory(), d2 = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: d1); try? FileManager.default.removeItem(at: d2) }
        let a = try Grid(suite: suite, jobs: 1).run(writingTo: d1, command: "test")
        let b = try Grid(suite: suite, jobs: 2).run(writingTo: d2, command: "test")
        #expect(a.flatMap { $0.sweep.map(\.finalAccuracy) } == b.flatMap { $0.sweep.map(\.finalAccuracy) })
        #expect(a.flatMap { $0.sweep.map(\.epochsToTarget) } == b.flatMap { $0.sweep.map(\.epochsToTarget) })
        let traces = try FileManager.default.contentsOfDirectory(atPath: d1.appendingPathComponent("traces").path)
        #expect(traces.count == 6)
        for t in traces {
            let x = try Data(contentsOf: d1.appendingPathComponent("traces/\(t)"))
            let y = try Data(contentsOf: d2.appendingPathComponent("traces/\(t)"))
            #expect(x == y, "\(t)")
        }
    }

    /// A rerun at the same code rewrites every results file with the same bytes; only the
    /// timing files (and the provenance, which carries the date) differ.
    @Test func rerunLeavesEveryResultsFileByteIdentical() throws {
        let d1 = temporaryDirectory(), d2 = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: d1); try? FileManager.default.removeItem(at: d2) }
        try Grid(suite: Self.suite, jobs: 2).run(writingTo: d1, command: "test")
        try Grid(suite: Self.suite, jobs: 2).run(writingTo: d2, command: "test")
        // The HTML report plots against seconds too: it is regenerated, like the timing files.
        let timingFiles: Set<String> = ["timings.jsonl", "timings.csv", "provenance.json", "index.html"]
        let files = (FileManager.default.enumerator(atPath: d1.path)?.compactMap { $0 as? String } ?? []).sorted()
        #expect(files.contains("cells.jsonl") && files.contains("timings.jsonl") && files.contains("provenance.json"))
        #expect(files.contains("rankings.md") && files.contains("timings.md") && files.contains("timings.json"))
        var compared = 0
        for f in files where !timingFiles.contains(f) && !f.hasPrefix("timings") && !f.hasPrefix("figures") {
            var isDirectory: ObjCBool = false
            FileManager.default.fileExists(atPath: d1.appendingPathComponent(f).path, isDirectory: &isDirectory)
            guard !isDirectory.boolValue else { continue }
            #expect(try Data(contentsOf: d1.appendingPathComponent(f)) == Data(contentsOf: d2.appendingPathComponent(f)), "\(f)")
            compared += 1
        }
        #expect(compared >= 5)
        // The seconds are where they belong, and nowhere else.
        let cells = try String(contentsOf: d1.appendingPathComponent("cells.jsonl"), encoding: .utf8)
        #expect(!cells.contains("seconds"))
        let timings = try String(contentsOf: d1.appendingPathComponent("timings.jsonl"), encoding: .utf8)
        #expect(timings.split(separator: "\n").count == cells.split(separator: "\n").count && timings.contains("\"seconds\""))
        let provenance = try JSONDecoder().decode(Provenance.self, from: Data(contentsOf: d1.appendingPathComponent("provenance.json")))
        #expect(provenance.threads == 2 && !provenance.date.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: d1.appendingPathComponent(".traces.partial").path))
        #expect(FileManager.default.fileExists(atPath: d1.appendingPathComponent("index.html").path))
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

/// A partially successful pair shows COCO's ERT with k/s seeds, never `inf`.
@Test func partialCellsShowTheExpectedRunningTime() {
    var p = PairSummary.skipped(problem: "p", optimizer: "o", seeds: 3, reason: "")
    p.status = .partial
    p.lr = 0.1
    p.reached = 1
    p.sweep = [(1, 10.0), (2, nil), (3, nil)].map { seed, reached in
        CellSummary(key: "k\(seed)", problem: "p", optimizer: "o", lr: 0.1, seed: UInt64(seed), status: reached == nil ? .budget : .reached,
                    epochsToTarget: reached, secondsToTarget: nil, finalAccuracy: 0.1, epochs: reached ?? 100, seconds: 0, steps: 1)
    }
    // (10 + 100 + 100) / 1 success.
    #expect(ResultReport.cell(p, note: nil) == "ERT 210 [1/3 seeds] lr=0.1")
}

/// Unfinished sweeps: under a loss the lowest final value wins, under a metric (test accuracy)
/// the highest; the cell then shows that value.
@Test func unfinishedPairsAreTunedTowardTheirTarget() {
    let finals: [(Double, Double)] = [(0.001, 0.12), (0.01, 0.55), (0.1, 0.31)]
    let sweep = finals.flatMap { lr, v in
        (1...2).map { seed in
            CellSummary(key: "k\(lr)-\(seed)", problem: "p", optimizer: "o", lr: lr, seed: UInt64(seed), status: .budget,
                        epochsToTarget: nil, secondsToTarget: nil, finalAccuracy: v, epochs: 20, seconds: 0, steps: 1)
        }
    }
    let metric = Grid.summarize(problem: "p", optimizer: "o", sweep: sweep, seeds: 2, criterion: .metric("test_accuracy"))
    #expect(metric.lr == 0.01 && metric.medianFinalAccuracy == 0.55)
    let loss = Grid.summarize(problem: "p", optimizer: "o", sweep: sweep, seeds: 2, criterion: .loss)
    #expect(loss.lr == 0.001 && loss.medianFinalAccuracy == 0.12)
}
