import Foundation
import OptBenchCore
import OptBenchHarness
import OptBenchProblems
@testable import OptBenchExperiments
import Testing

@Suite struct NormalizationAndSkipsTests {
    /// Depth L counts the dense weight tensors on the main path, for every model.
    @Test(arguments: [4, 8, 16])
    func depthCountsDenseLayers(_ depth: Int) throws {
        for model in NormalizationAndSkipsExperiment.Model.allCases {
            let (entry, settings) = model.settings(depth: depth, width: 8, samples: 32)
            let problem = NetworkTraining.float32(try entry.make(settings))
            let weights = problem.layout.blocks.filter { $0.role == .weight }.count
            #expect(weights == depth, "\(model.rawValue): \(weights) weight tensors at L = \(depth)")
        }
    }

    /// Fixup zeroes the output layer, so the net starts with equal logits: cross-entropy log C.
    @Test func fixupStartsAtLogClasses() throws {
        let (entry, settings) = NormalizationAndSkipsExperiment.Model.resnetFixup.settings(depth: 8, width: 8, samples: 64)
        let problem = NetworkTraining.float32(try entry.make(settings))
        let f = problem.makeObjective().loss(problem.initialPoint(seed: 0))
        #expect(abs(f - log(10.0)) < 1e-5)
    }

    @Test func quickRunWritesItsKeysAndFourVerdicts() throws {
        let options = ExperimentOptions(quick: true, settings: ["depths": "4,6", "lrs": "0.1,1", "samples": "128", "epochs": "2"])
        let outcome = try ExperimentEntry.normalizationAndSkips.run(options)
        let items = checkList(outcome.result, "normalization_and_skips", keys: ["model", "depth", "max_stable_lr", "epochs"])
        #expect(items.count == 4 * 2)
        _ = checkList(outcome.result, "runs", keys: ["model", "depth", "lr", "stable", "epochs"])
        #expect(outcome.verdicts.count == 4)
    }

    @Test func oddDepthIsRefused() {
        #expect(throws: ConfigurationError.self) {
            try ExperimentEntry.normalizationAndSkips.run(ExperimentOptions(quick: true, settings: ["depths": "5"]))
        }
    }
}
