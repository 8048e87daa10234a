@testable import OptBenchReports
import OptBenchCatalog
import OptBenchCore
import Foundation
import Testing
@testable import OptBenchHarness

/// Sweeps past their ends and over several hyper-parameters, on least squares with λmax = 1
/// (L = 1), where GD is fastest at lr = 1/L among values below 2/L and diverges above.
@Suite struct SweepTests {
    static let problem = try! Catalog.standard.row("least-squares", ["n=50", "d=5", "kappa=10", "init=gaussian"])

    static func suite(_ optimizers: [SuiteOptimizer], learningRates: [Double]) -> Suite {
        Suite(name: "sweep", summary: "test", problems: [problem], optimizers: optimizers,
              seeds: [1, 2], rule: StoppingRule(target: 1e-4, maxEpochs: 300), learningRates: learningRates)
    }

    func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("optbench-sweep-\(UUID().uuidString)")
    }

    func run(_ suite: Suite) throws -> (pairs: [PairSummary], table: String) {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let pairs = try Grid(suite: suite, jobs: 2).run(writingTo: dir, command: "test")
        return (pairs, try String(contentsOf: dir.appendingPathComponent("table.md"), encoding: .utf8))
    }

    static func tried(_ p: PairSummary) -> [Double] { Set(p.sweep.compactMap(\.lr)).sorted() }

    /// The values beyond either end of a `logGrid` are those of the longer `logGrid`.
    @Test func extensionsLandOnTheLongerGrid() {
        let base = logGrid(from: -3, to: 1, perDecade: 3)
        let up = (1...3).map { SweepExtension.value(beyond: .high, of: base, step: $0)! }
        let down = (1...3).map { SweepExtension.value(beyond: .low, of: base, step: $0)! }
        #expect(up == Array(logGrid(from: -3, to: 2, perDecade: 3).suffix(3)))
        #expect(down == Array(logGrid(from: -4, to: 1, perDecade: 3).prefix(3).reversed()))
        #expect(up == [21.5, 46.4, 100] && down == [0.000464, 0.000215, 0.0001])
        #expect(SweepExtension.value(beyond: .high, of: base, step: 4) == nil)
        #expect(SweepExtension.value(beyond: .high, of: [0.1], step: 1) == nil)
    }

    /// Best at the high end (0.1 of {0.01, 0.1}): the sweep grows to 1 (the best, 1/L) and 10
    /// (diverges, > 2/L), and stops there since 1 is no longer an end.
    @Test func aWinningEndIsExtendedUntilTheBestIsInside() throws {
        let (pairs, table) = try run(Self.suite([try! Catalog.standard.column("gd")], learningRates: [0.01, 0.1]))
        let gd = pairs[0]
        #expect(gd.lr == 1 && gd.status == .reached && gd.edge == nil)
        #expect(Self.tried(gd) == [0.01, 0.1, 1, 10])
        #expect(gd.sweep.filter { $0.lr == 10 }.allSatisfy { $0.status == .diverged })
        #expect(gd.sweep.count == 4 * 2)
        #expect(!table.contains("| †edge") && !table.contains("lr=1 †edge"))
    }

    /// Every rate of {10, 100} diverges (> 2/L); extending the low end finds 1, 0.1, 0.01 and
    /// keeps 1, which reaches ε.
    @Test func aSweepThatOnlyDivergesIsExtendedDownwards() throws {
        let (pairs, _) = try run(Self.suite([try! Catalog.standard.column("gd")], learningRates: [10, 100]))
        let gd = pairs[0]
        #expect(Self.tried(gd) == [0.1, 1, 10, 100])
        #expect(gd.lr == 1 && gd.status == .reached && gd.edge == nil)
    }

    /// From {1e-4, 1e-3} the best stays the highest value through all three extensions (0.01,
    /// 0.1, 1 = 1/L): flagged, and marked in the table.
    @Test func aBestStillAtTheEndAfterTheBoundIsFlagged() throws {
        let (pairs, table) = try run(Self.suite([try! Catalog.standard.column("gd")], learningRates: [1e-4, 1e-3]))
        let gd = pairs[0]
        #expect(Self.tried(gd) == [1e-4, 1e-3, 0.01, 0.1, 1])
        #expect(gd.lr == 1 && gd.edge == .high)
        #expect(table.contains("lr=1 †edge"))
    }

    /// lr × momentum on κ = 10: heavy ball with μ = 0.3 (near theory's ((√κ − 1)/(√κ + 1))² ≈ 0.27)
    /// contracts the slowest mode by ≈ 0.845 per step at lr = 1 against GD's 0.9, so μ = 0.3 is
    /// chosen; its outcome is that of a column fixed at μ = 0.3 swept over lr alone, and the μ = 0
    /// points are GD's.
    @Test func aProductSweepTunesEveryAxisAndShowsTheValues() throws {
        let rates = [0.1, 0.316, 1, 3.16]
        let (pairs, table) = try run(Self.suite([
            try! Catalog.standard.column("momentum", sweeping: [SweepAxis("momentum", [0, 0.3])]),
            try! Catalog.standard.column("momentum", ["momentum=0.3"]),
            try! Catalog.standard.column("gd"),
        ], learningRates: rates))
        let swept = pairs[0], fixed = pairs[1], gd = pairs[2]
        #expect(swept.sweep.count == 2 * 4 * 2)
        #expect(Set(swept.sweep.map(\.hyperParameters)) == [["momentum=0"], ["momentum=0.3"]])
        #expect(swept.hyperParameters == ["momentum=0.3"] && swept.lr == 1 && swept.edge == nil)
        #expect(swept.lr == fixed.lr && swept.medianEpochs == fixed.medianEpochs && fixed.hyperParameters.isEmpty)
        #expect(swept.medianEpochs! < gd.medianEpochs!)
        let zero = swept.sweep.filter { $0.hyperParameters == ["momentum=0"] && $0.lr == gd.lr }.compactMap(\.epochsToTarget)
        #expect(zero == gd.tunedCells.compactMap(\.epochsToTarget))
        #expect(table.contains("lr=1 momentum=0.3"))
        #expect(table.contains("momentum ∈ {0, 0.3}"))
    }

    @Test func productOrderVariesTheLearningRateFastest() {
        let points = SweepPoint.product(axes: [SweepAxis("momentum", [0.5, 0.9]), SweepAxis("dampening", [0, 0.1])], learningRates: [1, 2])
        #expect(points.count == 8)
        #expect(points.map(\.lr) == [1, 2, 1, 2, 1, 2, 1, 2])
        #expect(points[0].words == ["momentum=0.5", "dampening=0"] && points[7].words == ["momentum=0.9", "dampening=0.1"])
        #expect(SweepPoint.product(axes: [], learningRates: [nil]) == [SweepPoint(lr: nil)])
    }

    /// A swept value out of the optimizer's range is a configuration error before any cell runs.
    @Test func anInvalidSweptValueIsRefused() {
        let suite = Self.suite([try! Catalog.standard.column("momentum", sweeping: [SweepAxis("momentum", [1.5])])], learningRates: [0.1])
        let dir = temporaryDirectory()
        #expect(throws: ConfigurationError.self) { try Grid(suite: suite).run(writingTo: dir, command: "test") }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("cells.jsonl").path))
    }
}

/// A tie between an inner learning rate and an end of the sweep: the tie-break keeps the inner
/// one, but the end did as well, so the sweep is still extended past that end (and marked).
@Suite struct SweepTieTests {
    static func cell(_ lr: Double, seed: UInt64, final: Double) -> CellSummary {
        CellSummary(key: "\(lr)-\(seed)", problem: "p", optimizer: "o", lr: lr, seed: seed, status: .budget, epochsToTarget: nil,
                    secondsToTarget: nil, finalAccuracy: final, epochs: 20, seconds: 1, steps: 20)
    }

    @Test func anEndThatTiesTheTunedRateIsAnEdge() {
        let criterion = StoppingCriterion.metric("test_accuracy")
        let base = [0.01, 0.1, 1.0]
        let tied = [0.01: 0.3, 0.1: 0.485, 1.0: 0.485]
        let sweep = base.flatMap { lr in [1, 2].map { Self.cell(lr, seed: UInt64($0), final: tied[lr]!) } }
        let pair = Grid.summarize(problem: "p", optimizer: "o", sweep: sweep, seeds: 2, criterion: criterion)
        #expect(pair.lr == 0.1)   // the first of the tied rates, in sweep order
        #expect(Grid.edge(of: pair, base: base, criterion: criterion) == .high)
        // Without the tie the inner rate is no edge; with the tie at the low end it is that end.
        let inner = base.flatMap { lr in [1, 2].map { Self.cell(lr, seed: UInt64($0), final: [0.01: 0.3, 0.1: 0.485, 1.0: 0.4][lr]!) } }
        let innerPair = Grid.summarize(problem: "p", optimizer: "o", sweep: inner, seeds: 2, criterion: criterion)
        #expect(innerPair.lr == 0.1 && Grid.edge(of: innerPair, base: base, criterion: criterion) == nil)
        let low = [1.0, 0.1, 0.01].flatMap { lr in [1, 2].map { Self.cell(lr, seed: UInt64($0), final: [0.01: 0.485, 0.1: 0.485, 1.0: 0.3][lr]!) } }
        let lowPair = Grid.summarize(problem: "p", optimizer: "o", sweep: low, seeds: 2, criterion: criterion)
        #expect(lowPair.lr == 0.1 && Grid.edge(of: lowPair, base: base, criterion: criterion) == .low)
    }
}
