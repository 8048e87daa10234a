/// How the flat parameter buffer w ∈ ℝᵈ is cut into named tensors, as a pytree or torch's
/// `named_parameters()` describe a model: each block has a name, a shape, a role and the
/// contiguous range of w it occupies. Classical problems have one block; networks one per tensor.
public struct ParameterLayout: Sendable, Equatable {
    /// What a block is for; parameter groups select blocks by role or by name.
    public enum Role: String, Sendable, CaseIterable, Equatable {
        case weight, bias
        /// A normalisation layer's scale γ (BatchNorm, LayerNorm) or a weight-norm gain g.
        case normScale = "norm-scale"
        /// A normalisation layer's shift β.
        case normShift = "norm-shift"
        /// Anything else (a classical problem's whole vector).
        case parameters
    }

    public struct Block: Sendable, Equatable {
        public let name: String
        public let shape: [Int]
        public let role: Role
        /// The block's entries are w[offset ..< offset + count].
        public let offset: Int
        public var count: Int { shape.reduce(1, *) }
        public var range: Range<Int> { offset..<(offset + count) }
    }

    public let blocks: [Block]
    /// d = Σ block sizes.
    public var dimension: Int { blocks.last.map { $0.offset + $0.count } ?? 0 }

    /// Blocks laid out one after the other in the given order.
    public init(_ blocks: [(name: String, shape: [Int], role: Role)]) {
        var offset = 0
        var laid: [Block] = []
        for b in blocks {
            laid.append(Block(name: b.name, shape: b.shape, role: b.role, offset: offset))
            offset += b.shape.reduce(1, *)
        }
        self.blocks = laid
    }

    /// One block `w` of `dimension` entries, role `parameters`.
    public static func single(_ dimension: Int, name: String = "w") -> ParameterLayout {
        ParameterLayout([(name, [dimension], .parameters)])
    }

    /// The blocks a selector names: a role (`bias`) or a block name (`layer1.weight`).
    public func blocks(matching selector: String) -> [Int] {
        if let role = Role(rawValue: selector) { return blocks.indices.filter { blocks[$0].role == role } }
        return blocks.indices.filter { blocks[$0].name == selector }
    }
}
