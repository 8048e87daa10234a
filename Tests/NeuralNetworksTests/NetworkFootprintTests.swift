import OptBenchCore
import OptBenchKernels
import Testing

@testable import OptBenchNeuralNetworks

/// `NetworkFootprint`, counted from the specs before anything is built, against the network
/// built from them: its parameter count exactly, and the buffers its layers hold for a batch
/// (`Network.scratchValues`, read off the built layers), exactly.
@Suite struct NetworkFootprintTests {
    static let cases: [(String, [LayerSpec], [Int])] = [
        ("mlp", [.dense(outputs: 32), .activation(.relu), .dense(outputs: 10)], [784]),
        ("mlp-batch-norm", [.dense(outputs: 16), .batchNorm, .activation(.tanh), .dense(outputs: 4)], [20]),
        ("mlp-layer-norm-weight-norm", [.dense(outputs: 16, weightNorm: true), .layerNorm, .activation(.relu),
                                        .dense(outputs: 3, weightNorm: true)], [12]),
        ("fully-connected-resnet", ResNetArchitecture.fullyConnected(width: 24, blocks: 3, outputs: 10, activation: .tanh), [784]),
        ("resnet-8", try! ResNetArchitecture.convolutional(depth: 8, width: 4, classes: 10), [1, 28, 28]),
    ]

    @Test(arguments: cases.indices)
    func footprintMatchesTheBuiltNetwork(_ k: Int) {
        let (name, specs, shape) = Self.cases[k]
        let network = Network<Float>(specs, inputShape: shape, loss: .crossEntropy)
        for batch in [1, 64, 500] {
            let footprint = NetworkFootprint(network: specs, inputShape: shape, batch: batch, as: Float.self)
            #expect(footprint.parameters == network.dimension, "\(name)")
            #expect(footprint.topLevelPerSample == network.activationsPerSample, "\(name)")
            let built = network.scratchValues(batch: batch)
            #expect(footprint.scratch == built, "\(name) batch \(batch): \(footprint.scratch) vs \(built)")
        }
    }
}
