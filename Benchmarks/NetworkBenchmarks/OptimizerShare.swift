// The update rule's part of a training step: each optimizer stepped on a stored gradient of the
// MLP's parameter count and layout, so its time is the update's (and the gradient copy, which is
// timed alone and taken off), with the bytes it must move per step turned into GB/s.
import OptBenchCatalog
import OptBenchHarness
import OptBenchCore
import Foundation
import OptBenchKernels
import OptBenchOptimizers
import OptBenchProblems

/// ∇f_B(w) = a fixed vector, copied out: a step on it costs the copy and the update alone.
final class StoredGradient: Objective {
    typealias Scalar = Float
    let dimension: Int
    let sampleCount: Int
    let layout: ParameterLayout
    let gradient: [Float]

    init(dimension: Int, sampleCount: Int, layout: ParameterLayout, seed: UInt64) {
        self.dimension = dimension
        self.sampleCount = sampleCount
        self.layout = layout
        var rng = Xoshiro256(seed: seed)
        gradient = (0..<dimension).map { _ in Float(rng.nextUniform() - 0.5) * 1e-2 }
    }

    func loss(at w: UnsafeBufferPointer<Float>) -> Double { 0 }
    func lossAndGradient(at w: UnsafeBufferPointer<Float>, into g: UnsafeMutableBufferPointer<Float>) -> Double {
        copy(into: g)
        return 0
    }
    func sampleGradient(at w: UnsafeBufferPointer<Float>, samples: UnsafeBufferPointer<Int>, into g: UnsafeMutableBufferPointer<Float>) {
        copy(into: g)
    }
    @inline(__always) func copy(into g: UnsafeMutableBufferPointer<Float>) {
        gradient.withUnsafeBufferPointer { s in g.baseAddress!.update(from: s.baseAddress!, count: dimension) }
    }
}

/// Float32 arrays of d entries each update reads or writes per step: θ (read and written), g,
/// and every state row read and written.
let updateTraffic: [(name: String, settings: [String], arrays: Int)] = [
    ("sgd", ["lr=0.01"], 3),
    ("sgd", ["lr=0.01", "momentum=0.9"], 5),
    ("adam", ["lr=0.001"], 7),
    ("adamw", ["lr=0.001"], 7),
    ("amsgrad", ["lr=0.001"], 9),
    ("nadam", ["lr=0.001"], 7),
    ("rmsprop", ["lr=0.001"], 5),
    ("adagrad", ["lr=0.01"], 5),
    ("adadelta", ["lr=1"], 7),
]

/// Prints, for each rule, its update time per step at d = `problem.dimension`, the GB/s of its
/// memory traffic, and — where `stepSeconds` has that optimizer's measured training step — the
/// update's share of it.
func optimizerShareReport(_ problem: NetworkProblem<Float>, batch: Int, stepSeconds: [String: Double]) throws {
    let d = problem.dimension
    let objective = StoredGradient(dimension: d, sampleCount: problem.sampleCount, layout: problem.layout, seed: 5)
    print(String(format: "Update rules on the MLP's %d float32 parameters (a stored gradient; median of 300 steps, the gradient copy taken off):", d))
    var scratch = [Float](repeating: 0, count: d)
    for (name, settings, arrays) in updateTraffic {
        guard let entry = try? Catalog.standard.optimizer(named: name) else { continue }
        let oracle = GradientOracle(objective: objective)
        let run = try entry.make(settings + ["batch_size=\(batch)"]).float32.start(on: oracle, seed: 1)
        var w = problem.initialPoint(seed: 1)
        var steps: [Double] = [], copies: [Double] = []
        w.withUnsafeMutableBufferPointer { wp in
            scratch.withUnsafeMutableBufferPointer { sp in
                for round in 0..<330 {
                    let t0 = DispatchTime.now().uptimeNanoseconds
                    run.step(wp)
                    let t1 = DispatchTime.now().uptimeNanoseconds
                    objective.copy(into: sp)
                    let t2 = DispatchTime.now().uptimeNanoseconds
                    if round >= 30 {
                        steps.append(Double(t1 - t0) * 1e-9)
                        copies.append(Double(t2 - t1) * 1e-9)
                    }
                }
            }
        }
        let update = max(median(steps) - median(copies), 1e-9)
        let bytes = Double(arrays * d * MemoryLayout<Float>.size)
        let label = ([name] + settings.filter { !$0.hasPrefix("lr=") }).joined(separator: " ")
        var line = "  " + label.padding(toLength: 18, withPad: " ", startingAt: 0)
            + String(format: "%7.1f µs per update   %5.1f GB/s (%d arrays of d)", update * 1e6, bytes / update / 1e9, arrays)
        if settings.count == 1, let step = stepSeconds[name] {
            line += String(format: "   %4.1f %% of its %.0f µs training step", 100 * update / step, step * 1e6)
        }
        print(line)
    }
}
