import OptBenchCore
import OptBenchKernels

/// How a forward pass treats normalisation statistics: `training` normalises by the mini-batch's
/// statistics and moves BatchNorm's running averages; `probing` normalises by the batch's
/// statistics and leaves the averages alone (evaluating the training loss F); `evaluation`
/// normalises by the running averages (accuracy on held-out data).
public enum NetworkMode: Sendable, Equatable {
    case training, probing, evaluation
    /// Whether normalisation uses the batch's own statistics.
    public var usesBatchStatistics: Bool { self != .evaluation }
}

/// One layer of a network on mini-batches of B samples stored sample-major: x is B × `inputSize`,
/// y is B × `outputSize`. Its parameters are a contiguous part of the flat w starting at the
/// offset it was laid out at; the backward pass writes ∂f/∂w for that part (every parameter is
/// used once per pass, so gradients are written, not accumulated) and, when asked, ∂f/∂x.
///
/// Layers are final classes driven through `Node`, an enum, never through this protocol as an
/// existential: each layer's hot loops then compile for the concrete `Scalar`.
protocol Layer<Scalar>: AnyObject {
    associatedtype Scalar: KernelScalar
    var inputShape: [Int] { get }
    var outputShape: [Int] { get }
    /// Grows per-batch scratch to hold `batch` samples (allocation happens here only).
    func reserve(batch: Int)
    func forward(_ w: UnsafePointer<Scalar>, _ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, batch: Int, mode: NetworkMode)
    /// Given x, y = layer(x) and dy = ∂f/∂y: ∂f/∂w into `dw` (the whole gradient buffer; the layer
    /// writes its own part) and ∂f/∂x into `dx` when not nil.
    func backward(_ w: UnsafePointer<Scalar>, _ x: UnsafePointer<Scalar>, _ y: UnsafePointer<Scalar>, _ dy: UnsafePointer<Scalar>,
                  _ dx: UnsafeMutablePointer<Scalar>?, _ dw: UnsafeMutablePointer<Scalar>, batch: Int, mode: NetworkMode)
}

extension Layer {
    var inputSize: Int { inputShape.reduce(1, *) }
    var outputSize: Int { outputShape.reduce(1, *) }
}

/// A growable scratch array owned by a layer or network run: reallocated only when a larger
/// batch than any before arrives, never per step.
final class Scratch<Scalar: KernelScalar> {
    private(set) var pointer: UnsafeMutablePointer<Scalar>
    private(set) var capacity: Int

    init(_ count: Int = 0) {
        capacity = max(count, 1)
        pointer = Self.allocate(capacity)
        pointer.initialize(repeating: 0, count: capacity)
    }

    /// Ensures room for `count` values (contents are not kept when it grows).
    func reserve(_ count: Int) {
        guard count > capacity else { return }
        pointer.deallocate()
        capacity = count
        pointer = Self.allocate(count)
        pointer.initialize(repeating: 0, count: count)
    }

    /// Cache-line aligned, so that threads writing disjoint column blocks of a row-major
    /// matrix whose rows are whole lines never share a line.
    private static func allocate(_ count: Int) -> UnsafeMutablePointer<Scalar> {
        UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Scalar>.stride, alignment: 64)
            .bindMemory(to: Scalar.self, capacity: count)
    }

    deinit { pointer.deallocate() }
}

/// Collects the parameter blocks of a network as its layers are built, in order.
final class LayoutBuilder {
    private(set) var blocks: [(name: String, shape: [Int], role: ParameterLayout.Role)] = []
    private(set) var offset = 0
    /// Weight tensors with their fans, for initialisers.
    var weights: [WeightTensor] = []
    private var counters: [String: Int] = [:]

    /// `fc1`, `fc2`, … — the next name of a kind within `prefix`.
    func name(_ kind: String, prefix: String) -> String {
        let key = prefix + kind
        counters[key, default: 0] += 1
        return "\(prefix)\(kind)\(counters[key]!)"
    }

    /// Lays out a block and returns its offset in w.
    func add(_ name: String, _ shape: [Int], _ role: ParameterLayout.Role) -> Int {
        let at = offset
        blocks.append((name, shape, role))
        offset += shape.reduce(1, *)
        return at
    }

    func addWeight(_ tensor: WeightTensor) { weights.append(tensor) }
    var blockCount: Int { blocks.count }
}

/// A weight tensor as initialisers see it: `rows` output units of `fanIn` inputs each (a dense
/// layer's W is rows × fanIn; a convolution's C_out × C_in·k·k), its fan-out, where it lives in
/// w, and its place in a residual branch (for Fixup).
public struct WeightTensor: Sendable, Equatable {
    public let name: String
    public let offset: Int
    public let rows: Int
    public let fanIn: Int
    public let fanOut: Int
    /// The weight-norm gain g (one per row) laid out after V, when the layer is weight-normalised.
    public let gainOffset: Int?
    /// The bias, if any.
    public let biasOffset: Int?
    /// Depth-first index of the residual branch holding it, and its position in that branch.
    public var branch: Int?
    public var positionInBranch = 0
    public var branchLength = 0
    public var count: Int { rows * fanIn }
}

extension LayoutBuilder {
    /// Marks the weights laid out since `first` as residual branch `index`, numbered in order.
    func markBranch(from first: Int, index: Int) {
        let length = weights.count - first
        for (position, k) in (first..<weights.count).enumerated() {
            weights[k].branch = index
            weights[k].positionInBranch = position
            weights[k].branchLength = length
        }
    }
}
