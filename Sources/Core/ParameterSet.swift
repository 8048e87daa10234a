/// A value whose stored properties are its declared hyper-parameters (`@HyperParameter`) or
/// settings (`@Setting`), and nested parameter sets (a schedule's settings inside an
/// optimizer's), each written once.
///
/// As swift-argument-parser reads its options: the declarations are read off a default value
/// (`Self()`, by reflection), and a configured value is decoded from validated `Parameters` —
/// names resolved and types checked once, at the edge — so the code that uses it reads typed
/// properties, and a misspelt name does not compile. Conformance needs `init()` (every value at
/// its default) and `Decodable`, which Swift synthesises; a stored property that is not a
/// declared parameter or a nested set must be left out of `CodingKeys`.
public protocol ParameterSet: Decodable, Sendable {
    /// Every value at its default.
    init()
    /// Checks between values that one range cannot express (torch's `nesterov` needs momentum);
    /// `owner` names the optimizer or problem in the message.
    func validate(owner: String) throws(ConfigurationError)
}

extension ParameterSet {
    public func validate(owner: String) throws(ConfigurationError) {}

    /// The declarations of this value's parameters, nested sets flattened, in the order they
    /// are stored; each default is this value's.
    public var declarations: [ParameterDeclaration] { declaredParameters(of: self).map(\.parameter.declaration) }

    /// The parameters that were given rather than defaulted, with their values, in declaration order.
    public var explicitlySet: [(name: String, value: ParameterValue)] {
        declaredParameters(of: self).filter(\.parameter.isSet).map { ($0.parameter.declaration.name, $0.parameter.declaration.defaultValue) }
    }

    /// `defaults` with the values of `parameters` (validated against `defaults.declarations`),
    /// then checked by `validate(owner:)`.
    public init(_ parameters: Parameters, defaults: Self = Self()) throws(ConfigurationError) {
        let decoder = ParameterDecoder(values: parameters, template: defaults, codingPath: [])
        do {
            self = try Self(from: decoder)
        } catch let error as ConfigurationError {
            throw error
        } catch {
            throw ConfigurationError("\(parameters.owner): \(error)")
        }
        try validate(owner: parameters.owner)
    }
}

/// Every declared parameter of `value` with its property's coding key, nested sets flattened.
func declaredParameters(of value: Any) -> [(key: String, parameter: any DeclaredParameter)] {
    var out: [(String, any DeclaredParameter)] = []
    for child in Mirror(reflecting: value).children {
        guard let label = child.label else { continue }
        if let p = child.value as? any DeclaredParameter {
            // A wrapped property `lr` is stored as `_lr`; its coding key is `lr`.
            out.append((label.hasPrefix("_") ? String(label.dropFirst()) : label, p))
        } else if child.value is any ParameterSet {
            out += declaredParameters(of: child.value)
        }
    }
    return out
}

/// Decodes a `ParameterSet` from validated `Parameters`: each declared parameter takes its
/// value by name, a nested set is decoded from the same values against its own template.
struct ParameterDecoder: Decoder {
    let values: Parameters
    /// The default value of the set being decoded: its declarations, and its nested sets' defaults.
    let template: Any
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        var declared: [String: any DeclaredParameter] = [:]
        var nested: [String: Any] = [:]
        for child in Mirror(reflecting: template).children {
            guard let label = child.label else { continue }
            if let p = child.value as? any DeclaredParameter {
                declared[label.hasPrefix("_") ? String(label.dropFirst()) : label] = p
            } else if child.value is any ParameterSet {
                nested[label] = child.value
            }
        }
        return KeyedDecodingContainer(Container<Key>(decoder: self, declared: declared, nested: nested))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer { throw unsupported() }
    func singleValueContainer() throws -> any SingleValueDecodingContainer { throw unsupported() }

    func unsupported() -> DecodingError {
        .typeMismatch(Any.self, .init(codingPath: codingPath, debugDescription: "a parameter set holds declared parameters and nested sets only"))
    }

    struct Container<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let decoder: ParameterDecoder
        let declared: [String: any DeclaredParameter]
        let nested: [String: Any]
        var codingPath: [any CodingKey] { decoder.codingPath }
        var allKeys: [Key] { (Array(declared.keys) + Array(nested.keys)).compactMap { Key(stringValue: $0) } }
        func contains(_ key: Key) -> Bool { declared[key.stringValue] != nil || nested[key.stringValue] != nil }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            if let template = declared[key.stringValue], let kind = T.self as? any DeclaredParameter.Type {
                let name = template.declaration.name
                let value = decoder.values.value(of: name) ?? template.declaration.defaultValue
                guard let decoded = kind.decoded(template: template, value: value, isSet: decoder.values.isSet(name)),
                      let typed = decoded as? T
                else {
                    throw ConfigurationError("\(decoder.values.owner): \(name)=\(value) is not valid; expected \(template.declaration.kind.description)")
                }
                return typed
            }
            if let template = nested[key.stringValue] {
                return try T(from: ParameterDecoder(values: decoder.values, template: template, codingPath: codingPath + [key]))
            }
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "'\(key.stringValue)' is not a declared parameter"))
        }

        func decodeNil(forKey key: Key) throws -> Bool { false }
        func nestedContainer<N: CodingKey>(keyedBy type: N.Type, forKey key: Key) throws -> KeyedDecodingContainer<N> {
            throw decoder.unsupported()
        }
        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { throw decoder.unsupported() }
        func superDecoder() throws -> any Decoder { throw decoder.unsupported() }
        func superDecoder(forKey key: Key) throws -> any Decoder { throw decoder.unsupported() }
    }
}
