import OptBenchCore
import OptBenchHarness
import OptBenchOptimizers
import OptBenchProblems
@testable import OptBenchExperiments
import Testing

@Suite struct LandscapeTests {
    static func problem() throws -> AnyProblem<Float> {
        NetworkTraining.float32(try MLP.entry.make(["width=6", "depth=1", "samples=40", "test_samples=10"]))
    }

    /// The line's ends are the two points: F there equals F computed at each point directly.
    @Test func lineEndsAreTheEndpointsLosses() throws {
        let p = try Self.problem()
        let a = p.initialPoint(seed: 1), b = p.initialPoint(seed: 2)
        let objective = p.makeObjective()
        let line = LandscapeExperiment.lossAlongLine(objective, from: a, to: b, alphas: [0, 0.5, 1])
        #expect(line[0] == p.makeObjective().loss(a))
        #expect(line[2] == p.makeObjective().loss(b))
        #expect(line[1].isFinite)
    }

    /// The magnitude mask prunes the requested share of weight entries, every kept one at
    /// least as large as every pruned one, and never a bias.
    @Test func magnitudeMaskKeepsTheLargestWeights() throws {
        let p = try Self.problem()
        let w = p.initialPoint(seed: 3)
        let mask = LandscapeExperiment.magnitudeMask(w, layout: p.layout, sparsity: 0.75)
        let weights = p.layout.blocks.filter { $0.role == .weight }.flatMap { Array($0.range) }
        let pruned = weights.filter { mask[$0] == 0 }, kept = weights.filter { mask[$0] == 1 }
        #expect(pruned.count == Int((0.75 * Double(weights.count)).rounded()))
        #expect(pruned.map { abs(w[$0]) }.max()! <= kept.map { abs(w[$0]) }.min()!)
        for block in p.layout.blocks where block.role != .weight { for i in block.range { #expect(mask[i] == 1) } }
        let random = LandscapeExperiment.randomMask(count: w.count, layout: p.layout, sparsity: 0.75, seed: 5)
        #expect(weights.filter { random[$0] == 0 }.count == pruned.count)
        #expect(random != mask)
    }

    @Test func maskedTrainingKeepsPrunedWeightsAtZero() throws {
        let p = try Self.problem()
        let w = p.initialPoint(seed: 1)
        let mask = LandscapeExperiment.magnitudeMask(w, layout: p.layout, sparsity: 0.5)
        let sgd = try OptimizerEntry.sgd.make(["lr=0.1", "batch_size=8"]).float32
        let run = NetworkTraining.train(p, sgd, from: zip(w, mask).map { $0 * $1 }, seed: 1, epochs: 2, project: { v in
            for i in 0..<v.count { v[i] *= mask[i] }
        })
        for i in mask.indices where mask[i] == 0 { #expect(run.weights[i] == 0) }
        #expect(run.records.count == 3)
    }

    @Test func quickRunWritesItsKeysAndThreeVerdicts() throws {
        let outcome = try ExperimentEntry.landscape.run(ExperimentOptions(quick: true, settings: ["samples": "128", "test_samples": "64", "epochs": "1"]))
        let path = checkList(outcome.result, "landscape", keys: ["path", "alpha", "loss"])
        #expect(path.count == 2 * 11)
        let lottery = checkList(outcome.result, "lottery", keys: ["pruning", "sparsity", "test_accuracy"])
        #expect(lottery.count == 2)
        #expect(outcome.verdicts.count == 3)
    }
}
