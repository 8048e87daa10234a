import Foundation
import OptBenchCore

/// A JSON value read from a file, each node with its line and column, object members in the
/// order written: what suite files are read into, so that every mistake can be reported at
/// its place, a repeated key refused, and a table's columns kept in the order the file gives.
public struct JSONNode: Sendable {
    public indirect enum Value: Sendable {
        case null
        case bool(Bool)
        /// The number and its text as written.
        case number(Double, String)
        case string(String)
        case array([JSONNode])
        case object([(key: String, node: JSONNode)])
    }

    public let value: Value
    public let line: Int
    public let column: Int

    /// What a value of this kind is called in messages.
    public var kind: String {
        switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "a list"
        case .object: "an object"
        }
    }

    /// The value as JSON text (for messages and canonical files).
    public var text: String {
        switch value {
        case .null: "null"
        case .bool(let b): b ? "true" : "false"
        case .number(_, let t): t
        case .string(let s): jsonQuoted(s)
        case .array(let items): "[" + items.map(\.text).joined(separator: ", ") + "]"
        case .object(let members): "{" + members.map { "\(jsonQuoted($0.key)): \($0.node.text)" }.joined(separator: ", ") + "}"
        }
    }
}

/// `s` as a JSON string literal.
public func jsonQuoted(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}

/// A strict JSON reader (RFC 8259) that keeps positions and refuses repeated keys; errors name
/// the file, line and column and what was expected there.
public struct JSONReader {
    let file: String
    let bytes: [UInt8]
    var index = 0
    var line = 1
    var lineStart = 0
    /// Nesting depth, bounded so that no input can exhaust the stack.
    var depth = 0
    static let maximumDepth = 64

    /// Parses `text` as one JSON document.
    public static func parse(_ text: String, file: String) throws(ConfigurationError) -> JSONNode {
        var reader = JSONReader(file: file, bytes: Array(text.utf8))
        reader.skipSpace()
        let node = try reader.value()
        reader.skipSpace()
        guard reader.index == reader.bytes.count else { throw reader.error("unexpected text after the document", expected: "the end of the file") }
        return node
    }

    func error(_ what: String, expected: String) -> ConfigurationError {
        ConfigurationError("\(file):\(line):\(index - lineStart + 1): \(what); expected \(expected)")
    }

    var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func skipSpace() {
        while let c = peek, c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D {
            if c == 0x0A {
                line += 1
                lineStart = index + 1
            }
            index += 1
        }
    }

    mutating func value() throws(ConfigurationError) -> JSONNode {
        let startLine = line, startColumn = index - lineStart + 1
        func node(_ v: JSONNode.Value) -> JSONNode { JSONNode(value: v, line: startLine, column: startColumn) }
        guard let c = peek else { throw error("the file ends", expected: "a value") }
        switch c {
        case UInt8(ascii: "{"): return node(try object())
        case UInt8(ascii: "["): return node(try array())
        case UInt8(ascii: "\""): return node(.string(try string()))
        case UInt8(ascii: "t"): try word("true"); return node(.bool(true))
        case UInt8(ascii: "f"): try word("false"); return node(.bool(false))
        case UInt8(ascii: "n"): try word("null"); return node(.null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return node(try number())
        default: throw error("unexpected character '\(Character(Unicode.Scalar(c)))'", expected: "a value (object, list, string, number, true, false or null)")
        }
    }

    mutating func word(_ w: String) throws(ConfigurationError) {
        for b in w.utf8 {
            guard peek == b else { throw error("not a JSON value", expected: "'\(w)'") }
            index += 1
        }
    }

    mutating func nest() throws(ConfigurationError) {
        depth += 1
        guard depth <= Self.maximumDepth else { throw error("nesting deeper than \(Self.maximumDepth) levels", expected: "a shallower document") }
    }

    mutating func object() throws(ConfigurationError) -> JSONNode.Value {
        try nest()
        index += 1
        var members: [(key: String, node: JSONNode)] = []
        skipSpace()
        if peek == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return .object(members)
        }
        while true {
            skipSpace()
            guard peek == UInt8(ascii: "\"") else { throw error("an object member without a quoted key", expected: "a key in double quotes") }
            let keyLine = line, keyColumn = index - lineStart + 1
            let key = try string()
            if members.contains(where: { $0.key == key }) {
                throw ConfigurationError("\(file):\(keyLine):\(keyColumn): key '\(key)' is given twice in one object; expected each key once")
            }
            skipSpace()
            guard peek == UInt8(ascii: ":") else { throw error("a key without ':'", expected: "':' after \"\(key)\"") }
            index += 1
            skipSpace()
            members.append((key, try value()))
            skipSpace()
            switch peek {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                depth -= 1
                return .object(members)
            default: throw error("an object not closed", expected: "',' or '}'")
            }
        }
    }

    mutating func array() throws(ConfigurationError) -> JSONNode.Value {
        try nest()
        index += 1
        var items: [JSONNode] = []
        skipSpace()
        if peek == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return .array(items)
        }
        while true {
            skipSpace()
            items.append(try value())
            skipSpace()
            switch peek {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                depth -= 1
                return .array(items)
            default: throw error("a list not closed", expected: "',' or ']'")
            }
        }
    }

    mutating func string() throws(ConfigurationError) -> String {
        index += 1
        var scalars = String.UnicodeScalarView()
        var utf8: [UInt8] = []
        func flush() {
            scalars.append(contentsOf: String(decoding: utf8, as: UTF8.self).unicodeScalars)
            utf8.removeAll(keepingCapacity: true)
        }
        while true {
            guard let c = peek else { throw error("the file ends inside a string", expected: "a closing '\"'") }
            index += 1
            switch c {
            case UInt8(ascii: "\""):
                flush()
                return String(scalars)
            case UInt8(ascii: "\\"):
                guard let e = peek else { throw error("the file ends inside a string", expected: "an escape") }
                index += 1
                flush()
                switch e {
                case UInt8(ascii: "\""): scalars.append("\"")
                case UInt8(ascii: "\\"): scalars.append("\\")
                case UInt8(ascii: "/"): scalars.append("/")
                case UInt8(ascii: "b"): scalars.append("\u{8}")
                case UInt8(ascii: "f"): scalars.append("\u{C}")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "u"):
                    var code: UInt32 = 0
                    for _ in 0..<4 {
                        guard let h = peek, let v = hexValue(h) else { throw error("a bad \\u escape", expected: "four hex digits") }
                        code = code * 16 + v
                        index += 1
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw error("\\u escape of a surrogate", expected: "a Unicode scalar") }
                    scalars.append(scalar)
                default: throw error("an unknown escape", expected: "one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX")
                }
            case 0..<0x20: throw error("a control character inside a string", expected: "an escape such as \\n")
            default: utf8.append(c)
            }
        }
    }

    func hexValue(_ c: UInt8) -> UInt32? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(c - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(c - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(c - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    mutating func number() throws(ConfigurationError) -> JSONNode.Value {
        let start = index
        func digits() -> Int {
            var count = 0
            while let c = peek, c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") {
                index += 1
                count += 1
            }
            return count
        }
        if peek == UInt8(ascii: "-") { index += 1 }
        if peek == UInt8(ascii: "0") {
            index += 1
        } else {
            guard digits() > 0 else { throw error("a number without digits", expected: "a digit") }
        }
        if peek == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { throw error("a number without digits after '.'", expected: "a digit") }
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            index += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { throw error("a number without exponent digits", expected: "a digit") }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        guard let v = Double(text), v.isFinite else { throw error("the number \(text) is out of range", expected: "a finite number") }
        return .number(v, text)
    }
}
