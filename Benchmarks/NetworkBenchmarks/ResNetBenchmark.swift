// The ResNet case of `make bench-nets`: SGD steps of the CIFAR-style ResNet-(6n+2) on 28×28×1
// images, ours and torch eager's on the same images, labels, batch order and thread count,
// interleaved round by round so that both see the same load on a shared machine. Prints
// seconds per step and per 60000-sample epoch, our GFLOP/s and the median per-round ratio.
import OptBenchCatalog
import OptBenchHarness
import OptBenchCore
import OptBenchDatasets
import Foundation
import OptBenchKernels
import OptBenchNeuralNetworks
import OptBenchOptimizers
import OptBenchProblems

/// A long-lived python3 running `torch_resnet.py`: `steps K` runs the next K steps of the batch
/// order and answers their seconds. Nil when python3 or torch is missing.
final class TorchResNet {
    let worker: PythonWorker

    init?(script: String, arguments: [String], threads: Int) {
        guard let worker = PythonWorker([script] + arguments, threads: threads) else { return nil }
        self.worker = worker
    }

    /// Seconds of the next `count` steps, or nil if python died.
    func steps(_ count: Int) -> Double? { worker.request("steps \(count)").flatMap(Double.init) }

    func close() { worker.close() }
}

/// 2 × multiply-adds of one training step per sample: each convolution and dense layer's
/// forward product, its weight-gradient product, and its input-gradient product unless it is
/// the first layer (whose input gradient nobody asks for).
func trainingFlopsPerSample(_ specs: [LayerSpec], inputShape: [Int], first: Bool = true) -> (flops: Double, outputShape: [Int]) {
    var shape = inputShape, total = 0.0, isFirst = first
    for spec in specs {
        switch spec {
        case .conv2d(let channels, let kernel, let stride, let padding, _):
            let g = ConvolutionGeometry(channels: shape[0], height: shape[1], width: shape[2], kernel: kernel, stride: stride, padding: padding)
            total += 2 * Double(channels * g.patchSize * g.outputPixels) * (isFirst ? 2 : 3)
            shape = [channels, g.outputHeight, g.outputWidth]
            isFirst = false
        case .dense(let outputs, _, _):
            total += 2 * Double(outputs * shape.reduce(1, *)) * (isFirst ? 2 : 3)
            shape = [outputs]
            isFirst = false
        case .globalAveragePool:
            shape = [shape[0]]
        case .residual(let body, let shortcut, _):
            let b = trainingFlopsPerSample(body, inputShape: shape, first: isFirst)
            total += b.flops + (shortcut.map { trainingFlopsPerSample($0, inputShape: shape, first: isFirst).flops } ?? 0)
            shape = b.outputShape
            isFirst = false
        case .activation, .batchNorm, .layerNorm:
            break
        }
    }
    return (total, shape)
}

/// The ResNet benchmark, called from main.swift with its scratch directory, its own folder and
/// the thread count; reads `--resnet-samples`, `--resnet-steps`, `--resnet-rounds`,
/// `--resnet-blocks` (n, depth 6n + 2) and `--resnet-width` from the command line; `--no-torch`
/// times ours alone and `--no-kernels` skips the per-kernel comparison (for a profiler).
func resNetBenchmark(directory: URL, here: URL, threads: Int, batch: Int) throws {
    let samples = max(batch, option("--resnet-samples", 2560) / batch * batch)
    let stepsPerRound = option("--resnet-steps", 4)
    let rounds = option("--resnet-rounds", 5)
    let blocks = option("--resnet-blocks", 3)
    let width = option("--resnet-width", 16)
    let lr = 0.1
    let epochSteps = (60000 + batch - 1) / batch

    let specs = ResNetArchitecture.convolutional(blocksPerStage: blocks, width: width)
    let images = try SyntheticDatasets.mnistShaped(samples: samples, classes: 10, seed: 43, stream: 0)
    let (x, y) = (images.features, images.labels)
    let data = NetworkData<Float>(features: x, sampleShape: [1, 28, 28], labels: y, classes: 10)
    let problem = NetworkProblem<Float>(label: "resnet", specs: specs, loss: .crossEntropy, train: data, test: nil,
                                        initialization: .torch, activation: .relu)

    // The data and the batch order of our sampler (one warm-up step, then the timed rounds).
    x.withUnsafeBytes { try! Data($0).write(to: directory.appendingPathComponent("resnet-x.f32")) }
    y.withUnsafeBytes { try! Data($0).write(to: directory.appendingPathComponent("resnet-y.i32")) }
    var sampler = MinibatchSampler(sampleCount: samples, seed: 1)
    var order: [Int64] = []
    for _ in 0..<(1 + rounds * stepsPerRound) { sampler.withNextBatch(size: batch) { b in order += b.map { Int64($0) } } }
    order.withUnsafeBytes { try! Data($0).write(to: directory.appendingPathComponent("resnet-order.i64")) }

    let flops = trainingFlopsPerSample(specs, inputShape: [1, 28, 28]).flops * Double(batch)
    print("")
    print("ResNet-\(6 * blocks + 2) (width \(width), BatchNorm, projection shortcuts) on 28×28×1, softmax cross-entropy, SGD lr \(lr),")
    print(String(format: "  batch %d, %d samples, float32, %d threads; %.1f GFLOP per step; %d rounds of %d steps, ours then torch's",
                 batch, samples, threads, flops / 1e9, rounds, stepsPerRound))

    let objective = problem.makeRunObjective()
    let oracle = GradientOracle(objective)
    let configured = try Catalog.standard.optimizer(named: "sgd").make(["lr=\(lr)", "batch_size=\(batch)"])
    let run = configured.float32.start(on: oracle, seed: 1)
    var w = problem.initialPoint(seed: 1)
    w.withUnsafeMutableBufferPointer { run.step($0) }

    let torch = arguments.contains("--no-torch") ? nil : TorchResNet(script: here.appendingPathComponent("torch_resnet.py").path,
                            arguments: [directory.path, String(samples), String(batch), String(threads), String(blocks), String(width), String(lr)],
                            threads: threads)
    if torch == nil && !arguments.contains("--no-torch") {
        print("  torch is not importable here (pip install \"torch==2.13.0+cpu\"): our figures alone")
    }
    var ours: [Double] = [], theirs: [Double] = [], ratios: [Double] = []
    for _ in 0..<rounds {
        let start = DispatchTime.now().uptimeNanoseconds
        w.withUnsafeMutableBufferPointer { wp in for _ in 0..<stepsPerRound { run.step(wp) } }
        let mine = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9 / Double(stepsPerRound)
        ours.append(mine)
        if let t = torch?.steps(stepsPerRound) {
            theirs.append(t / Double(stepsPerRound))
            ratios.append(mine / (t / Double(stepsPerRound)))
        }
    }
    torch?.close()
    let step = median(ours)
    var line = String(format: "  sgd   ours %.3f s/step = %.1f s/epoch of 60000 (%.0f GFLOP/s, %@)", step, step * Double(epochSteps), flops / step / 1e9,
                      ofPeak(flops / step / 1e9, threads: threads) as NSString)
    if !theirs.isEmpty {
        let t = median(theirs)
        line += String(format: "   torch %.3f s/step = %.1f s/epoch   ratio ours/torch %.2f (rounds %.2f–%.2f)",
                       t, t * Double(epochSteps), median(ratios), ratios.min()!, ratios.max()!)
    }
    print(line)
    // The bits of w after every step: equal across thread counts (`taskset -c 0`) when every
    // reduction runs in a fixed order.
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for v in w { hash = (hash ^ UInt64(v.bitPattern)) &* 0x100_0000_01b3 }
    print(String(format: "  weights after %d steps on %d threads: FNV-1a %016llx", 1 + rounds * stepsPerRound, availableThreads, hash))
    if !arguments.contains("--no-kernels") {
        convolutionKernelComparison(batch: batch)
        stridedKernelComparison(batch: batch)
    }
}

/// A buffer of n floats with deterministic values in [−0.5, 0.5).
func benchmarkBuffer(_ n: Int, seed: Int = 0) -> UnsafeMutablePointer<Float> {
    let p = UnsafeMutablePointer<Float>.allocate(capacity: n)
    for i in 0..<n { p[i] = Float((i * 7919 + seed) % 1000) / 1000 - 0.5 }
    return p
}

/// Milliseconds of body, median of `repeats` runs.
func medianMilliseconds(_ repeats: Int, _ body: () -> Void) -> Double {
    var t: [Double] = []
    for _ in 0..<repeats {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        t.append(Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-6)
    }
    return median(t)
}

/// im2col + GEMM against the direct kernels on the three 3×3 convolutions of a ResNet-20 stage
/// (16 channels on 28×28, 32 on 14×14, 64 on 7×7), one thread, a batch sample by sample (the
/// direct weight gradient in chunks of 8, as `Conv2D` runs it): the forward product, the weight
/// gradient and the input gradient, ms per batch, median of `repeats` batches.
func convolutionKernelComparison(batch: Int, repeats: Int = 5) {
    print("  3×3 convolutions, one thread, ms per batch of \(batch) (median of \(repeats)): im2col + GEMM | direct")
    func buffer(_ n: Int, seed: Int = 0) -> UnsafeMutablePointer<Float> { benchmarkBuffer(n, seed: seed) }
    func time(_ body: () -> Void) -> Double { medianMilliseconds(repeats, body) }
    for (channels, side) in [(16, 28), (32, 14), (64, 7)] {
        let g = ConvolutionGeometry(channels: channels, height: side, width: side, kernel: 3, stride: 1, padding: 1)
        let p = g.outputPixels, k = g.patchSize, size = channels * p, chunk = 8
        let ld = g.gridStride(Float.self), padded = g.paddedCount(Float.self), wp = g.paddedWidth
        let x = buffer(batch * size), w = buffer(channels * k, seed: 11), col = buffer(k * p), out = buffer(batch * size)
        let dw = buffer(channels * k), xp = buffer(chunk * padded), dyt = buffer(chunk * size)
        let grid = buffer((channels + 15) / 16 * 16 * ld), packed = buffer((channels + 15) / 16 * 16 * k)
        defer { for b in [x, w, col, out, dw, xp, dyt, grid, packed] { b.deallocate() } }
        func compact(_ b: Int) {
            for o in 0..<channels { for r in 0..<side { (out + b * size + (o * side + r) * side).update(from: grid + o * ld + r * wp, count: side) } }
        }
        let loweredForward = time {
            for b in 0..<batch {
                im2col(g, x + b * size, col, ldcol: p)
                gemm(.none, .none, channels, p, k, 1, w, k, col, p, 0, out + b * size, p, threads: 1)
            }
        }
        let loweredWeight = time {
            for b in 0..<batch {
                im2col(g, x + b * size, col, ldcol: p)
                gemm(.none, .transposed, channels, k, p, 1, x + b * size, p, col, p, b == 0 ? 0 : 1, dw, k, threads: 1)
            }
        }
        let loweredInput = time {
            for b in 0..<batch {
                gemm(.transposed, .none, k, p, channels, 1, w, k, x + b * size, p, 0, col, p, threads: 1)
                (out + b * size).update(repeating: 0, count: size)
                col2im(g, col, ldcol: p, out + b * size)
            }
        }
        // The input gradient is the forward convolution with the kernels flipped.
        func direct(flipped: Bool) -> Double {
            time {
                packConvolutionWeights(outputs: channels, inputs: channels, kernel: 3, w, flipped: flipped, packed)
                for b in 0..<batch {
                    padImage(g, x + b * size, xp)
                    directConvolution(g, outputs: channels, packed, xp, grid, ldout: ld)
                    compact(b)
                }
            }
        }
        let directForward = direct(flipped: false)
        let directWeight = time {
            dw.update(repeating: 0, count: channels * k)
            var b0 = 0
            while b0 < batch {
                let n = min(chunk, batch - b0)
                for s in 0..<n {
                    padImage(g, x + (b0 + s) * size, xp + s * padded)
                    transposeOutputGradient(outputs: channels, positions: p, out + (b0 + s) * size, dyt + s * size)
                }
                directConvolutionWeightGradientByChannel(g, outputs: channels, samples: n, dyt, dyStride: size, xp, dw)
                b0 += n
            }
        }
        let directInput = direct(flipped: true)
        let flops = 2 * Double(channels * k * p * batch) / 1e6
        let direct = 3 * flops / (directForward + directWeight + directInput)
        print(String(format: "    %2d ch %2d×%-2d  forward %6.1f | %6.1f   weight gradient %6.1f | %6.1f   input gradient %6.1f | %6.1f   (%.0f | %.0f GFLOP/s; direct %@)",
                     channels, side, side, loweredForward, directForward, loweredWeight, directWeight, loweredInput, directInput,
                     3 * flops / (loweredForward + loweredWeight + loweredInput), direct, ofPeak(direct, threads: 1) as NSString))
    }
}

/// im2col + GEMM against the phased kernels on the two downsampling 3×3 stride-2 convolutions
/// of a ResNet-20 (16 → 32 channels from 28×28, 32 → 64 from 14×14), one thread, in the chunks
/// `Conv2D` would use (about 1024 col columns for im2col, 8 samples for the phased weight
/// gradient), ms per batch.
func stridedKernelComparison(batch: Int, repeats: Int = 5) {
    print("  3×3 stride-2 convolutions, one thread, ms per batch of \(batch) (median of \(repeats)): im2col + GEMM | phased")
    func time(_ body: () -> Void) -> Double { medianMilliseconds(repeats, body) }
    for (channels, side) in [(16, 28), (32, 14)] {
        let outputs = 2 * channels, chunk = 8
        let g = ConvolutionGeometry(channels: channels, height: side, width: side, kernel: 3, stride: 2, padding: 1)
        let p = g.outputPixels, k = g.patchSize, size = channels * side * side, outSize = outputs * p
        let ho = g.outputHeight, wo = g.outputWidth, wq = g.phaseWidth, phases = g.phaseCount(Float.self)
        let ld = g.phaseGridStride(Float.self), planeStride = g.phasePlaneStride(Float.self), r = directConvolutionRows
        let gridSize = (outputs + r - 1) / r * r * max(ld, planeStride)
        let x = benchmarkBuffer(batch * size), dy = benchmarkBuffer(batch * outSize, seed: 5), w = benchmarkBuffer(outputs * k, seed: 11)
        let col = benchmarkBuffer(k * max(1, 1024 / p) * p), gathered = benchmarkBuffer(outputs * max(1, 1024 / p) * p)
        let out = benchmarkBuffer(batch * outSize), dx = benchmarkBuffer(batch * size), dw = benchmarkBuffer(outputs * k)
        let grid = benchmarkBuffer(gridSize), packed = benchmarkBuffer((outputs + r - 1) / r * r * k)
        let adjoint = benchmarkBuffer((channels + r - 1) / r * r * outputs * 9), dyt = benchmarkBuffer(chunk * outSize)
        let xq = UnsafeMutablePointer<Float>.allocate(capacity: chunk * phases), d = UnsafeMutablePointer<Float>.allocate(capacity: outputs * g.phaseGradientPlane(Float.self) + 16)
        xq.initialize(repeating: 0, count: chunk * phases)
        d.initialize(repeating: 0, count: outputs * g.phaseGradientPlane(Float.self) + 16)
        let offsets = UnsafeMutablePointer<Int>.allocate(capacity: k + outputs * 9)
        for e in 0..<k { offsets[e] = g.phaseOffset(entry: e, Float.self) }
        defer {
            for b in [x, dy, w, col, gathered, out, dx, dw, grid, packed, adjoint, dyt, xq, d] { b.deallocate() }
            offsets.deallocate()
        }
        // As `Conv2D` lowers them: chunks of ⌈1024/P⌉ samples side by side in one col matrix.
        let n = max(1, 1024 / p)
        func lowerChunk(_ b0: Int) -> Int {
            let m = min(n, batch - b0)
            for s in 0..<m { im2col(g, x + (b0 + s) * size, col + s * p, ldcol: m * p) }
            return m
        }
        func gatherChunk(_ b0: Int, _ m: Int) {
            for s in 0..<m { for o in 0..<outputs { (gathered + o * m * p + s * p).update(from: dy + (b0 + s) * outSize + o * p, count: p) } }
        }
        let loweredForward = time {
            for b0 in stride(from: 0, to: batch, by: n) {
                let m = lowerChunk(b0)
                gemm(.none, .none, outputs, m * p, k, 1, w, k, col, m * p, 0, gathered, m * p, threads: 1)
            }
        }
        let loweredWeight = time {
            for b0 in stride(from: 0, to: batch, by: n) {
                let m = lowerChunk(b0)
                gatherChunk(b0, m)
                accumulateProductTransposed(outputs, k, m * p, gathered, m * p, col, m * p, dw, k)
            }
        }
        let loweredInput = time {
            for b0 in stride(from: 0, to: batch, by: n) {
                let m = min(n, batch - b0)
                gatherChunk(b0, m)
                gemm(.transposed, .none, k, m * p, outputs, 1, w, k, gathered, m * p, 0, col, m * p, threads: 1)
                for s in 0..<m {
                    (dx + (b0 + s) * size).update(repeating: 0, count: size)
                    col2im(g, col + s * p, ldcol: m * p, dx + (b0 + s) * size)
                }
            }
        }
        let phasedForward = time {
            packConvolutionWeights(outputs: outputs, inputs: channels, kernel: 3, w, flipped: false, packed)
            for b in 0..<batch {
                splitPhases(g, x + b * size, xq)
                offsetConvolution(entries: k, offsets, positions: g.phaseGridCount, outputs: outputs, packed, xq, grid, ldout: ld)
                for o in 0..<outputs { for h in 0..<ho { copyRow(wo, grid + o * ld + h * wq, out + b * outSize + (o * ho + h) * wo) } }
            }
        }
        let phasedWeight = time {
            dw.update(repeating: 0, count: outputs * k)
            var b0 = 0
            while b0 < batch {
                let n = min(chunk, batch - b0)
                for s in 0..<n {
                    splitPhases(g, x + (b0 + s) * size, xq + s * phases)
                    transposeOutputGradient(outputs: outputs, positions: p, dy + (b0 + s) * outSize, dyt + s * outSize)
                }
                convolutionWeightGradientByChannel(entries: k, offsets, outputs: outputs, samples: n, height: ho, width: wo, rowStride: wq,
                                                   sampleStride: phases, dyt, dyStride: outSize, xq, dw)
                b0 += n
            }
        }
        let phasedInput = time {
            var at = 0, offsetAt = k
            for a in 0..<2 {
                for b in 0..<2 {
                    packPhaseAdjoint(g, outputs: outputs, a: a, b: b, w, adjoint + at, offsets: offsets + offsetAt)
                    at += (channels + r - 1) / r * r * outputs * phaseEntries(g, a: a, b: b)
                    offsetAt += outputs * phaseEntries(g, a: a, b: b)
                }
            }
            for s in 0..<batch {
                placePhaseGradient(g, outputs: outputs, dy + s * outSize, d)
                var at = 0, offsetAt = k
                for a in 0..<2 {
                    for b in 0..<2 {
                        let entries = outputs * phaseEntries(g, a: a, b: b)
                        offsetConvolution(entries: entries, offsets + offsetAt, positions: g.phaseHeight * wq, outputs: channels,
                                          adjoint + at, d, grid, ldout: planeStride)
                        mergePhase(g, a: a, b: b, grid, ld: planeStride, dx + s * size)
                        at += (channels + r - 1) / r * r * entries
                        offsetAt += entries
                    }
                }
            }
        }
        let flops = 2 * Double(outputs * k * p * batch) / 1e6
        let phased = 3 * flops / (phasedForward + phasedWeight + phasedInput)
        print(String(format: "    %2d→%2d ch %2d×%-2d  forward %6.1f | %6.1f   weight gradient %6.1f | %6.1f   input gradient %6.1f | %6.1f   (%.0f | %.0f GFLOP/s; phased %@)",
                     channels, outputs, side, side, loweredForward, phasedForward, loweredWeight, phasedWeight, loweredInput, phasedInput,
                     3 * flops / (loweredForward + loweredWeight + loweredInput), phased, ofPeak(phased, threads: 1) as NSString))
    }
}
