import Core
import Foundation

/// The element type of an IDX file, named by byte 2 of its magic number.
public enum IDXElementType: UInt8, Sendable, CaseIterable {
    case ubyte = 0x08
    case byte = 0x09
    case short = 0x0B
    case int = 0x0C
    case float = 0x0D
    case double = 0x0E

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .ubyte, .byte: 1
        case .short: 2
        case .int, .float: 4
        case .double: 8
        }
    }

    public var name: String { "\(self)" }
}

/// An array read from an IDX file, its elements widened to Double.
public struct IDXArray: Sendable {
    public let elementType: IDXElementType
    /// The sizes d₀ × d₁ × … from the header; d₀ counts samples.
    public let dimensions: [Int]
    /// All elements in file order (row-major, last index fastest).
    public let values: [Double]

    /// d₀, the number of samples.
    public var rows: Int { dimensions[0] }
    /// d₁·d₂⋯, the entries per sample (1 for a one-dimensional file).
    public var columns: Int { dimensions.dropFirst().reduce(1, *) }
    /// `1500×8×8 ubyte`.
    public var shapeDescription: String { dimensions.map(String.init).joined(separator: "×") + " " + elementType.name }
}

/// A reader for the IDX format of LeCun's MNIST files: the magic bytes 0x00 0x00 <type> <ndims>,
/// then ndims big-endian UInt32 sizes, then the elements, big-endian, last index fastest.
///
/// Gzipped files (`*.gz`, as MNIST ships) are recognised by their magic bytes 1f 8b and
/// inflated first (`Gzip`, RFC 1951/1952, CRC-32 and length checked).
///
/// Every malformed input throws a `ConfigurationError` naming the file, the field, and what
/// was expected, e.g. `file X: expected 12000 data bytes for 1500×8×8 ubyte, found 11000`.
public enum IDXReader {
    /// Reads and decodes the file at `path`.
    public static func read(contentsOf path: String) throws(ConfigurationError) -> IDXArray {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read" : "does not exist"
            throw ConfigurationError("file \(path): \(reason); expected an IDX file")
        }
        guard Gzip.isGzip(data) else { return try decode([UInt8](data), source: path) }
        let inflated: [UInt8]
        do {
            inflated = try Gzip.decompress(data)
        } catch {
            throw ConfigurationError("file \(path): \(error.message); expected a valid gzip file")
        }
        return try decode(inflated, source: path)
    }

    /// Decodes IDX bytes; `source` names them in error messages.
    public static func decode(_ bytes: [UInt8], source: String) throws(ConfigurationError) -> IDXArray {
        func fail(_ message: String) -> ConfigurationError { ConfigurationError("file \(source): \(message)") }
        guard bytes.count >= 4 else {
            throw fail("the 4-byte magic number is truncated to \(bytes.count) bytes; expected 0x00 0x00 <type> <ndims>")
        }
        guard bytes[0] == 0, bytes[1] == 0 else {
            throw fail("magic number starts with \(hex(bytes[0])) \(hex(bytes[1])); expected 0x00 0x00 (not an IDX file?)")
        }
        guard let type = IDXElementType(rawValue: bytes[2]) else {
            let valid = IDXElementType.allCases.map { "\(hex($0.rawValue)) (\($0.name))" }.joined(separator: ", ")
            throw fail("unknown type code \(hex(bytes[2])) in byte 2; expected one of \(valid)")
        }
        let ndims = Int(bytes[3])
        guard ndims >= 1 else { throw fail("number of dimensions (byte 3) is 0; expected at least 1") }
        let headerSize = 4 + 4 * ndims
        guard bytes.count >= headerSize else {
            throw fail("header with \(ndims) dimensions needs \(headerSize) bytes, found \(bytes.count)")
        }
        var dims: [Int] = []
        for k in 0..<ndims {
            let o = 4 + 4 * k
            dims.append(Int(bytes[o]) << 24 | Int(bytes[o + 1]) << 16 | Int(bytes[o + 2]) << 8 | Int(bytes[o + 3]))
        }
        var count = 1
        for n in dims {
            let (product, overflow) = count.multipliedReportingOverflow(by: n)
            guard !overflow, product <= Int(Int32.max) else {
                throw fail("dimensions \(dims.map(String.init).joined(separator: "×")) hold too many elements; expected at most \(Int32.max)")
            }
            count = product
        }
        let expected = count * type.size
        let found = bytes.count - headerSize
        let shape = dims.map(String.init).joined(separator: "×") + " " + type.name
        guard found == expected else {
            throw fail("expected \(expected) data bytes for \(shape), found \(found)")
        }
        var values = [Double](repeating: 0, count: count)
        bytes.withUnsafeBufferPointer { raw in
            let p = raw.baseAddress! + headerSize
            @inline(__always) func word(_ i: Int, _ size: Int) -> UInt64 {
                var u: UInt64 = 0
                for b in 0..<size { u = u << 8 | UInt64(p[i * size + b]) }
                return u
            }
            for i in 0..<count {
                switch type {
                case .ubyte: values[i] = Double(p[i])
                case .byte: values[i] = Double(Int8(bitPattern: p[i]))
                case .short: values[i] = Double(Int16(bitPattern: UInt16(word(i, 2))))
                case .int: values[i] = Double(Int32(bitPattern: UInt32(word(i, 4))))
                case .float: values[i] = Double(Float(bitPattern: UInt32(word(i, 4))))
                case .double: values[i] = Double(bitPattern: word(i, 8))
                }
            }
        }
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw fail("element \(bad) is \(values[bad]); expected finite values")
        }
        return IDXArray(elementType: type, dimensions: dims, values: values)
    }

    static func hex(_ b: UInt8) -> String {
        let digits = String(b, radix: 16, uppercase: true)
        return "0x" + (digits.count == 1 ? "0" + digits : digits)
    }
}
