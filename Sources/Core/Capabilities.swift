/// What an objective offers beyond F, ∇F and sample gradients (which every objective has),
/// read off its views.
public struct Capabilities: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// fᵢ(w) = φᵢ(xᵢᵀw) + (λ/2)‖w‖²: a `LinearModelView`.
    public static let linearModel = Capabilities(rawValue: 1)
    /// ∂F/∂w_j at 1/d of a gradient: a `CoordinateView`.
    public static let coordinates = Capabilities(rawValue: 2)
    /// The L_j of every coordinate, in the coordinate view.
    public static let coordinateLipschitz = Capabilities(rawValue: 4)
    /// Per-layer inputs and output gradients: a `LayerView`.
    public static let layers = Capabilities(rawValue: 8)

    public init<O: Objective>(_ objective: O) {
        var c: Capabilities = []
        if objective.linearModel() != nil { c.insert(.linearModel) }
        if let view = objective.coordinates() {
            c.insert(.coordinates)
            if view.lipschitzConstants != nil { c.insert(.coordinateLipschitz) }
        }
        if objective.layers() != nil { c.insert(.layers) }
        self = c
    }

    /// What each capability is called in messages.
    public var names: [String] {
        var n: [String] = []
        if contains(.linearModel) { n.append("a linear-model structure (φᵢ′, xᵢ, λ)") }
        if contains(.coordinates) { n.append("coordinate partial derivatives") }
        if contains(.coordinateLipschitz) { n.append("per-coordinate Lipschitz constants L_j") }
        if contains(.layers) { n.append("a layer structure (per-layer inputs and output gradients)") }
        return n
    }
}

/// What a configured optimizer needs of a problem, checked before a run: an incompatible pair
/// is refused (`optbench run`, exit 2) or becomes a `skipped` cell (grids), with the reason.
public struct Requirements: Sendable, Equatable {
    /// Capabilities the rule cannot run without.
    public var capabilities: Capabilities
    /// Whether the rule accepts parameter-group overrides (element-wise rules do).
    public var parameterGroups: Bool

    public init(_ capabilities: Capabilities = [], parameterGroups: Bool = false) {
        self.capabilities = capabilities
        self.parameterGroups = parameterGroups
    }

    /// Why `optimizer` cannot run on `problem` with `offered`, or nil when it can.
    public func incompatibility(optimizer: String, problem: String, offered: Capabilities) -> String? {
        let missing = capabilities.subtracting(offered)
        guard !missing.isEmpty else { return nil }
        return "\(optimizer) needs \(missing.names.joined(separator: " and ")), which \(problem) does not offer"
    }
}
