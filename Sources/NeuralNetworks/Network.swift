import OptBenchCore
import OptBenchKernels

/// A network f(w; x) from a `LayerSpec` list, with a loss ℓ: the per-run object that evaluates
/// f_B(w) = (1/|B|) Σ_{b∈B} ℓ(f(w; x_b), y_b) and back-propagates it over whole mini-batches.
/// Activations are allocated once for the largest batch seen, never per step; every pass
/// runs on the SIMD GEMM. Its last mini-batch's per-layer inputs a_ℓ and output gradients
/// g_ℓ are the layer view.
public final class Network<Scalar: KernelScalar> {
    /// The named blocks of w, in the order layers were built.
    public let layout: ParameterLayout
    /// The weight tensors with their fans, for initialisers.
    public let weights: [WeightTensor]
    public let inputShape: [Int]
    public let outputShape: [Int]
    public let loss: Loss
    let body: Sequential<Scalar>
    /// A gathered batch, for networks whose first layer cannot read one in place.
    private let gathered = Scratch<Scalar>()

    public init(_ specs: [LayerSpec], inputShape: [Int], loss: Loss) {
        let builder = LayoutBuilder()
        var branches = 0
        body = Sequential(specs, inputShape: inputShape, layout: builder, branches: &branches)
        layout = ParameterLayout(builder.blocks)
        weights = builder.weights
        self.inputShape = inputShape
        outputShape = body.outputShape
        self.loss = loss
    }

    public var dimension: Int { layout.dimension }
    /// Values the top-level layers keep per sample (residual blocks hold several times more inside).
    public var activationsPerSample: Int { body.nodes.reduce(0) { $0 + $1.outputShape.reduce(1, *) } }
    public var inputSize: Int { inputShape.reduce(1, *) }
    /// Values a pass over batches of `batch` samples keeps allocated: every layer's output and
    /// output gradient, the layers' own scratch, and a gathered batch when the first layer
    /// cannot read one in place. Known before any batch is run.
    public func scratchValues(batch: Int) -> Int {
        body.scratchValues(batch: batch) + (body.takesGatheredInput ? 0 : batch * inputSize)
    }
    public var outputSize: Int { outputShape.reduce(1, *) }

    /// The outputs f(w; x_b) of a batch (valid until the next pass).
    public func forward(_ w: UnsafePointer<Scalar>, _ x: UnsafePointer<Scalar>, batch: Int, mode: NetworkMode) -> UnsafePointer<Scalar> {
        // A generic class's methods reached from another module run unspecialised, every SIMD
        // operation of every layer a witness-table call; calling them on the concrete type here
        // makes this module compile the whole pass for Float and for Double.
        if Scalar.self == Float.self {
            return retyped(concrete(Float.self).forwardPass(retyped(w), retyped(x), batch: batch, mode: mode))
        }
        if Scalar.self == Double.self {
            return retyped(concrete(Double.self).forwardPass(retyped(w), retyped(x), batch: batch, mode: mode))
        }
        return forwardPass(w, x, batch: batch, mode: mode)
    }

    /// Σ_b ℓ(f(w; x_b), y_b) and the number of correct arg-max predictions over a batch; with
    /// `gradient`, writes scale·Σ_b ∇_w ℓ_b into it (scale = 1/|B| gives ∇f_B).
    public func evaluate(_ w: UnsafePointer<Scalar>, _ x: UnsafePointer<Scalar>, _ targets: Targets<Scalar>, batch: Int,
                         mode: NetworkMode, scale: Scalar, gradient: UnsafeMutablePointer<Scalar>?) -> (sum: Double, correct: Int) {
        specialisedPass(w, x, targets, batch: batch, mode: mode, scale: scale, gradient: gradient, rows: nil)
    }

    /// `evaluate` on the batch of rows `rows` of the data set at `data` (rows of `inputSize`
    /// values): a dense first layer reads them where they are (`Sequential.takesGatheredInput`);
    /// otherwise they are copied into a buffer of the network's first. Either way the result
    /// is that of `evaluate` on the copied rows, bit for bit.
    public func evaluate(_ w: UnsafePointer<Scalar>, gathering rows: UnsafeBufferPointer<Int>, of data: UnsafePointer<Scalar>,
                         _ targets: Targets<Scalar>, mode: NetworkMode, scale: Scalar,
                         gradient: UnsafeMutablePointer<Scalar>?) -> (sum: Double, correct: Int) {
        let batch = rows.count
        guard batch > 0, let index = rows.baseAddress else {
            return evaluate(w, data, targets, batch: 0, mode: mode, scale: scale, gradient: gradient)
        }
        guard body.takesGatheredInput else {
            gathered.reserve(batch * inputSize)
            gatherRows(data, rowLength: inputSize, indices: rows, into: gathered.pointer)
            return evaluate(w, gathered.pointer, targets, batch: batch, mode: mode, scale: scale, gradient: gradient)
        }
        return specialisedPass(w, data, targets, batch: batch, mode: mode, scale: scale, gradient: gradient, rows: index)
    }

    /// `evaluatePass` on the concrete type (see `forward`).
    private func specialisedPass(_ w: UnsafePointer<Scalar>, _ x: UnsafePointer<Scalar>, _ targets: Targets<Scalar>, batch: Int,
                                 mode: NetworkMode, scale: Scalar, gradient: UnsafeMutablePointer<Scalar>?,
                                 rows: UnsafePointer<Int>?) -> (sum: Double, correct: Int) {
        if Scalar.self == Float.self {
            return concrete(Float.self).evaluatePass(retyped(w), retyped(x), retyped(targets), batch: batch, mode: mode,
                                                     scale: scale as! Float, gradient: gradient.map { retyped($0) }, rows: rows)
        }
        if Scalar.self == Double.self {
            return concrete(Double.self).evaluatePass(retyped(w), retyped(x), retyped(targets), batch: batch, mode: mode,
                                                      scale: scale as! Double, gradient: gradient.map { retyped($0) }, rows: rows)
        }
        return evaluatePass(w, x, targets, batch: batch, mode: mode, scale: scale, gradient: gradient, rows: rows)
    }

    /// This network as Network<T>, for T == Scalar.
    @inline(__always) private func concrete<T: KernelScalar>(_: T.Type) -> Network<T> { unsafeDowncast(self, to: Network<T>.self) }

    func forwardPass(_ w: UnsafePointer<Scalar>, _ x: UnsafePointer<Scalar>, batch: Int, mode: NetworkMode) -> UnsafePointer<Scalar> {
        body.forward(w, x, batch: batch, mode: mode)
    }

    func evaluatePass(_ w: UnsafePointer<Scalar>, _ x: UnsafePointer<Scalar>, _ targets: Targets<Scalar>, batch: Int,
                      mode: NetworkMode, scale: Scalar, gradient: UnsafeMutablePointer<Scalar>?,
                      rows: UnsafePointer<Int>?) -> (sum: Double, correct: Int) {
        let z = body.forward(w, x, batch: batch, mode: mode, rows: rows)
        let result = loss.evaluate(z, targets, batch: batch, outputs: outputSize, scale: scale,
                                   gradient: gradient == nil ? nil : body.outputGradient)
        if let gradient { body.backward(w, x, dx: nil, gradient, batch: batch, mode: mode, rows: rows) }
        return result
    }

    /// The layer view over this network's dense layers: inputs a_ℓ and output gradients
    /// ∂f_B/∂s_ℓ of the last back-propagated batch (rows are (1/|B|)·∂ℓ_b/∂s_ℓ,b).
    /// Convolutions are not in it: curvature methods that read it (K-FAC) precondition the
    /// dense layers only.
    public func layerView() -> LayerView<Scalar>? {
        let dense = body.denseLayers
        guard !dense.isEmpty else { return nil }
        let layers = dense.map { LayerView<Scalar>.Layer(weightBlock: $0.weightBlock, biasBlock: $0.biasBlock, inputs: $0.inputs, outputs: $0.outputs) }
        return LayerView(layers: layers) { k in
            let l = dense[k]
            let batch = l.lastBatch
            guard let a = l.lastInputs(), let g = l.lastOutputGradient else {
                return (UnsafeBufferPointer(start: nil, count: 0), UnsafeBufferPointer(start: nil, count: 0), 0)
            }
            return (UnsafeBufferPointer(start: a, count: batch * l.inputs), UnsafeBufferPointer(start: g, count: batch * l.outputs), batch)
        }
    }

    /// The outputs of each weight layer in the last forward pass, in `weights` order.
    var weightLayerOutputs: [(pointer: UnsafePointer<Scalar>, size: Int)] { body.weightLayerOutputs }
}

/// The same memory viewed with the element type the caller checked it holds.
@inline(__always) private func retyped<T, U>(_ p: UnsafePointer<T>) -> UnsafePointer<U> { UnsafeRawPointer(p).assumingMemoryBound(to: U.self) }
@inline(__always) private func retyped<T, U>(_ p: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<U> {
    UnsafeMutableRawPointer(p).assumingMemoryBound(to: U.self)
}
@inline(__always) private func retyped<T, U>(_ t: Targets<T>) -> Targets<U> {
    switch t {
    case .labels(let y): .labels(y)
    case .values(let y): .values(retyped(y))
    }
}
