import OptBenchKernels

/// A layer of a `Sequential`, by concrete type: switching over it keeps every layer's code
/// specialised for `Scalar`, which an existential `any Layer` would not.
enum Node<Scalar: KernelScalar> {
    case dense(Dense<Scalar>)
    case conv2d(Conv2D<Scalar>)
    case globalAveragePool(GlobalAveragePool<Scalar>)
    case activation(ActivationLayer<Scalar>)
    case batchNorm(BatchNorm<Scalar>)
    case layerNorm(LayerNorm<Scalar>)
    case residual(Residual<Scalar>)

    var inputShape: [Int] {
        switch self {
        case .dense(let l): l.inputShape
        case .conv2d(let l): l.inputShape
        case .globalAveragePool(let l): l.inputShape
        case .activation(let l): l.inputShape
        case .batchNorm(let l): l.inputShape
        case .layerNorm(let l): l.inputShape
        case .residual(let l): l.inputShape
        }
    }

    var outputShape: [Int] {
        switch self {
        case .dense(let l): l.outputShape
        case .conv2d(let l): l.outputShape
        case .globalAveragePool(let l): l.outputShape
        case .activation(let l): l.outputShape
        case .batchNorm(let l): l.outputShape
        case .layerNorm(let l): l.outputShape
        case .residual(let l): l.outputShape
        }
    }

    func reserve(batch: Int) {
        switch self {
        case .dense(let l): l.reserve(batch: batch)
        case .conv2d(let l): l.reserve(batch: batch)
        case .globalAveragePool(let l): l.reserve(batch: batch)
        case .activation(let l): l.reserve(batch: batch)
        case .batchNorm(let l): l.reserve(batch: batch)
        case .layerNorm(let l): l.reserve(batch: batch)
        case .residual(let l): l.reserve(batch: batch)
        }
    }

    /// Values the layer's own buffers hold for batches of `batch` samples (its output and
    /// output gradient belong to the enclosing `Sequential`); fixed buffers count whatever the batch.
    func scratchValues(batch: Int) -> Int {
        switch self {
        case .dense(let l): l.scratchValues
        case .conv2d(let l): l.scratchValues(batch: batch)
        case .layerNorm(let l): batch * (l.features + 1)
        case .residual(let l): l.scratchValues(batch: batch)
        case .batchNorm(let l): 4 * l.inputShape[0]
        case .globalAveragePool, .activation: 0
        }
    }

    func forward(_ w: UnsafePointer<Scalar>, _ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, batch: Int, mode: NetworkMode) {
        switch self {
        case .dense(let l): l.forward(w, x, y, batch: batch, mode: mode)
        case .conv2d(let l): l.forward(w, x, y, batch: batch, mode: mode)
        case .globalAveragePool(let l): l.forward(w, x, y, batch: batch, mode: mode)
        case .activation(let l): l.forward(w, x, y, batch: batch, mode: mode)
        case .batchNorm(let l): l.forward(w, x, y, batch: batch, mode: mode)
        case .layerNorm(let l): l.forward(w, x, y, batch: batch, mode: mode)
        case .residual(let l): l.forward(w, x, y, batch: batch, mode: mode)
        }
    }

    func backward(_ w: UnsafePointer<Scalar>, _ x: UnsafePointer<Scalar>, _ y: UnsafePointer<Scalar>, _ dy: UnsafePointer<Scalar>,
                  _ dx: UnsafeMutablePointer<Scalar>?, _ dw: UnsafeMutablePointer<Scalar>, batch: Int, mode: NetworkMode) {
        switch self {
        case .dense(let l): l.backward(w, x, y, dy, dx, dw, batch: batch, mode: mode)
        case .conv2d(let l): l.backward(w, x, y, dy, dx, dw, batch: batch, mode: mode)
        case .globalAveragePool(let l): l.backward(w, x, y, dy, dx, dw, batch: batch, mode: mode)
        case .activation(let l): l.backward(w, x, y, dy, dx, dw, batch: batch, mode: mode)
        case .batchNorm(let l): l.backward(w, x, y, dy, dx, dw, batch: batch, mode: mode)
        case .layerNorm(let l): l.backward(w, x, y, dy, dx, dw, batch: batch, mode: mode)
        case .residual(let l): l.backward(w, x, y, dy, dx, dw, batch: batch, mode: mode)
        }
    }
}

/// Layers applied in order, x₀ = x, x_{k+1} = layer_k(x_k), with the activations of every
/// layer kept for the backward pass (one buffer per layer, sized for the largest batch seen).
/// A ReLU right after a BatchNorm runs inside it (`BatchNorm.fusedReLU`): the two nodes share
/// their output buffer, which holds ReLU(BN(x)), and their output-gradient buffer, and the
/// ReLU node itself is skipped in both passes. Any other ReLU keeps its buffers, but right
/// after a dense layer its forward pass is done by that layer, as the product writes S, and
/// right before one its backward pass is done by that layer, as the product writes ∂f/∂X.
final class Sequential<Scalar: KernelScalar> {
    let nodes: [Node<Scalar>]
    let inputShape: [Int]
    let outputShape: [Int]
    private var outputs: [Scratch<Scalar>]
    private var gradients: [Scratch<Scalar>]
    /// Nodes folded into the node before them.
    private let folded: [Bool]
    /// ReLU nodes whose forward pass the dense node before them does (`Dense.forward(relu:)`),
    /// and those whose backward pass the dense node after them does (`maskingByInput`).
    private let reluInDense: [Bool]
    private let reluInNextDense: [Bool]
    private var capacity = 0

    /// Builds `specs` on inputs of `shape`, laying out parameters named under `prefix`.
    init(_ specs: [LayerSpec], inputShape shape: [Int], prefix: String = "", layout: LayoutBuilder, branches: inout Int) {
        inputShape = shape
        var nodes: [Node<Scalar>] = []
        var current = shape
        for spec in specs {
            let node: Node<Scalar>
            switch spec {
            case .dense(let outputs, let bias, let weightNorm):
                let inputs = current.reduce(1, *)
                node = .dense(Dense(inputs: inputs, outputs: outputs, bias: bias, weightNorm: weightNorm,
                                    name: layout.name("fc", prefix: prefix), layout: layout))
            case .conv2d(let channels, let kernel, let stride, let padding, let bias):
                node = .conv2d(Conv2D(inputShape: current, channels: channels, kernel: kernel, stride: stride, padding: padding,
                                      bias: bias, name: layout.name("conv", prefix: prefix), layout: layout))
            case .globalAveragePool:
                node = .globalAveragePool(GlobalAveragePool(inputShape: current))
            case .activation(let f):
                node = .activation(ActivationLayer(f, shape: current))
            case .batchNorm:
                node = .batchNorm(BatchNorm(shape: current, name: layout.name("bn", prefix: prefix), layout: layout))
            case .layerNorm:
                node = .layerNorm(LayerNorm(shape: current, name: layout.name("ln", prefix: prefix), layout: layout))
            case .residual(let body, let shortcut, let activation):
                let name = layout.name("block", prefix: prefix)
                let first = layout.weights.count
                let b = Sequential(body, inputShape: current, prefix: "\(name).", layout: layout, branches: &branches)
                layout.markBranch(from: first, index: branches)
                branches += 1
                let s = shortcut.map { Sequential($0, inputShape: current, prefix: "\(name).shortcut.", layout: layout, branches: &branches) }
                node = .residual(Residual(body: b, shortcut: s, activation: activation))
            }
            current = node.outputShape
            nodes.append(node)
        }
        self.nodes = nodes
        outputShape = current
        outputs = nodes.map { _ in Scratch() }
        gradients = nodes.map { _ in Scratch() }
        var folded = [Bool](repeating: false, count: nodes.count)
        for k in nodes.indices.dropFirst() {
            guard case .batchNorm(let norm) = nodes[k - 1], case .activation(let f) = nodes[k], f.function == .relu,
                  !folded[k - 1] else { continue }
            norm.fusedReLU = true
            folded[k] = true
            outputs[k] = outputs[k - 1]
            gradients[k - 1] = gradients[k]
        }
        self.folded = folded
        var before = [Bool](repeating: false, count: nodes.count), after = before
        for k in nodes.indices where !folded[k] {
            guard case .activation(let f) = nodes[k], f.function == .relu else { continue }
            if k > 0, case .dense = nodes[k - 1] { before[k] = true }
            if k + 1 < nodes.count, case .dense = nodes[k + 1] { after[k] = true }
        }
        reluInDense = before
        reluInNextDense = after
    }

    /// Room for batches of `batch` samples in every buffer below.
    func reserve(batch: Int) {
        guard batch > capacity else { return }
        capacity = batch
        if nodes.isEmpty { emptyGradient.reserve(batch * inputShape.reduce(1, *)) }
        for (k, node) in nodes.enumerated() {
            outputs[k].reserve(batch * node.outputShape.reduce(1, *))
            gradients[k].reserve(batch * node.outputShape.reduce(1, *))
            node.reserve(batch: batch)
        }
    }

    /// Values every buffer below holds once `reserve(batch:)` has run for `batch` samples: each
    /// node's output and output gradient, and the nodes' own scratch (an upper count: a folded
    /// node shares its neighbour's buffers).
    func scratchValues(batch: Int) -> Int {
        var total = nodes.isEmpty ? batch * inputShape.reduce(1, *) : 0
        for node in nodes { total += 2 * batch * node.outputShape.reduce(1, *) + node.scratchValues(batch: batch) }
        return total
    }

    /// Whether the first layer reads a batch gathered from a data set where it is stored
    /// (`rows` in `forward` and `backward`): a dense layer does.
    var takesGatheredInput: Bool {
        if case .dense = nodes.first { return true }
        return false
    }

    /// The network's output for the batch x (valid until the next forward); with `rows`
    /// (when `takesGatheredInput`), row b of the batch is row rows[b] of the data set at x.
    func forward(_ w: UnsafePointer<Scalar>, _ x: UnsafePointer<Scalar>, batch: Int, mode: NetworkMode,
                 rows: UnsafePointer<Int>? = nil) -> UnsafePointer<Scalar> {
        precondition(rows == nil || takesGatheredInput, "Sequential: only a dense first layer reads a gathered batch")
        reserve(batch: batch)
        var input = x
        for (k, node) in nodes.enumerated() where !folded[k] && !reluInDense[k] {
            if k + 1 < nodes.count, reluInDense[k + 1], case .dense(let dense) = node {
                dense.forward(w, input, outputs[k].pointer, batch: batch, relu: outputs[k + 1].pointer, rows: k == 0 ? rows : nil)
                input = UnsafePointer(outputs[k + 1].pointer)
            } else if k == 0, let rows, case .dense(let dense) = node {
                dense.forward(w, input, outputs[k].pointer, batch: batch, relu: nil, rows: rows)
                input = UnsafePointer(outputs[k].pointer)
            } else {
                node.forward(w, input, outputs[k].pointer, batch: batch, mode: mode)
                input = UnsafePointer(outputs[k].pointer)
            }
        }
        return input
    }

    /// Where the caller writes ∂f/∂(output) before `backward`.
    var outputGradient: UnsafeMutablePointer<Scalar> { gradients.isEmpty ? emptyGradient.pointer : gradients[gradients.count - 1].pointer }
    /// An empty sequence is the identity; its output gradient is its input gradient.
    private let emptyGradient = Scratch<Scalar>()

    /// Back-propagates `outputGradient` through the pass just made on x (gathered by `rows`
    /// as in `forward`), writing ∂f/∂w and, when `dx` is given, ∂f/∂x.
    func backward(_ w: UnsafePointer<Scalar>, _ x: UnsafePointer<Scalar>, dx: UnsafeMutablePointer<Scalar>?,
                  _ dw: UnsafeMutablePointer<Scalar>, batch: Int, mode: NetworkMode, rows: UnsafePointer<Int>? = nil) {
        guard !nodes.isEmpty else {
            if let dx { dx.update(from: emptyGradient.pointer, count: batch * inputShape.reduce(1, *)) }
            return
        }
        for k in stride(from: nodes.count - 1, through: 0, by: -1) where !folded[k] && !reluInNextDense[k] {
            let input = k == 0 ? x : UnsafePointer(outputs[k - 1].pointer)
            if k > 0, reluInNextDense[k - 1], case .dense(let dense) = nodes[k] {
                // Straight to the ReLU's input gradient, masked by its output (this node's input).
                let inputGradient = k == 1 ? dx : gradients[k - 2].pointer
                dense.backward(w, input, UnsafePointer(gradients[k].pointer), inputGradient, dw, batch: batch, maskingByInput: true)
                continue
            }
            let inputGradient = k == 0 ? dx : gradients[k - 1].pointer
            if k == 0, let rows, case .dense(let dense) = nodes[0] {
                dense.backward(w, x, UnsafePointer(gradients[0].pointer), inputGradient, dw, batch: batch, maskingByInput: false, rows: rows)
                continue
            }
            nodes[k].backward(w, input, UnsafePointer(outputs[k].pointer), UnsafePointer(gradients[k].pointer), inputGradient, dw,
                              batch: batch, mode: mode)
        }
    }

    /// Every dense layer, depth first (the layer view's order; convolutions are not in the view).
    var denseLayers: [Dense<Scalar>] {
        nodes.flatMap { node -> [Dense<Scalar>] in
            switch node {
            case .dense(let l): [l]
            case .residual(let r): r.body.denseLayers + (r.shortcut?.denseLayers ?? [])
            default: []
            }
        }
    }

    /// The output of each weight layer (dense and convolutional) of the last forward pass,
    /// depth first, in `LayoutBuilder.weights` order: for data-dependent initialisation (LSUV).
    var weightLayerOutputs: [(pointer: UnsafePointer<Scalar>, size: Int)] {
        var result: [(UnsafePointer<Scalar>, Int)] = []
        for (k, node) in nodes.enumerated() {
            switch node {
            case .dense(let l): result.append((UnsafePointer(outputs[k].pointer), l.outputs))
            case .conv2d(let l): result.append((UnsafePointer(outputs[k].pointer), l.outputSize))
            case .residual(let r): result += r.body.weightLayerOutputs + (r.shortcut?.weightLayerOutputs ?? [])
            default: break
            }
        }
        return result
    }
}
