import Foundation
import OptBenchCore

/// A record the tool writes and reads back (a cell, a timing, a shard marker, a table): beyond
/// decoding, the checks every field must pass — what this version's writer can produce.
public protocol CheckedRecord: Decodable {
    /// Throws the first field that no writer of this version produces.
    func check() throws(FieldDefect)
}

/// A field of a record read back that fails its check: where (`pairs[2].sweep[0].epochs`),
/// what it holds and what was expected.
public struct FieldDefect: Error, Sendable {
    public var field: String
    public var found: String
    public var expected: String

    public init(_ field: String, _ found: String, expected: String) {
        self.field = field
        self.found = found
        self.expected = expected
    }

    /// The same defect one level down: `sweep[3]` + `epochs` → `sweep[3].epochs`.
    public func inside(_ parent: String) -> FieldDefect {
        FieldDefect(field.isEmpty ? parent : parent + (field.hasPrefix("[") ? "" : ".") + field, found, expected: expected)
    }

    /// Checks `value`, a count, lies in `range`.
    public static func count(_ value: Int, _ field: String, in range: ClosedRange<Int>, _ expected: String) throws(FieldDefect) {
        guard range.contains(value) else { throw FieldDefect(field, String(value), expected: expected) }
    }

    /// Checks `value`, when present, is finite and ≥ `minimum` (> `minimum` when `strictly`; any
    /// finite number when `minimum` is nil).
    public static func finite(_ value: Double?, _ field: String, atLeast minimum: Double? = 0, strictly: Bool = false) throws(FieldDefect) {
        guard let value else { return }
        guard let minimum else {
            guard value.isFinite else { throw FieldDefect(field, formatNumber(value), expected: "a finite number") }
            return
        }
        guard value.isFinite, strictly ? value > minimum : value >= minimum else {
            throw FieldDefect(field, formatNumber(value), expected: "a finite number \(strictly ? ">" : "≥") \(formatNumber(minimum))")
        }
    }

    /// Checks `value` is not empty.
    public static func named(_ value: String, _ field: String) throws(FieldDefect) {
        guard !value.isEmpty else { throw FieldDefect(field, "\"\"", expected: "a non-empty name") }
    }

    /// Checks every element of `items` (`field[i]…`).
    public static func each<T: CheckedRecord>(_ items: [T], _ field: String) throws(FieldDefect) {
        for (i, item) in items.enumerated() {
            do { try item.check() } catch { throw error.inside("\(field)[\(i)]") }
        }
    }
}

/// Reads back the JSON files the tool writes — `cells.jsonl` and `timings.jsonl` (one record
/// a line), `shard.json`, `timings.json`, `table.json` — refusing anything this version's
/// writer does not produce, with the file, the line where there are lines, the field and the
/// value expected: strict JSON first (`JSONReader`: syntax, a key given twice, nesting depth,
/// numbers a double holds), then the record's types (an absent field, a string for a number,
/// "nan" where only finite numbers are written), then its `CheckedRecord.check`.
public enum RecordFile {
    /// A decoder for what `reportEncoder` writes: non-finite numbers as "inf", "-inf", "nan".
    static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }

    /// The one record `data` holds; `file` names it in errors.
    public static func read<T: CheckedRecord>(_: T.Type, from data: Data, file: String) throws(ConfigurationError) -> T {
        try record(T.self, data, decoder: decoder(), place: "file \(file)", what: file)
    }

    /// The records of a JSON-lines file, one a line, in order. With `tornEnd`, a last line
    /// that is not JSON at all — a write cut short by an interruption — is left out, and
    /// `validLength` is where it starts (the file's length otherwise); any other defect is an
    /// error naming the line.
    public static func lines<T: CheckedRecord>(_: T.Type, from data: Data, file: String, tornEnd: Bool)
        throws(ConfigurationError) -> (records: [T], validLength: Int) {
        let d = decoder()
        var records: [T] = []
        let bytes = [UInt8](data)
        var start = 0, number = 0
        while start < bytes.count {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            number += 1
            let line = bytes[start..<end]
            let isLast = bytes[(end + 1 < bytes.count ? end + 1 : bytes.count)...].allSatisfy { $0 == UInt8(ascii: "\n") }
            if line.isEmpty {
                start = end + 1
                continue
            }
            if tornEnd && isLast, (try? JSONReader.parse(String(decoding: line, as: UTF8.self), file: file)) == nil {
                return (records, start)
            }
            records.append(try record(T.self, line, decoder: d, place: "file \(file), line \(number)", what: "\(file):\(number)"))
            start = end + 1
        }
        return (records, bytes.count)
    }

    static func record<T: CheckedRecord>(_: T.Type, _ bytes: some Collection<UInt8>, decoder: JSONDecoder, place: String,
                                         what: String) throws(ConfigurationError) -> T {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ConfigurationError("\(place): not UTF-8 text; expected the JSON 'optbench' writes")
        }
        // Position-aware strictness first; the decoder below would accept a repeated key.
        _ = try JSONReader.parse(text, file: what)
        let value: T
        do {
            value = try decoder.decode(T.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw ConfigurationError("\(place): \(describe(error))")
        } catch {
            throw ConfigurationError("\(place): \(error)")
        }
        do {
            try value.check()
        } catch {
            throw ConfigurationError("\(place): field \(error.field) is \(error.found); expected \(error.expected)")
        }
        return value
    }

    /// A decoding error as `field pairs[2].seeds …; expected …`.
    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            var s = ""
            for k in keys {
                if let i = k.intValue { s += "[\(i)]" } else { s += (s.isEmpty ? "" : ".") + k.stringValue }
            }
            return s.isEmpty ? "(the document)" : s
        }
        func kind(_ type: Any.Type) -> String {
            switch type {
            case is Double.Type, is Float.Type: "a number"
            case is Int.Type: "an integer"
            case is UInt64.Type: "a non-negative integer"
            case is String.Type: "a string"
            case is Bool.Type: "true or false"
            default: String(describing: type).hasPrefix("Array") ? "a list" : "an object"
            }
        }
        switch error {
        case .keyNotFound(let key, let c):
            return "field \(path(c.codingPath + [key])) is missing; expected it present"
        case .valueNotFound(let type, let c):
            return "field \(path(c.codingPath)) is null; expected \(kind(type))"
        case .typeMismatch(let type, let c):
            return "field \(path(c.codingPath)) is of another type; expected \(kind(type))"
        case .dataCorrupted(let c):
            // The statuses' own decoders say `"word"; expected one of …`.
            return "field \(path(c.codingPath)) is \(c.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}

extension RawRepresentable where Self: CaseIterable, RawValue == String {
    /// A status word, any other refused with the words it may be.
    static func decodeWord(from decoder: any Decoder) throws -> Self {
        let container = try decoder.singleValueContainer()
        let word = try container.decode(String.self)
        guard let value = Self(rawValue: word) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "\(jsonQuoted(word)); expected one of \(allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }
}
