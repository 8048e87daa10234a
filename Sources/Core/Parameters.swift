/// The type of a configurable value: an optimizer hyper-parameter or a problem setting.
public enum ParameterKind: Sendable, Equatable {
    case real
    case integer
    case boolean
    /// Two reals written `a,b`, as torch's `betas=(0.9, 0.999)`.
    case pair
    /// One of a fixed list of words.
    case choice([String])
    /// Free text, e.g. a file path.
    case text
    /// A comma-separated list of reals, e.g. an initial point.
    case vector
    /// A real or the word `none` (Python's None: the feature is off, or a derived default),
    /// held as `.real(v)` or `.text("none")`.
    case optionalReal
    /// An integer or the word `auto` (a value derived where it is used, e.g. the problem's
    /// mini-batch), held as `.integer(n)` or `.text("auto")`.
    case integerOrAuto

    public var description: String {
        switch self {
        case .real: "real"
        case .integer: "integer"
        case .boolean: "bool"
        case .pair: "pair a,b"
        case .choice(let words): words.joined(separator: "|")
        case .text: "text"
        case .vector: "list v1,v2,…"
        case .optionalReal: "real|none"
        case .integerOrAuto: "integer|auto"
        }
    }
}

/// A configured value.
public enum ParameterValue: Sendable, Equatable, CustomStringConvertible {
    case real(Double)
    case integer(Int)
    case boolean(Bool)
    case pair(Double, Double)
    case text(String)
    case vector([Double])

    public var description: String {
        switch self {
        case .real(let v): formatShort(v)
        case .integer(let v): String(v)
        case .boolean(let v): String(v)
        case .pair(let a, let b): "\(formatShort(a)),\(formatShort(b))"
        case .text(let s): s
        case .vector(let v): v.map(formatShort).joined(separator: ",")
        }
    }
}

/// Shortest round-tripping decimal form of a real (`0.001`, `1e-08`).
public func formatShort(_ v: Double) -> String {
    if v == v.rounded(), abs(v) < 1e15 { return String(Int(v)) }
    return "\(v)"
}

/// One declared hyper-parameter or setting: name, type, default, valid range, meaning.
public struct ParameterDeclaration: Sendable {
    public let name: String
    public let kind: ParameterKind
    public let defaultValue: ParameterValue
    /// Closed interval every real or integer component must lie in, when bounded.
    public let range: ClosedRange<Double>?
    public let summary: String

    public init(
        _ name: String, _ kind: ParameterKind, default defaultValue: ParameterValue,
        range: ClosedRange<Double>? = nil, _ summary: String
    ) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        self.range = range
        self.summary = summary
    }

    public static func real(_ name: String, _ value: Double, range: ClosedRange<Double>? = nil, _ summary: String) -> Self {
        .init(name, .real, default: .real(value), range: range, summary)
    }
    public static func integer(_ name: String, _ value: Int, range: ClosedRange<Double>? = nil, _ summary: String) -> Self {
        .init(name, .integer, default: .integer(value), range: range, summary)
    }
    public static func boolean(_ name: String, _ value: Bool, _ summary: String) -> Self {
        .init(name, .boolean, default: .boolean(value), summary)
    }
    public static func pair(_ name: String, _ a: Double, _ b: Double, range: ClosedRange<Double>? = nil, _ summary: String) -> Self {
        .init(name, .pair, default: .pair(a, b), range: range, summary)
    }
    /// One of the cases of `E`, written by their raw values; read back with `Parameters.choice(_:)`.
    public static func choice<E: RawRepresentable & CaseIterable>(_ name: String, default value: E, _ summary: String) -> Self
    where E.RawValue == String {
        .init(name, .choice(E.allCases.map(\.rawValue)), default: .text(value.rawValue), summary)
    }
    public static func text(_ name: String, _ value: String, _ summary: String) -> Self {
        .init(name, .text, default: .text(value), summary)
    }
    public static func vector(_ name: String, _ value: [Double], _ summary: String) -> Self {
        .init(name, .vector, default: .vector(value), summary)
    }

    /// `name (type, default d, in [lo, hi]): summary`, as `optbench list` prints it.
    public var usage: String {
        var s = "\(name) (\(kind.description), default \(defaultValue)"
        if let r = range { s += ", in [\(formatShort(r.lowerBound)), \(formatShort(r.upperBound))]" }
        return s + "): \(summary)"
    }

    /// Parses `text` as a value of this parameter's kind and checks its range.
    public func parse(_ text: String, owner: String) throws(ConfigurationError) -> ParameterValue {
        let t = text.trimmingWhitespace()
        func bad(_ expected: String) -> ConfigurationError {
            ConfigurationError("\(owner): \(name)=\(text) is not valid; expected \(expected)")
        }
        func real(_ s: Substring) throws(ConfigurationError) -> Double {
            guard let v = Double(s.trimmingWhitespace()), v.isFinite else { throw bad(kind.description) }
            return v
        }
        let value: ParameterValue
        switch kind {
        case .real: value = .real(try real(Substring(t)))
        case .optionalReal: value = t == "none" ? .text("none") : .real(try real(Substring(t)))
        case .integer:
            guard let v = Int(t) else { throw bad("an integer") }
            value = .integer(v)
        case .integerOrAuto:
            if t == "auto" {
                value = .text("auto")
            } else {
                guard let v = Int(t) else { throw bad("an integer or auto") }
                value = .integer(v)
            }
        case .boolean:
            switch t.lowercased() {
            case "true", "1", "yes": value = .boolean(true)
            case "false", "0", "no": value = .boolean(false)
            default: throw bad("true or false")
            }
        case .pair:
            let parts = t.split(separator: ",", omittingEmptySubsequences: false)
            guard parts.count == 2 else { throw bad("two reals a,b") }
            value = .pair(try real(parts[0]), try real(parts[1]))
        case .choice(let words):
            guard words.contains(t) else { throw bad("one of \(words.joined(separator: ", "))") }
            value = .text(t)
        case .text:
            guard !t.isEmpty else { throw bad("a non-empty text") }
            value = .text(t)
        case .vector:
            var v: [Double] = []
            for part in t.split(separator: ",", omittingEmptySubsequences: false) { v.append(try real(part)) }
            value = .vector(v)
        }
        try check(value, owner: owner, text: text)
        return value
    }

    func check(_ value: ParameterValue, owner: String, text: String) throws(ConfigurationError) {
        if case .choice(let words) = kind {
            guard case .text(let word) = value, words.contains(word) else {
                throw ConfigurationError("\(owner): \(name)=\(text) is not valid; expected one of \(words.joined(separator: ", "))")
            }
        }
        guard let r = range else { return }
        let components: [Double]
        switch value {
        case .real(let v): components = [v]
        case .integer(let v): components = [Double(v)]
        case .pair(let a, let b): components = [a, b]
        case .vector(let v): components = v
        default: components = []
        }
        for c in components where !r.contains(c) {
            throw ConfigurationError(
                "\(owner): \(name)=\(text) is out of range; expected a value in [\(formatShort(r.lowerBound)), \(formatShort(r.upperBound))]")
        }
    }
}

/// A validated assignment of values to a list of declared parameters; undeclared names and
/// ill-typed values are rejected when it is built, so reading a value never fails.
public struct Parameters: Sendable, CustomStringConvertible {
    public let owner: String
    public let declarations: [ParameterDeclaration]
    private var values: [String: ParameterValue]
    private var explicitlySet: Set<String> = []

    /// Every declared parameter at its default.
    public init(owner: String, declarations: [ParameterDeclaration]) {
        self.owner = owner
        self.declarations = declarations
        values = [:]
        for spec in declarations { values[spec.name] = spec.defaultValue }
    }

    /// Defaults for every spec, overridden by `assignments` (name → text as typed by a user).
    public init(owner: String, declarations: [ParameterDeclaration], assignments: [(String, String)]) throws(ConfigurationError) {
        self.init(owner: owner, declarations: declarations)
        var seen: Set<String> = []
        for (name, text) in assignments {
            guard seen.insert(name).inserted else {
                throw ConfigurationError("\(owner): '\(name)' is given more than once; expected each parameter at most once")
            }
            guard let spec = declarations.first(where: { $0.name == name }) else {
                let valid = declarations.isEmpty ? "none" : declarations.map(\.name).joined(separator: ", ")
                throw ConfigurationError("\(owner): unknown parameter '\(name)'; valid parameters: \(valid)")
            }
            values[name] = try spec.parse(text, owner: owner)
            explicitlySet.insert(name)
        }
    }

    /// Parses `key=value` words, split at the first `=`. Whitespace around the key and around
    /// the value is not part of them (`'p = 3'` is `p=3`, as a shell-quoted or suite-file word
    /// may be written); an empty key or value is refused.
    public init(owner: String, declarations: [ParameterDeclaration], keyValues: [String]) throws(ConfigurationError) {
        var pairs: [(String, String)] = []
        for word in keyValues {
            guard let eq = word.firstIndex(of: "="), !word[..<eq].trimmingWhitespace().isEmpty else {
                throw ConfigurationError("\(owner): '\(word)' is not of the form key=value")
            }
            pairs.append((word[..<eq].trimmingWhitespace(), String(word[word.index(after: eq)...])))
        }
        try self.init(owner: owner, declarations: declarations, assignments: pairs)
    }

    /// Returns a copy with `name` set; `name` must be declared.
    public func setting(_ name: String, _ value: ParameterValue) throws(ConfigurationError) -> Parameters {
        guard let spec = declarations.first(where: { $0.name == name }) else {
            throw ConfigurationError("\(owner): unknown parameter '\(name)'; valid parameters: \(declarations.map(\.name).joined(separator: ", "))")
        }
        try spec.check(value, owner: owner, text: value.description)
        var copy = self
        copy.values[name] = value
        copy.explicitlySet.insert(name)
        return copy
    }

    /// The value of `name`, nil when it is not declared.
    public func value(of name: String) -> ParameterValue? { values[name] }

    /// Whether the user set `name` (it differs from, or was typed over, the default).
    public func isSet(_ name: String) -> Bool { explicitlySet.contains(name) }

    /// Values that differ from their defaults, `k=v` joined by spaces (empty when all default).
    public var changed: String {
        declarations.compactMap { values[$0.name] != $0.defaultValue ? "\($0.name)=\(values[$0.name]!)" : nil }
            .joined(separator: " ")
    }

    public var description: String {
        declarations.map { "\($0.name)=\(values[$0.name]!)" }.joined(separator: " ")
    }
}

/// A user-facing configuration mistake: unknown name, ill-typed value, wrong shape, bad file.
/// The message names what was wrong and what was expected.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
