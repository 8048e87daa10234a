import OptBenchCatalog
import OptBenchCore
import Foundation
import OptBenchKernels
import OptBenchNeuralNetworks
import OptBenchOptimizers
import OptBenchProblems
import Testing
import TestSupport
@testable import OptBenchHarness

/// A run stops at the first record that meets its criterion's target, read off the full
/// trace of a budget-only run of the same cell (the same seed gives the same records).
@Suite struct StoppingCriterionTests {
    func run(_ problem: ProblemInstance, _ optimizer: String, _ hp: [String], _ rule: StoppingRule) throws -> RunResult {
        Runner.run(try Catalog.standard.optimizer(named: optimizer).make(hp), on: problem, seed: 3, rule: rule)
    }

    @Test func lossCriterionStopsAtTheFirstRecordBelowTheTarget() throws {
        let problem = try Catalog.standard.problem(named: "least-squares").make(["n=60", "d=6", "noise=1", "init=gaussian"])
        let full = try run(problem, "gd", ["lr=0.05"], StoppingRule(target: 0, maxEpochs: 40, criterion: .relative))
        let losses = full.records.map(\.loss)
        let target = (losses[0] + losses[losses.count - 1]) / 2
        let first = try #require(full.records.first { $0.loss <= target })
        let stopped = try run(problem, "gd", ["lr=0.05"], StoppingRule(target: target, maxEpochs: 40, criterion: .loss))
        #expect(stopped.status == .reached)
        #expect(stopped.epochsToTarget == first.epoch)
        #expect(stopped.finalAccuracy == first.loss)
    }

    @Test func metricCriterionStopsWhenTheMetricReachesTheTarget() throws {
        // Two Gaussian classes in 4 dimensions, well separated: an MLP's test accuracy rises.
        var rng = Xoshiro256(seed: 1)
        func data(_ n: Int) -> NetworkData<Double> {
            var x: [Double] = [], y: [Int32] = []
            for _ in 0..<n {
                let c = Int32(rng.nextInt(below: 2))
                y.append(c)
                for j in 0..<4 { x.append(rng.nextGaussian() + (c == 1 && j < 2 ? 2 : 0)) }
            }
            return NetworkData(features: x, sampleShape: [4], labels: y, classes: 2)
        }
        let net = NetworkProblem<Double>(label: "toy", specs: [.dense(outputs: 8), .activation(.tanh), .dense(outputs: 2)],
                                         loss: .crossEntropy, train: data(200), test: data(200), initialization: .xavierNormal, activation: .tanh)
        let problem = ProblemInstance(net)
        let index = try #require(net.metricNames.firstIndex(of: "test_accuracy"))
        let full = try run(problem, "sgd", ["lr=0.1", "batch_size=10"], StoppingRule(target: 0, maxEpochs: 15))
        let best = full.records.map { $0.metrics[index] }.max()!
        #expect(best > 0.85)
        let target = 0.8
        let first = try #require(full.records.first { $0.metrics[index] >= target })
        let stopped = try run(problem, "sgd", ["lr=0.1", "batch_size=10"], StoppingRule(target: target, maxEpochs: 15, criterion: .metric("test_accuracy")))
        #expect(stopped.status == .reached)
        #expect(stopped.epochsToTarget == first.epoch)
        #expect(stopped.finalAccuracy == first.metrics[index])
    }
}
