@testable import OptBenchReports
import OptBenchCatalog
import Foundation
import Testing
import TestSupport
@testable import OptBenchHarness

/// `optbench compare`'s three exit statuses, on real grids and on hand-tampered copies.
@Suite struct CompareTests {
    static let suite = Suite(
        name: "gate", summary: "test",
        problems: [try! Catalog.standard.row("least-squares", ["n=50", "d=5", "kappa=10"])],
        optimizers: [try! Catalog.standard.column("gd"), try! Catalog.standard.column("sgd", ["batch_size=5"])],
        seeds: [1, 2, 3], rule: StoppingRule(target: 1e-4, maxEpochs: 300), learningRates: [0.1, 1])

    func folder() -> URL { FileManager.default.temporaryDirectory.appendingPathComponent("optbench-gate-\(UUID().uuidString)") }

    /// Rewrites `table.json` of `dir` through `edit`.
    func tamper(_ dir: URL, _ edit: (inout ResultReport.Document) -> Void) throws {
        let url = dir.appendingPathComponent("table.json")
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        var doc = try decoder.decode(ResultReport.Document.self, from: Data(contentsOf: url))
        edit(&doc)
        try reportEncoder().encode(doc).write(to: url)
    }

    func copy(_ dir: URL) throws -> URL {
        let c = folder()
        try FileManager.default.copyItem(at: dir, to: c)
        return c
    }

    @Test func equalRunsPassAndRegressionsFail() throws {
        let base = folder(), again = folder()
        defer { for d in [base, again] { try? FileManager.default.removeItem(at: d) } }
        try Grid(suite: Self.suite, jobs: 2).run(writingTo: base, command: "test")
        try Grid(suite: Self.suite, jobs: 1).run(writingTo: again, command: "test")
        let same = optbench("compare", base.path, again.path, "--ignore-time")
        #expect(same.status == 0, "\(same.out)\(same.err)")
        #expect(same.out.contains("0 regressed") && same.out.contains("2 unchanged"))

        // GD is deterministic here (every seed starts at w = 0): one more epoch is a regression.
        let slower = try copy(base)
        defer { try? FileManager.default.removeItem(at: slower) }
        try tamper(slower) { doc in
            let k = doc.pairs.firstIndex { $0.optimizer == "gd" }!
            for c in doc.pairs[k].sweep.indices where doc.pairs[k].sweep[c].lr == doc.pairs[k].lr {
                doc.pairs[k].sweep[c].epochsToTarget! += 1
            }
        }
        let r = optbench("compare", base.path, slower.path, "--ignore-time")
        #expect(r.status == 1 && r.out.contains("regressed") && r.out.contains("gd"), "\(r.out)")
        // The other way round it is an improvement, which passes.
        #expect(optbench("compare", slower.path, base.path, "--ignore-time").status == 0)

        // A pair that newly fails on a seed regresses.
        let failing = try copy(base)
        defer { try? FileManager.default.removeItem(at: failing) }
        try tamper(failing) { doc in
            let k = doc.pairs.firstIndex { $0.optimizer.hasPrefix("sgd") }!
            doc.pairs[k].reached -= 1
            doc.pairs[k].status = .partial
        }
        let f = optbench("compare", base.path, failing.path, "--ignore-time")
        #expect(f.status == 1 && f.out.contains("reached on 2/3 seeds"), "\(f.out)")
    }

    @Test func unusableInputIsExitTwo() throws {
        let base = folder()
        defer { try? FileManager.default.removeItem(at: base) }
        try Grid(suite: Self.suite, jobs: 2).run(writingTo: base, command: "test")
        let missing = optbench("compare", base.path, "/nonexistent/folder")
        #expect(missing.status == 2 && missing.err.contains("/nonexistent/folder/table.json"))
        let garbage = try copy(base)
        defer { try? FileManager.default.removeItem(at: garbage) }
        try Data("{\"not\": 1}".utf8).write(to: garbage.appendingPathComponent("table.json"))
        #expect(optbench("compare", base.path, garbage.path).status == 2)
        var other = Self.suite
        other.name = "other"
        let elsewhere = folder()
        defer { try? FileManager.default.removeItem(at: elsewhere) }
        try Grid(suite: other, jobs: 2).run(writingTo: elsewhere, command: "test")
        let r = optbench("compare", base.path, elsewhere.path)
        #expect(r.status == 2 && r.err.contains("suite 'other'"))
        #expect(optbench("compare", base.path).status == 2)
    }

    /// A time regression needs the fastest new seed beyond the slowest baseline seed.
    @Test func timeRegressionsClearTheSeedSpread() {
        var a = PairSummary.skipped(problem: "p", optimizer: "o", seeds: 2, reason: "")
        a.status = .reached
        a.lr = 1
        let cells = [1, 2].map { s in
            CellSummary(key: "k\(s)", problem: "p", optimizer: "o", lr: 1, seed: UInt64(s), status: .reached, epochsToTarget: 5,
                        secondsToTarget: nil, finalAccuracy: 0, epochs: 5, seconds: 0, steps: 5)
        }
        a.sweep = cells
        // Seconds by each cell's place in the grid (what `Comparison.load` reads beside the table).
        let (k1, k2) = (cells[0].identity, cells[1].identity)
        #expect(k1 != k2)
        let fast = [k1: 1.0, k2: 1.2], similar = [k1: 1.3, k2: 1.5], slow = [k1: 2.0, k2: 2.1]
        #expect(Comparison.timeChange(a, a, fast, similar, band: 0.5) == nil)
        #expect(Comparison.timeChange(a, a, fast, slow, band: 0.5)?.0 == .regressed)
    }
}
