import OptBenchCatalog
import OptBenchHarness
import OptBenchCore
import Foundation
import OptBenchKernels
import OptBenchNeuralNetworks
import OptBenchOptimizers
import OptBenchProblems

/// Where one MLP training step's time goes: the network's forward pass alone, forward and
/// backward (`Network.evaluate`), the problem's mini-batch gradient (its rows read where the data set holds them), and the
/// whole optimizer step through the charging oracle; medians over 200 steps.
func phaseReport(samples: Int, batch: Int) {
    var rng = Xoshiro256(seed: 3)
    let x = (0..<(samples * 784)).map { _ in Float(rng.nextUniform()) }
    let y = (0..<samples).map { _ in Int32(rng.nextInt(below: 10)) }
    let specs: [LayerSpec] = [.dense(outputs: 256), .activation(.relu), .dense(outputs: 256), .activation(.relu), .dense(outputs: 10)]
    let problem = NetworkProblem<Float>(label: "mlp", specs: specs, loss: .crossEntropy,
                                        train: NetworkData(features: x, sampleShape: [784], labels: y, classes: 10), test: nil,
                                        initialization: .torch, activation: .relu)
    let network = Network<Float>(specs, inputShape: [784], loss: .crossEntropy)
    var w = problem.initialPoint(seed: 1)
    var g = [Float](repeating: 0, count: w.count)
    let indices = Array(0..<batch)
    func time(_ label: String, _ body: () -> Void) {
        var t: [Double] = []
        for _ in 0..<200 {
            let s = DispatchTime.now().uptimeNanoseconds
            body()
            t.append(Double(DispatchTime.now().uptimeNanoseconds - s) * 1e-9)
        }
        print(String(format: "  %-34@ %8.1f µs", label as NSString, median(t) * 1e6))
    }
    print("One step of the MLP 784-256-256-10 at batch \(batch):")
    w.withUnsafeBufferPointer { wp in
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeBufferPointer { yp in
                g.withUnsafeMutableBufferPointer { gp in
                    time("Network.forward") { _ = network.forward(wp.baseAddress!, xp.baseAddress!, batch: batch, mode: .training) }
                    time("Network.evaluate (fwd + bwd)") {
                        _ = network.evaluate(wp.baseAddress!, xp.baseAddress!, .labels(yp.baseAddress!), batch: batch, mode: .training,
                                             scale: 1 / Float(batch), gradient: gp.baseAddress!)
                    }
                    let objective = problem.makeRunObjective()
                    indices.withUnsafeBufferPointer { ip in
                        time("problem sampleGradient") { objective.sampleGradient(at: wp, samples: ip, into: gp) }
                    }
                }
            }
        }
    }
    let oracle = GradientOracle(problem.makeRunObjective())
    let run = try! Catalog.standard.optimizer(named: "sgd").make(["lr=0.01", "batch_size=\(batch)"]).float32.start(on: oracle, seed: 1)
    w.withUnsafeMutableBufferPointer { wp in time("sgd step through the oracle") { run.step(wp) } }
}
