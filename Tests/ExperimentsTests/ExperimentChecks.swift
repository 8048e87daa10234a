import OptBenchHarness
import Testing

/// The member `key` of a JSON object, or nil.
func member(_ value: JSONValue, _ key: String) -> JSONValue? {
    guard case .object(let members) = value else { return nil }
    return members.first { $0.key == key }?.value
}

/// The entries of the list under `key`, each checked to carry every one of `keys`.
func checkList(_ result: JSONValue, _ key: String, keys: [String], sourceLocation: SourceLocation = #_sourceLocation) -> [JSONValue] {
    guard case .array(let items)? = member(result, key) else {
        Issue.record("result.json has no list '\(key)'", sourceLocation: sourceLocation)
        return []
    }
    #expect(!items.isEmpty, "'\(key)' is empty", sourceLocation: sourceLocation)
    for item in items {
        for k in keys { #expect(member(item, k) != nil, "an entry of '\(key)' lacks '\(k)'", sourceLocation: sourceLocation) }
    }
    return items
}

func number(_ value: JSONValue?) -> Double? {
    if case .number(let v)? = value { return v }
    return nil
}
