// `make bench-nets`: our network training epoch next to PyTorch eager's, measured in the same
// run on the same model, data, batch order and thread count. Prints both times, their ratio
// and our GFLOP/s; without an importable torch, says so and prints ours alone.
import OptBenchCatalog
import OptBenchHarness
import OptBenchCore
import OptBenchDatasets
import Foundation
import OptBenchKernels
import OptBenchNeuralNetworks
import OptBenchOptimizers
import OptBenchProblems

let arguments = CommandLine.arguments
func option(_ name: String, _ fallback: Int) -> Int {
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count, let v = Int(arguments[i + 1]) else { return fallback }
    return v
}
let samples = option("--samples", 60000)
let batch = option("--batch", 128)
let epochs = option("--epochs", 9)
let threads = option("--threads", 2)

setenv("OMP_NUM_THREADS", String(threads), 1)

// The processor, the register tiles in use (`KernelISA`) and the float32 FMA peak a probe
// reaches with their vectors on one thread and on `threads`: each GFLOP/s figure below is also
// given as a fraction of the peak on its thread count, comparable across ISAs.
let isa = KernelISA.current
let peakOne = measureFMAPeak(Float.self, isa: isa, threads: 1)
let peakAll = threads == 1 ? peakOne : measureFMAPeak(Float.self, isa: isa, threads: threads)
print("processor: \(Processor.current.summary); build: \(KernelISA.isNativeBuild ? "-target-cpu native" : "a named target CPU (OPTBENCH_TARGET_CPU)")")
print("\(isa.tileSummary) — \(ProcessInfo.processInfo.environment["OPTBENCH_ISA"].map { "OPTBENCH_ISA=\($0)" } ?? "chosen from the processor")")
print(String(format: "FMA peak (probe: 12 independent FMA chains of the ISA's vectors per thread, best of 5), f32: %.0f GFLOP/s on 1 thread, %.0f on %d",
             peakOne, peakAll, threads))
/// "x.xx of peak" for `gflops` on `threads` threads.
func ofPeak(_ gflops: Double, threads t: Int) -> String { String(format: "%.2f of peak", gflops / (t == 1 ? peakOne : peakAll)) }
if arguments.contains("--gemm") { gemmShapeReport(batch: batch, threads: threads); exit(0) }
if arguments.contains("--phases") { phaseReport(samples: samples, batch: batch); exit(0) }

/// Median of a non-empty list.
func median(_ v: [Double]) -> Double {
    let s = v.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

/// Multiply-adds ×2 of one epoch: forward and weight-gradient GEMMs for every dense layer, and
/// the input-gradient GEMM for all but the first.
func denseFlops(_ widths: [Int], samples n: Int) -> Double {
    var f = 0.0
    for k in 1..<widths.count {
        let p = Double(widths[k - 1] * widths[k])
        f += 2 * p * Double(n) * (k == 1 ? 2 : 3)
    }
    return f
}


/// One run of `optimizer` on the problem, an epoch at a time.
final class EpochTrainer {
    let run: OptimizerRun<Float>
    var w: [Float]
    let steps: Int

    init(_ problem: NetworkProblem<Float>, _ optimizer: String, _ settings: [String]) throws {
        let oracle = GradientOracle(problem.makeRunObjective())
        run = try Catalog.standard.optimizer(named: optimizer).make(settings + ["batch_size=\(batch)"]).float32.start(on: oracle, seed: 1)
        w = problem.initialPoint(seed: 1)
        steps = (problem.sampleCount + batch - 1) / batch
    }

    /// Seconds of one more epoch.
    func epoch() -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        w.withUnsafeMutableBufferPointer { wp in for _ in 0..<steps { run.step(wp) } }
        return Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
    }
}

let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
let directory = FileManager.default.temporaryDirectory.appendingPathComponent("optbench-bench-nets-\(getpid())")
try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: directory) }
/// Ends a single-section run (`exit` skips the `defer` above).
func finish() -> Never {
    try? FileManager.default.removeItem(at: directory)
    exit(0)
}
// `--resnet`: the ResNet section alone (its own options are read by `resNetBenchmark`).
if arguments.contains("--resnet") {
    try resNetBenchmark(directory: directory, here: here, threads: threads, batch: batch)
    finish()
}

// MARK: MLP 784-256-256-10
let widths = [784, 256, 256, 10]
// The built-in MNIST-shaped set, which a network can learn. Uniform random pixels and labels
// would let Adam kill every first-layer ReLU within an epoch, after which its first moments
// decay through the subnormal range and both sides time microcode assists, not training.
let images = try SyntheticDatasets.mnistShaped(samples: samples, classes: 10, seed: 42, stream: 0)
let (x, y) = (images.features, images.labels)
let data = NetworkData<Float>(features: x, sampleShape: [784], labels: y, classes: 10)
let specs: [LayerSpec] = [.dense(outputs: 256), .activation(.relu), .dense(outputs: 256), .activation(.relu), .dense(outputs: 10)]
let mlp = NetworkProblem<Float>(label: "mlp", specs: specs, loss: .crossEntropy, train: data, test: nil,
                                initialization: .torch, activation: .relu)
/// The optimizers timed against torch_mlp.py's, with its settings.
let timedOptimizers: KeyValuePairs<String, [String]> = ["sgd": ["lr=0.01"], "adam": ["lr=0.001"]]
// `--train sgd|adam`: our epochs of that optimizer alone, no torch (for a profiler).
if let i = arguments.firstIndex(of: "--train"), i + 1 < arguments.count {
    let name = arguments[i + 1]
    let trainer = try EpochTrainer(mlp, name, timedOptimizers.first { $0.key == name }?.value ?? [])
    for e in 0...epochs { print(String(format: "  %@ epoch %d: %.3f s", name as NSString, e, trainer.epoch())) }
    finish()
}
if arguments.contains("--optimizers") { try optimizerShareReport(mlp, batch: batch, stepSeconds: [:]); finish() }

// The data and each epoch's batch order (our sampler's permutations) for torch.
x.withUnsafeBytes { try! Data($0).write(to: directory.appendingPathComponent("x.f32")) }
y.withUnsafeBytes { try! Data($0).write(to: directory.appendingPathComponent("y.i32")) }
var sampler = MinibatchSampler(sampleCount: samples, seed: 1)
var order: [Int64] = []
for _ in 0..<(epochs + 1) {
    var k = 0
    while k < samples { sampler.withNextBatch(size: batch) { b in order += b.map { Int64($0) }; k += b.count } }
}
order.withUnsafeBytes { try! Data($0).write(to: directory.appendingPathComponent("order.i64")) }

let flops = denseFlops(widths, samples: samples)
print("MLP 784-256-256-10, ReLU, softmax cross-entropy, batch \(batch), \(samples) synthetic MNIST-shaped samples, float32, \(threads) threads")
print(String(format: "  %.1f GFLOP per epoch; median of %d epochs after one warm-up", flops / 1e9, epochs))
// torch_mlp.py trains an epoch of the named optimizer per request and answers its seconds.
let torch = PythonWorker([here.appendingPathComponent("torch_mlp.py").path, directory.path, String(samples), String(batch), String(threads)],
                         threads: threads)
if torch == nil { print("  torch is not importable here (pip install \"torch==2.13.0+cpu\"): our figures alone") }
var stepSeconds: [String: Double] = [:]
for (name, settings) in timedOptimizers {
    guard (try? Catalog.standard.optimizer(named: name)) != nil else { print("  \(name): not registered"); continue }
    let trainer = try EpochTrainer(mlp, name, settings)
    var ours: [Double] = [], theirs: [Double] = [], pairs: [Double] = []
    for e in 0...epochs {
        // Epoch 0 of each side warms up; then the sides alternate epoch by epoch.
        let o = trainer.epoch()
        let t = torch?.request(name).flatMap(Double.init)
        if e > 0 { ours.append(o); if let t { theirs.append(t); pairs.append(o / t) } }
    }
    let mine = median(ours)
    stepSeconds[name] = mine / Double(trainer.steps)
    var line = String(format: "  %-5@ ours %.3f s/epoch (%.0f GFLOP/s, %@)", name as NSString, mine, flops / mine / 1e9,
                      ofPeak(flops / mine / 1e9, threads: threads) as NSString)
    if !theirs.isEmpty {
        line += String(format: "   torch %.3f s/epoch   ratio ours/torch %.2f (epoch pairs %.2f–%.2f)", median(theirs),
                       mine / median(theirs), pairs.min()!, pairs.max()!)
    }
    print(line)
}
torch?.close()
try optimizerShareReport(mlp, batch: batch, stepSeconds: stepSeconds)
peakMemoryReport(images: x, labels: y, samples: samples, directory: directory,
                 optbench: URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("optbench").path)
try resNetBenchmark(directory: directory, here: here, threads: threads, batch: batch)
