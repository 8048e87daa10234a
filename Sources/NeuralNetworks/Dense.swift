import OptBenchKernels

/// A fully connected layer s = W x + b on each sample (W is outputs × inputs, row-major, as
/// torch's `nn.Linear` stores it), over a batch S = X Wᵀ + 1bᵀ by one GEMM. Backward:
/// ∂f/∂W = (∂f/∂S)ᵀ X, ∂f/∂b = 1ᵀ ∂f/∂S and ∂f/∂X = (∂f/∂S) W.
///
/// With weight normalisation (Salimans and Kingma, 2016, torch's `weight_norm`, dim 0) the
/// parameters are V and a gain g per output: W_r = g_r · V_r/‖V_r‖, and
/// ∂f/∂g_r = (∂f/∂W_r)·V̂_r, ∂f/∂V_r = (g_r/‖V_r‖)(∂f/∂W_r − (∂f/∂g_r) V̂_r).
///
/// Its input X may be rows gathered from a data set (`rows`), read where they are stored: the
/// mini-batch is never copied, unless the layer view asks for it. It keeps pointers to the
/// inputs and output gradients of its last pass for the layer view.
final class Dense<Scalar: KernelScalar>: Layer {
    let inputs: Int
    let outputs: Int
    let weightOffset: Int
    let biasOffset: Int?
    let gainOffset: Int?
    let weightBlock: Int
    let biasBlock: Int?
    var inputShape: [Int] { [inputs] }
    var outputShape: [Int] { [outputs] }
    /// The effective W of a weight-normalised layer, and ∂f/∂W before the reparametrisation.
    private let effective: Scratch<Scalar>
    private let effectiveGradient: Scratch<Scalar>
    private let rowNorms: Scratch<Scalar>
    private var lastInput: UnsafePointer<Scalar>?
    private(set) var lastOutputGradient: UnsafePointer<Scalar>?
    private(set) var lastBatch = 0
    /// The data set rows the last backward pass's X gathered (valid when `lastGathered`), and
    /// X itself, gathered into `gatheredInput` when the layer view first asks for it.
    private var lastRows: UnsafeMutablePointer<Int>
    private var lastRowsCapacity = 1
    private var lastGathered = false
    private var gatheredInputReady = false
    private let gatheredInput = Scratch<Scalar>()

    init(inputs: Int, outputs: Int, bias: Bool, weightNorm: Bool, name: String, layout: LayoutBuilder) {
        self.inputs = inputs
        self.outputs = outputs
        weightBlock = layout.blockCount
        weightOffset = layout.add("\(name).weight", [outputs, inputs], .weight)
        gainOffset = weightNorm ? layout.add("\(name).gain", [outputs], .normScale) : nil
        biasBlock = bias ? layout.blockCount : nil
        biasOffset = bias ? layout.add("\(name).bias", [outputs], .bias) : nil
        layout.addWeight(WeightTensor(name: "\(name).weight", offset: weightOffset, rows: outputs, fanIn: inputs, fanOut: outputs,
                                      gainOffset: gainOffset, biasOffset: biasOffset))
        effective = Scratch(weightNorm ? outputs * inputs : 0)
        effectiveGradient = Scratch(weightNorm ? outputs * inputs : 0)
        rowNorms = Scratch(weightNorm ? outputs : 0)
        lastRows = .allocate(capacity: 1)
    }

    deinit { lastRows.deallocate() }

    /// The inputs a of the last backward pass, batch × inputs, row-major (for the layer view).
    func lastInputs() -> UnsafePointer<Scalar>? {
        guard lastGathered, let x = lastInput else { return lastInput }
        if !gatheredInputReady {
            gatheredInput.reserve(lastBatch * inputs)
            gatherRows(x, rowLength: inputs, indices: UnsafeBufferPointer(start: lastRows, count: lastBatch), into: gatheredInput.pointer)
            gatheredInputReady = true
        }
        return UnsafePointer(gatheredInput.pointer)
    }

    func reserve(batch: Int) {}

    /// Values of the weight-normalisation buffers (W, its gradient, the row norms).
    var scratchValues: Int { gainOffset == nil ? 0 : effective.capacity + effectiveGradient.capacity + rowNorms.capacity }

    /// W, forming g_r V_r/‖V_r‖ first when weight-normalised.
    private func weights(_ w: UnsafePointer<Scalar>) -> UnsafePointer<Scalar> {
        guard let gainOffset else { return w + weightOffset }
        let v = w + weightOffset, e = effective.pointer
        for r in 0..<outputs {
            let norm = nrm2(inputs, v + r * inputs)
            rowNorms.pointer[r] = norm
            let scale = norm > 0 ? w[gainOffset + r] / norm : 0
            for j in 0..<inputs { e[r * inputs + j] = scale * v[r * inputs + j] }
        }
        return UnsafePointer(e)
    }

    func forward(_ w: UnsafePointer<Scalar>, _ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, batch: Int, mode: NetworkMode) {
        forward(w, x, y, batch: batch, relu: nil)
    }

    /// S into y and, when `relu` is given, ReLU(S) into it too — the ReLU layer that follows,
    /// done on each block of S as the product writes it. The bias starts each row of S (the
    /// product then adds X Wᵀ), also block by block. With `rows`, row b of X is row rows[b]
    /// of the data set at x.
    func forward(_ w: UnsafePointer<Scalar>, _ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, batch: Int,
                 relu: UnsafeMutablePointer<Scalar>?, rows: UnsafePointer<Int>? = nil) {
        let weight = weights(w)
        let epilogue = GEMMEpilogue(rowInit: biasOffset.map { w + $0 }, relu: relu, reluStride: outputs)
        gemm(.none, .transposed, batch, outputs, inputs, 1, x, inputs, weight, inputs, biasOffset == nil ? 0 : 1, y, outputs,
             epilogue: epilogue, rowsOfA: rows)
    }

    func backward(_ w: UnsafePointer<Scalar>, _ x: UnsafePointer<Scalar>, _ y: UnsafePointer<Scalar>, _ dy: UnsafePointer<Scalar>,
                  _ dx: UnsafeMutablePointer<Scalar>?, _ dw: UnsafeMutablePointer<Scalar>, batch: Int, mode: NetworkMode) {
        backward(w, x, dy, dx, dw, batch: batch, maskingByInput: false)
    }

    /// The backward pass; with `maskingByInput`, dx ← (∂f/∂X) ⊙ 1[X > 0] — the backward pass of
    /// a ReLU layer whose output X is, done on each block of ∂f/∂X as the product writes it.
    /// With `rows`, X is gathered from the data set at x as in `forward`.
    func backward(_ w: UnsafePointer<Scalar>, _ x: UnsafePointer<Scalar>, _ dy: UnsafePointer<Scalar>,
                  _ dx: UnsafeMutablePointer<Scalar>?, _ dw: UnsafeMutablePointer<Scalar>, batch: Int, maskingByInput: Bool,
                  rows: UnsafePointer<Int>? = nil) {
        precondition(rows == nil || !maskingByInput, "Dense: a gathered input is not a ReLU's output")
        lastInput = x
        lastOutputGradient = dy
        lastBatch = batch
        lastGathered = rows != nil
        gatheredInputReady = false
        if let rows {
            if batch > lastRowsCapacity {
                lastRows.deallocate()
                lastRows = .allocate(capacity: batch)
                lastRowsCapacity = batch
            }
            lastRows.update(from: rows, count: batch)
        }
        let weight: UnsafePointer<Scalar> = gainOffset == nil ? w + weightOffset : UnsafePointer(effective.pointer)
        let dW = gainOffset == nil ? dw + weightOffset : effectiveGradient.pointer
        let weightAndBias = { (threads: Int) in
            gemm(.transposed, .none, self.outputs, self.inputs, batch, 1, dy, self.outputs, x, self.inputs, 0, dW, self.inputs,
                 threads: threads, rowsOfB: rows)
            if let biasOffset = self.biasOffset {
                let db = dw + biasOffset
                db.update(from: dy, count: self.outputs)
                for b in 1..<max(batch, 1) { axpy(self.outputs, 1, dy + b * self.outputs, db) }
            }
        }
        if let dx {
            let input = { (threads: Int) in
                gemm(.none, .none, batch, self.inputs, self.outputs, 1, dy, self.outputs, weight, self.inputs, 0, dx, self.inputs,
                     threads: threads, epilogue: maskingByInput ? GEMMEpilogue(mask: x, maskStride: self.inputs) : .none)
            }
            // ∂f/∂W and ∂f/∂X are independent products of the same size: on two cores each runs
            // whole on its own, which saves splitting both and packing Gᵀ twice.
            if availableThreads == 2 && batch * inputs * outputs >= 1 << 18 {
                parallelFor(2) { $0 == 0 ? weightAndBias(1) : input(1) }
            } else {
                weightAndBias(0)
                input(0)
            }
        } else {
            weightAndBias(0)
        }
        if let gainOffset {
            let v = w + weightOffset
            for r in 0..<outputs {
                let norm = rowNorms.pointer[r]
                let vr = v + r * inputs, gr = dW + r * inputs, dv = dw + weightOffset + r * inputs
                guard norm > 0 else {
                    dw[gainOffset + r] = 0
                    dv.update(repeating: 0, count: inputs)
                    continue
                }
                let dg = dot(inputs, gr, vr) / norm
                dw[gainOffset + r] = dg
                let scale = w[gainOffset + r] / norm
                for j in 0..<inputs { dv[j] = scale * (gr[j] - dg * vr[j] / norm) }
            }
        }
    }
}
