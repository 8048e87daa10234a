/// Hyper-parameter overrides for some blocks of the parameter layout, as one of torch's
/// `param_groups`: `bias:weight_decay=0` gives every block of role `bias` weight decay 0, the
/// other blocks keep the optimizer's own values. The selector is a role (`weight`, `bias`,
/// `norm-scale`, `norm-shift`, `parameters`) or a block name.
public struct ParameterGroup: Sendable, Equatable, CustomStringConvertible {
    public var selector: String
    /// `key=value` words, validated against the optimizer's hyper-parameters.
    public var assignments: [String]

    public init(selector: String, assignments: [String]) {
        self.selector = selector
        self.assignments = assignments
    }

    /// Parses `SELECTOR:KEY=VALUE`; several words with one selector are merged by `merged(_:)`.
    public init(parsing word: String) throws(ConfigurationError) {
        guard let colon = word.firstIndex(of: ":"), colon != word.startIndex,
              word[word.index(after: colon)...].contains("=")
        else {
            throw ConfigurationError("parameter group '\(word)' is not of the form SELECTOR:KEY=VALUE (e.g. bias:weight_decay=0)")
        }
        selector = String(word[..<colon])
        assignments = [String(word[word.index(after: colon)...])]
    }

    /// Groups with the same selector joined, in first-appearance order.
    public static func merged(_ groups: [ParameterGroup]) -> [ParameterGroup] {
        var out: [ParameterGroup] = []
        for g in groups {
            if let k = out.firstIndex(where: { $0.selector == g.selector }) { out[k].assignments += g.assignments } else { out.append(g) }
        }
        return out
    }

    public var description: String { assignments.map { "\(selector):\($0)" }.joined(separator: " ") }

    /// For each block of `layout`, the index of the group that names it, or nil; an error when
    /// a selector names no block or two groups name the same block.
    public static func assignment(of groups: [ParameterGroup], to layout: ParameterLayout) throws(ConfigurationError) -> [Int?] {
        var owner = [Int?](repeating: nil, count: layout.blocks.count)
        for (k, g) in groups.enumerated() {
            let blocks = layout.blocks(matching: g.selector)
            guard !blocks.isEmpty else {
                let roles = Set(layout.blocks.map(\.role.rawValue)).sorted().joined(separator: ", ")
                let names = layout.blocks.map(\.name).joined(separator: ", ")
                throw ConfigurationError("parameter group '\(g.selector)' names no block; expected a role (\(roles)) or a block name (\(names))")
            }
            for b in blocks {
                if let other = owner[b] {
                    throw ConfigurationError("block '\(layout.blocks[b].name)' is named by two parameter groups ('\(groups[other].selector)' and '\(g.selector)'); expected each block in at most one group")
                }
                owner[b] = k
            }
        }
        return owner
    }
}
