import Foundation
import OptBenchCore
import OptBenchHarness
import OptBenchOptimizers
@testable import OptBenchExperiments
import Testing

@Suite struct LargeBatchTests {
    /// η(B) = η₀·(B/B₀)^p: linear for SGD and LARS, square root for LAMB.
    @Test func scalingRulesMatchTheirClosedForms() {
        #expect(LargeBatchExperiment.scaledRate(base: 0.1, batch: 256, smallest: 32, power: 1) == 0.8)
        #expect(abs(LargeBatchExperiment.scaledRate(base: 0.001, batch: 512, smallest: 32, power: 0.5) - 0.004) < 1e-15)
        #expect(LargeBatchExperiment.Rule.sgd.power == 1 && LargeBatchExperiment.Rule.lars.power == 1)
        #expect(LargeBatchExperiment.Rule.lamb.power == 0.5)
    }

    /// The warm-up starts at the base rate and reaches the scaled one after T epochs.
    @Test func warmupRisesFromTheBaseRate() throws {
        let words = LargeBatchExperiment.settings(.sgd, base: 0.05, batch: 1024, smallest: 32, warmup: 2)
        func value(_ key: String) -> Double { Double(words.first { $0.hasPrefix(key + "=") }!.dropFirst(key.count + 1))! }
        let lr = value("lr"), f = value("start_factor"), t = value("warmup_epochs")
        #expect(lr == 0.05 * 32)
        let schedule = Schedule.warmup(epochs: t, startFactor: f, then: .constant)
        #expect(abs(lr * schedule(0) - 0.05) < 1e-15)
        #expect(abs(lr * schedule(1) - (0.05 + lr) / 2) < 1e-12)
        #expect(lr * schedule(2) == lr)
        _ = try OptimizerEntry.sgd.make(words)
        _ = try OptimizerEntry.lars.make(LargeBatchExperiment.settings(.lars, base: 1, batch: 64, smallest: 32, warmup: 2))
        _ = try OptimizerEntry.lamb.make(LargeBatchExperiment.settings(.lamb, base: 1e-3, batch: 64, smallest: 32, warmup: 2))
        #expect(!LargeBatchExperiment.settings(.sgd, base: 0.05, batch: 32, smallest: 32, warmup: 2).contains { $0.hasPrefix("warmup") })
    }

    @Test func criticalBatchSizeIsTheFirstDoublingThatStopsPaying() {
        let batches = [32, 64, 128, 256, 512]
        // 1000 → 500 → 300 (×0.6) → 250 (×0.83: stops) → 100.
        #expect(LargeBatchExperiment.criticalBatchSize(batches: batches, steps: [1000, 500, 300, 250, 100]) == 128)
        #expect(LargeBatchExperiment.criticalBatchSize(batches: batches, steps: [1000, 500, 250, 125, 60]) == nil)
        // A doubling that misses the target (∞ steps) stops paying.
        #expect(LargeBatchExperiment.criticalBatchSize(batches: batches, steps: [1000, 500, .infinity, .infinity, .infinity]) == 64)
        // Missing the target at B₀ and reaching it at 2B₀ is a cut; the next doubling is not.
        #expect(LargeBatchExperiment.criticalBatchSize(batches: batches, steps: [.infinity, 1, 1, 1, 1]) == 64)
        #expect(LargeBatchExperiment.criticalBatchSize(batches: batches, steps: [.infinity, .infinity, 1, 1, 1]) == 32)
    }

    @Test func quickRunWritesItsKeysAndFourVerdicts() throws {
        let options = ExperimentOptions(quick: true, settings: ["batches": "32,64,128", "samples": "256", "epochs": "3"])
        let outcome = try ExperimentEntry.largeBatch.run(options)
        let items = checkList(outcome.result, "large_batch", keys: ["batch_size", "lr", "optimizer", "epochs", "steps"])
        #expect(items.count == 3 * 3)
        // Steps are counted by the loop and epochs by the oracle: n/B steps make an epoch.
        for item in items {
            if let e = number(member(item, "epochs")), let s = number(member(item, "steps")), let b = number(member(item, "batch_size")) {
                #expect(s == e * 256 / b)
            }
        }
        _ = checkList(outcome.result, "critical_batch_size", keys: ["optimizer", "batch_size"])
        #expect(outcome.verdicts.count == 4)
    }

    @Test func batchThatDoesNotDivideTheSamplesIsRefused() {
        #expect(throws: ConfigurationError.self) {
            try ExperimentEntry.largeBatch.run(ExperimentOptions(quick: true, settings: ["batches": "32,48", "samples": "256"]))
        }
    }
}
