/// A Swift type a declared hyper-parameter or setting can hold, and how it is written.
public protocol ParameterType: Sendable, Equatable {
    /// How values are written and checked (`real`, `integer`, a list of words, …).
    static var parameterKind: ParameterKind { get }
    /// The value `value` holds, or nil when it is of another kind.
    init?(_ value: ParameterValue)
    var parameterValue: ParameterValue { get }
}

extension Double: ParameterType {
    public static var parameterKind: ParameterKind { .real }
    public init?(_ value: ParameterValue) {
        switch value {
        case .real(let v): self = v
        case .integer(let v): self = Double(v)
        default: return nil
        }
    }
    public var parameterValue: ParameterValue { .real(self) }
}

extension Int: ParameterType {
    public static var parameterKind: ParameterKind { .integer }
    public init?(_ value: ParameterValue) {
        guard case .integer(let v) = value else { return nil }
        self = v
    }
    public var parameterValue: ParameterValue { .integer(self) }
}

extension Bool: ParameterType {
    public static var parameterKind: ParameterKind { .boolean }
    public init?(_ value: ParameterValue) {
        guard case .boolean(let v) = value else { return nil }
        self = v
    }
    public var parameterValue: ParameterValue { .boolean(self) }
}

extension String: ParameterType {
    public static var parameterKind: ParameterKind { .text }
    public init?(_ value: ParameterValue) {
        guard case .text(let v) = value else { return nil }
        self = v
    }
    public var parameterValue: ParameterValue { .text(self) }
}

extension Array: ParameterType where Element == Double {
    public static var parameterKind: ParameterKind { .vector }
    public init?(_ value: ParameterValue) {
        guard case .vector(let v) = value else { return nil }
        self = v
    }
    public var parameterValue: ParameterValue { .vector(self) }
}

/// A real or `none` (Python's None), as torch's `max_grad_norm=None`: nil is written `none`.
extension Optional: ParameterType where Wrapped == Double {
    public static var parameterKind: ParameterKind { .optionalReal }
    public init?(_ value: ParameterValue) {
        switch value {
        case .real(let v): self = .some(v)
        case .integer(let v): self = .some(Double(v))
        case .text("none"): self = .none
        default: return nil
        }
    }
    public var parameterValue: ParameterValue { map { .real($0) } ?? .text("none") }
}

/// Two reals written `a,b`, as torch's `betas=(0.9, 0.999)`.
public struct RealPair: ParameterType, CustomStringConvertible {
    public var first: Double
    public var second: Double
    public init(_ first: Double, _ second: Double) {
        self.first = first
        self.second = second
    }
    public static var parameterKind: ParameterKind { .pair }
    public init?(_ value: ParameterValue) {
        guard case .pair(let a, let b) = value else { return nil }
        self.init(a, b)
    }
    public var parameterValue: ParameterValue { .pair(first, second) }
    public var description: String { parameterValue.description }
}

/// A hyper-parameter that takes one of a fixed list of words: an enum whose raw values are the
/// words (`schedule=inverse-power`).
public protocol ParameterChoice: ParameterType, RawRepresentable, CaseIterable where RawValue == String {}

extension ParameterChoice {
    public static var parameterKind: ParameterKind { .choice(allCases.map(\.rawValue)) }
    public init?(_ value: ParameterValue) {
        guard case .text(let word) = value, let v = Self(rawValue: word) else { return nil }
        self = v
    }
    public var parameterValue: ParameterValue { .text(rawValue) }
}

/// One hyper-parameter of an optimizer, or setting of a problem, declared once where it is
/// stored: its name as users write it, its type and default (the property's), its valid range
/// and a one-line meaning.
///
///     @HyperParameter("lr", range: 0...1e12, "learning rate η₀") public var lr = 1e-2
///
/// The rule reads the typed property; `optbench list`, `--hp` parsing, suite files, range checks
/// and error messages all come from the declaration (`ParameterSet.declarations`).
@propertyWrapper
public struct HyperParameter<Value: ParameterType>: Sendable {
    public var wrappedValue: Value
    public let name: String
    /// Closed interval every real or integer component must lie in, when bounded.
    public let range: ClosedRange<Double>?
    public let summary: String
    /// Whether the value was given (`--hp`, `--set`, a suite file, a group) rather than defaulted.
    public internal(set) var isSet = false

    public init(wrappedValue: Value, _ name: String, range: ClosedRange<Double>? = nil, _ summary: String) {
        self.wrappedValue = wrappedValue
        self.name = name
        self.range = range
        self.summary = summary
    }

    /// `$lr`: the declaration, and whether the value was set.
    public var projectedValue: HyperParameter<Value> { self }

    /// The declaration, with the current value as the default.
    public var declaration: ParameterDeclaration {
        ParameterDeclaration(name, Value.parameterKind, default: wrappedValue.parameterValue, range: range, summary)
    }
}

/// A problem's setting (`--set`): the same declaration as a hyper-parameter.
public typealias Setting<Value: ParameterType> = HyperParameter<Value>

/// What the parameter decoder needs of a `HyperParameter` without knowing its value type.
protocol DeclaredParameter: Sendable {
    var declaration: ParameterDeclaration { get }
    var isSet: Bool { get }
    /// A copy of `template` (a `Self`) holding `value`; nil when the value is of another kind.
    static func decoded(template: any DeclaredParameter, value: ParameterValue, isSet: Bool) -> Self?
}

extension HyperParameter: DeclaredParameter {
    static func decoded(template: any DeclaredParameter, value: ParameterValue, isSet: Bool) -> Self? {
        guard var copy = template as? Self, let v = Value(value) else { return nil }
        copy.wrappedValue = v
        copy.isSet = isSet
        return copy
    }
}

extension HyperParameter: Decodable {
    /// Only `ParameterSet`'s decoder builds declared parameters; any other decoder is refused.
    public init(from decoder: any Decoder) throws {
        throw DecodingError.typeMismatch(
            Self.self, DecodingError.Context(codingPath: decoder.codingPath, debugDescription: "a HyperParameter is decoded by ParameterSet(_:) only"))
    }
}
