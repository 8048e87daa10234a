import OptBenchCatalog
import OptBenchCore
import OptBenchOptimizers
import OptBenchProblems
import Testing
import TestSupport
@testable import OptBenchHarness

/// `batch_size=auto`: the problem's mini-batch where it declares one (networks: their
/// `batch_size` setting, 128), else the rule's own default — the survey's one-sample SGD, the
/// full gradient of GD and of the adaptive rules.
@Suite struct BatchSizeTests {
    @Test func resolutionByCase() {
        #expect(BatchSize.samples(7).resolved(problem: 128, sampleCount: 1000, fallback: 0) == 7)
        #expect(BatchSize.samples(0).resolved(problem: 128, sampleCount: 1000, fallback: 1) == 0)
        #expect(BatchSize.samples(5000).resolved(problem: nil, sampleCount: 1000, fallback: 0) == 5000)  // as written
        #expect(BatchSize.auto.resolved(problem: 128, sampleCount: 1000, fallback: 1) == 128)
        #expect(BatchSize.auto.resolved(problem: 128, sampleCount: 128, fallback: 1) == 0)     // every sample: ∇F
        #expect(BatchSize.auto.resolved(problem: nil, sampleCount: 1000, fallback: 1) == 1)
        #expect(BatchSize.auto.resolved(problem: nil, sampleCount: 1000, fallback: 0) == 0)
    }

    /// A run at the default is step for step the run with the batch written out: the trace's
    /// losses are bit-identical and the steps per epoch are n/|B|.
    func sameRun(_ problem: ProblemInstance, _ optimizer: String, _ hp: [String], asExplicit batch: Int, epochs: Double = 2) throws {
        let entry = try Catalog.standard.optimizer(named: optimizer)
        let rule = StoppingRule(target: 0, maxEpochs: epochs)
        let auto = Runner.run(try entry.make(hp), on: problem, seed: 4, rule: rule)
        let explicit = Runner.run(try entry.make(hp + ["batch_size=\(batch)"]), on: problem, seed: 4, rule: rule)
        #expect(auto.records.map(\.loss.bitPattern) == explicit.records.map(\.loss.bitPattern), "\(optimizer)")
        #expect(auto.steps == explicit.steps, "\(optimizer)")
        let n = Double(problem.sampleCount)
        #expect(Double(auto.steps) == epochs * (batch == 0 ? 1 : (n / Double(batch)).rounded(.up)), "\(optimizer): \(auto.steps) steps")
    }

    @Test func networksTakeTheirDataLoadersBatch() throws {
        let mlp = try Catalog.standard.problem(named: "mlp").make(["samples=512", "test_samples=0", "widths=16"])
        #expect(mlp.miniBatch == 128)
        for name in ["adam", "sgd", "nesterov", "lamb", "soap"] {
            try sameRun(mlp, name, ["lr=0.001"], asExplicit: 128)
        }
        try sameRun(mlp, "kfac", [], asExplicit: 128)
        let larger = try Catalog.standard.problem(named: "mlp").make(["samples=512", "test_samples=0", "widths=16", "batch_size=256"])
        try sameRun(larger, "adam", [], asExplicit: 256)
        // A mini-batch of every sample is the full gradient.
        let whole = try Catalog.standard.problem(named: "mlp").make(["samples=512", "test_samples=0", "widths=16", "batch_size=512"])
        try sameRun(whole, "adam", [], asExplicit: 0)
    }

    @Test func classicalProblemsKeepEachRulesOwnDefault() throws {
        let ls = try Catalog.standard.problem(named: "least-squares").make(["n=60", "d=5"])
        #expect(ls.miniBatch == nil)
        try sameRun(ls, "sgd", ["lr=0.01"], asExplicit: 1)
        try sameRun(ls, "adam", ["lr=0.01"], asExplicit: 0)
        try sameRun(ls, "lamb", ["lr=0.01"], asExplicit: 0)
        try sameRun(ls, "momentum", ["lr=0.01"], asExplicit: 0)
    }

    @Test func autoIsAValueOfTheHyperParameterEverywhere() throws {
        let adam = try Catalog.standard.optimizer(named: "adam")
        #expect(adam.parameters.first { $0.name == "batch_size" }?.defaultValue == .text("auto"))
        #expect(try adam.parameters(["batch_size=auto"]).value(of: "batch_size") == .text("auto"))
        #expect(try adam.parameters(["batch_size=64"]).value(of: "batch_size") == .integer(64))
        #expect(throws: ConfigurationError.self) { try adam.parameters(["batch_size=-1"]) }
        #expect(throws: ConfigurationError.self) { try adam.parameters(["batch_size=big"]) }
        #expect(throws: ConfigurationError.self) { try Catalog.standard.optimizer(named: "kfac").parameters(["batch_size=0"]) }
        #expect(Catalog.standard.optimizers.filter { $0.parameters.contains { $0.name == "batch_size" } }
            .allSatisfy { $0.parameters.first { $0.name == "batch_size" }!.defaultValue == .text("auto") })
    }
}
