import OptBenchKernels
import Synchronization

/// A 2-D convolution (a cross-correlation, as torch's `nn.Conv2d`) from C input channels to C′
/// output channels with a k×k kernel, stride s and zero padding p, on samples [C, H, W]:
///
///     s[o, h, w] = b_o + Σ_{c,i,j} W[o, c, i, j] · x[c, h·s − p + i, w·s − p + j]
///
/// with W stored [C′, C, k, k] as torch stores it (fan-in C·k², fan-out C′·k²). It is lowered
/// by im2col to one GEMM per chunk of samples, S = W·col with W as a C′ × C·k² matrix and col
/// the C·k² × (samples·H_o·W_o) patches side by side. Backward, per chunk (the weight gradient by
/// `accumulateProductTransposed`, whose factors both run along the positions),
/// ∂f/∂W = Σ_b (∂f/∂S_b)·col_bᵀ, ∂f/∂b_o = Σ_{b,h,w} ∂f/∂s_b[o, h, w] and
/// ∂f/∂x_b = col2im(Wᵀ·∂f/∂S_b). A 1×1 convolution with stride 1 is W·x_b itself, without im2col.
///
/// Stride-1 convolutions with 2p = k − 1 (the 3×3 convolutions of a ResNet) skip the col matrix:
/// `directConvolution` reads the patches of a zero-bordered copy of each sample in place, for
/// the forward pass and — as the convolution of ∂f/∂y with the flipped kernel
/// W′[c, o, i, j] = W[o, c, k−1−i, k−1−j], same padding — for ∂f/∂x, and
/// `directConvolutionWeightGradientByChannel` sums ∂f/∂W over the positions of each sample, with
/// ∂f/∂y laid out position-major so that a vector holds the output channels of one position.
/// Strided convolutions with k ≥ s ≥ 2 (a ResNet's downsampling 3×3s) do the same on the s²
/// phases of the zero-bordered input (`splitPhases`), where every patch entry is again a fixed
/// offset; ∂f/∂x is one such product per phase (see PhasedConvolution.swift).
///
/// Chunks go to the cores whole, claimed one at a time; each chunk's weight gradient is its own
/// product, and the chunks' gradients are summed in chunk order, so the result ignores the
/// thread count and the schedule.
final class Conv2D<Scalar: KernelScalar>: Layer {
    let geometry: ConvolutionGeometry
    let outputChannels: Int
    let weightOffset: Int
    let biasOffset: Int?
    let inputShape: [Int]
    let outputShape: [Int]
    /// Samples per chunk: a whole chunk's patches make about `chunkColumns` columns.
    let chunkSamples: Int
    static var chunkColumns: Int { 1024 }
    private let threads = min(availableThreads, Int.bitWidth - 1)
    private let slots = ScratchSlots()
    private let columns: [Scratch<Scalar>]
    private let gathered: [Scratch<Scalar>]
    private let partials = Scratch<Scalar>()
    /// The direct path's per-thread padded input and padded output gradient, and W packed
    /// for it (forward and flipped). The padded buffers start zeroed and hold one geometry's
    /// samples only, so their borders stay 0 and each sample copies in its interior alone.
    private let padded: [Scratch<Scalar>]
    private let paddedGradient: [Scratch<Scalar>]
    /// The direct path's per-thread output gradients of a chunk, position-major by blocks of
    /// output channels (`transposeOutputGradient`), for the weight gradient.
    private let transposed: [Scratch<Scalar>]
    private let packed: Scratch<Scalar>
    private let packedFlipped: Scratch<Scalar>
    /// The phased path's entry offsets: the forward product's C·k², then each phase's adjoint
    /// O·n in phase order (written with its packed weights).
    private let offsets: UnsafeMutablePointer<Int>

    init(inputShape shape: [Int], channels: Int, kernel: Int, stride: Int, padding: Int, bias: Bool, name: String,
         layout: LayoutBuilder) {
        precondition(shape.count == 3, "a convolution needs [C, H, W] inputs, got \(shape)")
        let g = ConvolutionGeometry(channels: shape[0], height: shape[1], width: shape[2], kernel: kernel, stride: stride, padding: padding)
        precondition(channels > 0 && g.isValid, "a \(kernel)×\(kernel) convolution with stride \(stride) and padding \(padding) does not fit \(shape)")
        geometry = g
        outputChannels = channels
        inputShape = shape
        outputShape = [channels, g.outputHeight, g.outputWidth]
        weightOffset = layout.add("\(name).weight", [channels, g.channels, kernel, kernel], .weight)
        biasOffset = bias ? layout.add("\(name).bias", [channels], .bias) : nil
        layout.addWeight(WeightTensor(name: "\(name).weight", offset: weightOffset, rows: channels, fanIn: g.patchSize,
                                      fanOut: channels * kernel * kernel, gainOffset: nil, biasOffset: biasOffset))
        let sizes = Self.bufferSizes(g, channels: channels)
        let phased = g.isPhased
        chunkSamples = sizes.chunkSamples
        let threads = min(availableThreads, Int.bitWidth - 1)
        columns = (0..<threads).map { _ in Scratch(sizes.columns) }
        gathered = (0..<threads).map { _ in Scratch(sizes.gathered) }
        padded = (0..<threads).map { _ in Scratch(sizes.padded) }
        paddedGradient = (0..<threads).map { _ in Scratch(sizes.paddedGradient) }
        transposed = (0..<threads).map { _ in Scratch(sizes.transposed) }
        packed = Scratch(sizes.packed)
        packedFlipped = Scratch(sizes.packedFlipped)
        let offsetCount = phased ? g.patchSize + channels * kernel * kernel : 0
        offsets = .allocate(capacity: max(offsetCount, 1))
        offsets.initialize(repeating: 0, count: max(offsetCount, 1))
        if phased { for e in 0..<g.patchSize { offsets[e] = g.phaseOffset(entry: e, Scalar.self) } }
    }

    deinit { offsets.deallocate() }

    /// The values of each buffer a convolution of geometry `g` to `channels` outputs holds: the
    /// per-thread ones (patch columns or the direct path's grid, gathered outputs, padded input
    /// and output gradient, transposed output gradients), the packed weights, and the samples
    /// per chunk of the weight gradient's partial sums.
    static func bufferSizes(_ g: ConvolutionGeometry, channels: Int)
        -> (columns: Int, gathered: Int, padded: Int, paddedGradient: Int, transposed: Int, packed: Int, packedFlipped: Int, chunkSamples: Int) {
        let kernel = g.kernel, padding = g.padding
        let pointwise = kernel == 1 && g.stride == 1 && padding == 0
        let direct = g.isSameStride1 && !pointwise, phased = g.isPhased
        let samples = pointwise ? 1 : direct || phased ? directChunkSamples : max(1, chunkColumns / g.outputPixels)
        let width = samples * g.outputPixels
        let rows = directConvolutionRows
        let gridRows = (max(channels, g.channels) + rows - 1) / rows * rows
        let gridSize = direct ? gridRows * g.gridStride(Scalar.self)
            : phased ? gridRows * max(g.phaseGridStride(Scalar.self), g.phasePlaneStride(Scalar.self)) : g.patchSize * width
        let outputGeometry = ConvolutionGeometry(channels: channels, height: g.height, width: g.width, kernel: kernel, stride: 1, padding: padding)
        let transposedSize = outputGradientBlocks(Scalar.self, outputs: channels) * Scalar.lanes * g.outputPixels
        return (pointwise ? 0 : gridSize,
                samples > 1 && !direct && !phased ? channels * width : 0,
                direct ? samples * g.paddedCount(Scalar.self) : phased ? samples * g.phaseCount(Scalar.self) : 0,
                direct ? outputGeometry.paddedCount(Scalar.self) : phased ? channels * g.phaseGradientPlane(Scalar.self) + Scalar.lanes : 0,
                direct || phased ? samples * transposedSize : 0,
                direct || phased ? (channels + rows - 1) / rows * rows * g.patchSize : 0,
                direct || phased ? (g.channels + rows - 1) / rows * rows * channels * kernel * kernel : 0,
                samples)
    }

    /// Samples per chunk on the direct path (the weight gradient's partial sums).
    static var directChunkSamples: Int { 8 }
    /// Whether the patches are the input itself (1×1, stride 1, no padding).
    var isPointwise: Bool { geometry.kernel == 1 && geometry.stride == 1 && geometry.padding == 0 }
    /// Whether the direct kernels run this convolution.
    var isDirect: Bool { geometry.isSameStride1 && !isPointwise }
    /// Whether the phased kernels run it (stride s ≥ 2, k ≥ s).
    var isPhased: Bool { geometry.isPhased }
    /// The geometry of ∂f/∂y as the input of the flipped convolution.
    private var outputGeometry: ConvolutionGeometry {
        ConvolutionGeometry(channels: outputChannels, height: geometry.height, width: geometry.width, kernel: geometry.kernel,
                            stride: 1, padding: geometry.padding)
    }
    /// Entries of one sample's output gradient as `transposeOutputGradient` lays it out.
    private var transposedStride: Int { outputGradientBlocks(Scalar.self, outputs: outputChannels) * Scalar.lanes * geometry.outputPixels }
    private var gradientSize: Int { outputChannels * geometry.patchSize + (biasOffset == nil ? 0 : outputChannels) }

    /// Values of the per-thread buffers allocated with the layer and of the per-chunk partial
    /// weight gradients of a batch of `batch` samples.
    func scratchValues(batch: Int) -> Int {
        let s = Self.bufferSizes(geometry, channels: outputChannels)
        return columns.count * (s.columns + s.gathered + s.padded + s.paddedGradient + s.transposed) + s.packed + s.packedFlipped
            + (batch + chunkSamples - 1) / chunkSamples * gradientSize
    }

    func reserve(batch: Int) {
        partials.reserve(((batch + chunkSamples - 1) / chunkSamples) * gradientSize)
    }

    /// Runs body(slot, chunk) over the chunks of a batch. The cores claim chunks one at a time
    /// (a core slowed by other work takes fewer), each running chunk holding one of the
    /// per-thread scratch slots; results depend on the chunk alone, not on who ran it.
    private func forEachChunk(_ batch: Int, _ body: (Int, Int) -> Void) {
        let chunks = (batch + chunkSamples - 1) / chunkSamples
        parallelFor(chunks) { q in
            let slot = slots.claim(below: threads)
            body(slot, q)
            slots.release(slot)
        }
    }

    /// The patches of samples b0 ..< b0 + n side by side (leading dimension n·P) in the thread's
    /// scratch, or the input itself for a pointwise convolution.
    private func patches(_ x: UnsafePointer<Scalar>, _ b0: Int, _ n: Int, thread: Int) -> UnsafePointer<Scalar> {
        let p = geometry.outputPixels, size = inputSize
        if isPointwise { return x + b0 * size }
        let col = columns[thread].pointer
        for s in 0..<n { im2col(geometry, x + (b0 + s) * size, col + s * p, ldcol: n * p) }
        return UnsafePointer(col)
    }

    /// Copies grid rows of `channels` channels (leading dimension `ld`, rows `rowStride` apart)
    /// into the [channels, h, width] sample at `y`, adding bias[o] when given.
    private func compact(_ grid: UnsafePointer<Scalar>, ld: Int, rowStride wp: Int, height h: Int, width: Int, channels: Int,
                         into y: UnsafeMutablePointer<Scalar>, bias: UnsafePointer<Scalar>?) {
        for o in 0..<channels {
            for r in 0..<h {
                let dst = y + (o * h + r) * width
                copyRow(width, grid + o * ld + r * wp, dst)
                if let bias { addConstant(width, bias[o], dst) }
            }
        }
    }

    private func directForward(_ w: UnsafePointer<Scalar>, _ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, batch: Int) {
        let g = geometry, cout = outputChannels, ld = g.gridStride(Scalar.self)
        packConvolutionWeights(outputs: cout, inputs: g.channels, kernel: g.kernel, w + weightOffset, flipped: false, packed.pointer)
        let weights = UnsafePointer(packed.pointer), bias = biasOffset.map { w + $0 }
        let (input, output) = (inputSize, outputSize)
        forEachChunk(batch) { thread, q in
            let xp = padded[thread].pointer, grid = columns[thread].pointer
            for b in (q * chunkSamples)..<min(batch, (q + 1) * chunkSamples) {
                padImageInterior(g, x + b * input, xp)
                directConvolution(g, outputs: cout, weights, xp, grid, ldout: ld)
                compact(grid, ld: ld, rowStride: g.paddedWidth, height: g.height, width: g.width, channels: cout, into: y + b * output, bias: bias)
            }
        }
    }

    private func directBackward(_ w: UnsafePointer<Scalar>, _ x: UnsafePointer<Scalar>, _ dy: UnsafePointer<Scalar>,
                                _ dx: UnsafeMutablePointer<Scalar>?, batch: Int) {
        let g = geometry, gy = outputGeometry, cout = outputChannels, ld = g.gridStride(Scalar.self)
        if dx != nil {
            packConvolutionWeights(outputs: cout, inputs: g.channels, kernel: g.kernel, w + weightOffset, flipped: true, packedFlipped.pointer)
        }
        let flipped = UnsafePointer(packedFlipped.pointer), partSize = gradientSize, parts = partials.pointer
        let (input, output) = (inputSize, outputSize), positions = g.height * g.width
        let xStride = g.paddedCount(Scalar.self), dyStride = transposedStride
        forEachChunk(batch) { thread, q in
            let xp = padded[thread].pointer, dyp = paddedGradient[thread].pointer, grid = columns[thread].pointer
            let dyt = transposed[thread].pointer
            let part = parts + q * partSize
            let b0 = q * chunkSamples, n = min(chunkSamples, batch - b0)
            for s in 0..<n {
                padImageInterior(g, x + (b0 + s) * input, xp + s * xStride)
                transposeOutputGradient(outputs: cout, positions: positions, dy + (b0 + s) * output, dyt + s * dyStride)
            }
            part.update(repeating: 0, count: partSize)
            directConvolutionWeightGradientByChannel(g, outputs: cout, samples: n, dyt, dyStride: dyStride, xp, part)
            biasGradient(dy, b0, n, part)
            guard let dx else { return }
            for s in 0..<n {
                padImageInterior(gy, dy + (b0 + s) * output, dyp)
                directConvolution(gy, outputs: g.channels, flipped, dyp, grid, ldout: ld)
                compact(grid, ld: ld, rowStride: g.paddedWidth, height: g.height, width: g.width, channels: g.channels,
                        into: dx + (b0 + s) * input, bias: nil)
            }
        }
    }

    /// ∂f/∂b_o = Σ_{s,h,w} ∂f/∂y_s[o, h, w] over samples b0 ..< b0 + n into part[O·C·k² + o], when there is a bias.
    private func biasGradient(_ dy: UnsafePointer<Scalar>, _ b0: Int, _ n: Int, _ part: UnsafeMutablePointer<Scalar>) {
        guard biasOffset != nil else { return }
        let cout = outputChannels, output = outputSize, positions = output / cout, k = geometry.patchSize
        for o in 0..<cout {
            var t: Scalar = 0
            for s in 0..<n { t += sum(positions, dy + (b0 + s) * output + o * positions) }
            part[cout * k + o] = t
        }
    }

    private func phasedForward(_ w: UnsafePointer<Scalar>, _ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, batch: Int) {
        let g = geometry, cout = outputChannels, ld = g.phaseGridStride(Scalar.self)
        packConvolutionWeights(outputs: cout, inputs: g.channels, kernel: g.kernel, w + weightOffset, flipped: false, packed.pointer)
        let weights = UnsafePointer(packed.pointer), bias = biasOffset.map { w + $0 }, table = UnsafePointer(offsets)
        let (input, output) = (inputSize, outputSize)
        forEachChunk(batch) { thread, q in
            let xq = padded[thread].pointer, grid = columns[thread].pointer
            for b in (q * chunkSamples)..<min(batch, (q + 1) * chunkSamples) {
                splitPhases(g, x + b * input, xq)
                offsetConvolution(entries: g.patchSize, table, positions: g.phaseGridCount, outputs: cout, weights, xq, grid, ldout: ld)
                compact(grid, ld: ld, rowStride: g.phaseWidth, height: g.outputHeight, width: g.outputWidth, channels: cout,
                        into: y + b * output, bias: bias)
            }
        }
    }

    private func phasedBackward(_ w: UnsafePointer<Scalar>, _ x: UnsafePointer<Scalar>, _ dy: UnsafePointer<Scalar>,
                                _ dx: UnsafeMutablePointer<Scalar>?, batch: Int) {
        let g = geometry, cout = outputChannels, k = g.patchSize, stride = g.stride, r = directConvolutionRows
        let blockRows = (g.channels + r - 1) / r * r
        // Each phase's adjoint weights and offsets, one after the other.
        if dx != nil {
            var packedAt = 0, offsetAt = k
            for a in 0..<stride {
                for b in 0..<stride {
                    packPhaseAdjoint(g, outputs: cout, a: a, b: b, w + weightOffset, packedFlipped.pointer + packedAt, offsets: offsets + offsetAt)
                    packedAt += blockRows * cout * phaseEntries(g, a: a, b: b)
                    offsetAt += cout * phaseEntries(g, a: a, b: b)
                }
            }
        }
        let adjoint = UnsafePointer(packedFlipped.pointer), table = UnsafePointer(offsets), partSize = gradientSize, parts = partials.pointer
        let (input, output) = (inputSize, outputSize), xStride = g.phaseCount(Scalar.self), dyStride = transposedStride
        let planeStride = g.phasePlaneStride(Scalar.self), planePositions = g.phaseHeight * g.phaseWidth
        forEachChunk(batch) { thread, q in
            let xq = padded[thread].pointer, d = paddedGradient[thread].pointer, grid = columns[thread].pointer
            let dyt = transposed[thread].pointer
            let part = parts + q * partSize
            let b0 = q * chunkSamples, n = min(chunkSamples, batch - b0)
            for s in 0..<n {
                splitPhases(g, x + (b0 + s) * input, xq + s * xStride)
                transposeOutputGradient(outputs: cout, positions: g.outputPixels, dy + (b0 + s) * output, dyt + s * dyStride)
            }
            part.update(repeating: 0, count: partSize)
            convolutionWeightGradientByChannel(entries: k, table, outputs: cout, samples: n, height: g.outputHeight, width: g.outputWidth,
                                               rowStride: g.phaseWidth, sampleStride: xStride, dyt, dyStride: dyStride, xq, part)
            biasGradient(dy, b0, n, part)
            guard let dx else { return }
            for s in 0..<n {
                placePhaseGradient(g, outputs: cout, dy + (b0 + s) * output, d)
                var packedAt = 0, offsetAt = k
                for a in 0..<stride {
                    for b in 0..<stride {
                        let entries = cout * phaseEntries(g, a: a, b: b)
                        offsetConvolution(entries: entries, table + offsetAt, positions: planePositions, outputs: g.channels,
                                          adjoint + packedAt, d, grid, ldout: planeStride)
                        mergePhase(g, a: a, b: b, grid, ld: planeStride, dx + (b0 + s) * input)
                        packedAt += blockRows * entries
                        offsetAt += entries
                    }
                }
            }
        }
    }

    func forward(_ w: UnsafePointer<Scalar>, _ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, batch: Int, mode: NetworkMode) {
        if isDirect { return directForward(w, x, y, batch: batch) }
        if isPhased { return phasedForward(w, x, y, batch: batch) }
        let p = geometry.outputPixels, k = geometry.patchSize, cout = outputChannels, size = outputSize
        forEachChunk(batch) { thread, q in
            let b0 = q * chunkSamples, n = min(chunkSamples, batch - b0), ld = n * p
            let col = patches(x, b0, n, thread: thread)
            let out = n == 1 ? y + b0 * size : gathered[thread].pointer
            gemm(.none, .none, cout, ld, k, 1, w + weightOffset, k, col, ld, 0, out, ld, threads: 1)
            if n > 1 {
                for s in 0..<n {
                    for o in 0..<cout { (y + (b0 + s) * size + o * p).update(from: out + o * ld + s * p, count: p) }
                }
            }
            if let biasOffset {
                for s in 0..<n {
                    for o in 0..<cout { addConstant(p, w[biasOffset + o], y + (b0 + s) * size + o * p) }
                }
            }
        }
    }

    func backward(_ w: UnsafePointer<Scalar>, _ x: UnsafePointer<Scalar>, _ y: UnsafePointer<Scalar>, _ dy: UnsafePointer<Scalar>,
                  _ dx: UnsafeMutablePointer<Scalar>?, _ dw: UnsafeMutablePointer<Scalar>, batch: Int, mode: NetworkMode) {
        if isDirect {
            directBackward(w, x, dy, dx, batch: batch)
        } else if isPhased {
            phasedBackward(w, x, dy, dx, batch: batch)
        } else {
            loweredBackward(w, x, dy, dx, batch: batch)
        }
        // Each chunk's gradient is in its own partial sum; add them in chunk order.
        let parts = partials.pointer, partSize = gradientSize, weights = outputChannels * geometry.patchSize
        let chunks = (batch + chunkSamples - 1) / chunkSamples
        for q in 1..<max(chunks, 1) { axpy(partSize, 1, parts + q * partSize, parts) }
        (dw + weightOffset).update(from: parts, count: weights)
        if let biasOffset { (dw + biasOffset).update(from: parts + weights, count: outputChannels) }
    }

    /// The im2col path: per chunk, ∂f/∂W = G·colᵀ and ∂f/∂x = col2im(Wᵀ·G) for the chunk's output gradients G.
    private func loweredBackward(_ w: UnsafePointer<Scalar>, _ x: UnsafePointer<Scalar>, _ dy: UnsafePointer<Scalar>,
                                 _ dx: UnsafeMutablePointer<Scalar>?, batch: Int) {
        let p = geometry.outputPixels, k = geometry.patchSize, cout = outputChannels, size = outputSize
        let parts = partials.pointer, partSize = gradientSize, weight = w + weightOffset
        forEachChunk(batch) { thread, q in
            let b0 = q * chunkSamples, n = min(chunkSamples, batch - b0), ld = n * p
            let col = patches(x, b0, n, thread: thread)
            var g = dy + b0 * size
            if n > 1 {
                let gather = gathered[thread].pointer
                for s in 0..<n {
                    for o in 0..<cout { (gather + o * ld + s * p).update(from: dy + (b0 + s) * size + o * p, count: p) }
                }
                g = UnsafePointer(gather)
            }
            let part = parts + q * partSize
            part.update(repeating: 0, count: cout * k)
            accumulateProductTransposed(cout, k, ld, g, ld, col, ld, part, k)
            if biasOffset != nil { for o in 0..<cout { part[cout * k + o] = sum(ld, g + o * ld) } }
            guard let dx else { return }
            let input = inputSize
            if isPointwise {
                gemm(.transposed, .none, k, p, cout, 1, weight, k, g, p, 0, dx + b0 * input, p, threads: 1)
                return
            }
            let dcol = columns[thread].pointer
            gemm(.transposed, .none, k, ld, cout, 1, weight, k, g, ld, 0, dcol, ld, threads: 1)
            for s in 0..<n {
                let d = dx + (b0 + s) * input
                d.update(repeating: 0, count: input)
                col2im(geometry, dcol + s * p, ldcol: ld, d)
            }
        }
    }
}

/// The per-thread scratch buffers of a layer as numbered slots, taken by whichever core runs
/// the next piece of work: bit s of the word is set while slot s is in use.
final class ScratchSlots: Sendable {
    private let taken = Atomic<Int>(0)

    /// A free slot below `count`, marked in use (waits while all are taken).
    func claim(below count: Int) -> Int {
        while true {
            let word = taken.load(ordering: .relaxed)
            let free = (~word).trailingZeroBitCount
            if free < count, taken.compareExchange(expected: word, desired: word | 1 << free, ordering: .acquiring).exchanged {
                return free
            }
        }
    }

    func release(_ slot: Int) { taken.bitwiseAnd(~(1 << slot), ordering: .releasing) }
}

/// y ← y + c for n entries.
@inline(__always)
func addConstant<T: KernelScalar>(_ n: Int, _ c: T, _ y: UnsafeMutablePointer<T>) {
    let v = T.Vector(repeating: c), w = T.lanes
    var i = 0
    while i + w <= n {
        let r = UnsafeMutableRawPointer(y + i)
        r.storeBytes(of: r.loadUnaligned(as: T.Vector.self) + v, as: T.Vector.self)
        i += w
    }
    while i < n { y[i] += c; i += 1 }
}

/// Σᵢ xᵢ over n entries: two vector accumulators, then the lanes, then the tail (a fixed order).
@inline(__always)
func sum<T: KernelScalar>(_ n: Int, _ x: UnsafePointer<T>) -> T {
    let w = T.lanes
    var s0 = T.Vector(), s1 = T.Vector()
    var i = 0
    while i + 2 * w <= n {
        s0 += UnsafeRawPointer(x + i).loadUnaligned(as: T.Vector.self)
        s1 += UnsafeRawPointer(x + i + w).loadUnaligned(as: T.Vector.self)
        i += 2 * w
    }
    var s = (s0 + s1).sum()
    while i < n { s += x[i]; i += 1 }
    return s
}
