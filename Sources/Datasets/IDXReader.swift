import OptBenchCore
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

    /// Whether the elements are integers (ubyte, byte, short, int).
    public var isInteger: Bool { integerRange != nil }

    /// The values an integer type can hold (ubyte 0...255, byte −128...127, …); nil for
    /// float and double.
    public var integerRange: ClosedRange<Int>? {
        switch self {
        case .ubyte: 0...255
        case .byte: -128...127
        case .short: Int(Int16.min)...Int(Int16.max)
        case .int: Int(Int32.min)...Int(Int32.max)
        case .float, .double: nil
        }
    }

    public var name: String { "\(self)" }
}

/// The floating-point types IDX elements decode into: every element type converts to them
/// (`int` and `double` rounding to the nearest Float when decoded as Float).
public protocol IDXScalar: BinaryFloatingPoint, Sendable {
    init(_ value: UInt8)
    init(_ value: Int8)
    init(_ value: Int16)
    init(_ value: Int32)
    init(_ value: Float)
    init(_ value: Double)
}

extension Float: IDXScalar {}
extension Double: IDXScalar {}

/// The header of an IDX file: element type and dimensions, checked against the file's size.
public struct IDXHeader: Sendable, Equatable {
    public let elementType: IDXElementType
    /// The sizes d₀ × d₁ × … ; d₀ counts samples.
    public let dimensions: [Int]
    /// d₀·d₁⋯, at most Int32.max.
    public let elementCount: Int

    /// Bytes before the first element: 4 + 4·(number of dimensions).
    public var size: Int { 4 + 4 * dimensions.count }
    /// Bytes of the elements.
    public var dataSize: Int { elementCount * elementType.size }
    /// `1500×8×8 ubyte`.
    public var shapeDescription: String { dimensions.map(String.init).joined(separator: "×") + " " + elementType.name }

    /// Parses the header at the start of an IDX file of `fileSize` bytes whose first bytes are
    /// `prefix` (at least min(fileSize, 1024) of them: the longest header has 1024), and checks
    /// that the elements fill the rest of the file exactly. `source` names the file in errors.
    public init(parsing prefix: UnsafeBufferPointer<UInt8>, fileSize: Int, source: String) throws(ConfigurationError) {
        func fail(_ message: String) -> ConfigurationError { ConfigurationError("file \(source): \(message)") }
        precondition(prefix.count >= min(fileSize, 1024), "the prefix must hold the whole header")
        guard fileSize >= 4 else {
            throw fail("the 4-byte magic number is truncated to \(fileSize) bytes; expected 0x00 0x00 <type> <ndims>")
        }
        guard prefix[0] == 0, prefix[1] == 0 else {
            throw fail("magic number starts with \(IDXReader.hex(prefix[0])) \(IDXReader.hex(prefix[1])); expected 0x00 0x00 (not an IDX file?)")
        }
        guard let type = IDXElementType(rawValue: prefix[2]) else {
            let valid = IDXElementType.allCases.map { "\(IDXReader.hex($0.rawValue)) (\($0.name))" }.joined(separator: ", ")
            throw fail("unknown type code \(IDXReader.hex(prefix[2])) in byte 2; expected one of \(valid)")
        }
        let ndims = Int(prefix[3])
        guard ndims >= 1 else { throw fail("number of dimensions (byte 3) is 0; expected at least 1") }
        let headerSize = 4 + 4 * ndims
        guard fileSize >= headerSize else {
            throw fail("header with \(ndims) dimensions needs \(headerSize) bytes, found \(fileSize)")
        }
        var dims: [Int] = []
        dims.reserveCapacity(ndims)
        for k in 0..<ndims {
            let o = 4 + 4 * k
            dims.append(Int(prefix[o]) << 24 | Int(prefix[o + 1]) << 16 | Int(prefix[o + 2]) << 8 | Int(prefix[o + 3]))
        }
        // Each size is below 2³², so a product checked against Int32.max at every step cannot overflow.
        var count = 1
        for n in dims {
            count *= n
            guard count <= Int(Int32.max) else {
                throw fail("dimensions \(dims.map(String.init).joined(separator: "×")) hold too many elements; expected at most \(Int32.max)")
            }
        }
        elementType = type
        dimensions = dims
        elementCount = count
        let found = fileSize - headerSize
        guard found == dataSize else {
            throw fail("expected \(dataSize) data bytes for \(shapeDescription), found \(found)")
        }
    }
}

/// An array read from an IDX file, its elements converted to `Scalar` (Double or Float).
public struct IDXArray<Scalar: IDXScalar>: Sendable {
    public let elementType: IDXElementType
    /// The sizes d₀ × d₁ × … from the header; d₀ counts samples.
    public let dimensions: [Int]
    /// All elements in file order (row-major, last index fastest).
    public let values: [Scalar]

    public init(elementType: IDXElementType, dimensions: [Int], values: [Scalar]) {
        self.elementType = elementType
        self.dimensions = dimensions
        self.values = values
    }

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
/// Elements decode straight into the requested scalar type: a plain file is read in chunks
/// into the result, so reading n bytes of ubyte as Float holds about 4n bytes; a gzipped one
/// holds its inflated bytes next to the result while converting (the compressed bytes are
/// released first).
///
/// Every malformed input throws a `ConfigurationError` naming the file, the field, and what
/// was expected, e.g. `file X: expected 12000 data bytes for 1500×8×8 ubyte, found 11000`.
public enum IDXReader {
    /// Reads and decodes the file at `path`, elements widened to Double.
    public static func read(contentsOf path: String) throws(ConfigurationError) -> IDXArray<Double> {
        try read(contentsOf: path, as: Double.self)
    }

    /// Reads and decodes the file at `path` into `Scalar`s; a Float result refuses elements
    /// beyond Float's range.
    public static func read<Scalar: IDXScalar>(contentsOf path: String, as _: Scalar.Type) throws(ConfigurationError) -> IDXArray<Scalar> {
        try read(contentsOf: path, as: Scalar.self, checking: { _ throws(ConfigurationError) in })
    }

    /// `read`, calling `check` with the header before any element is decoded, so that a file
    /// of the wrong shape or type is refused before its elements are allocated.
    static func read<Scalar: IDXScalar>(
        contentsOf path: String, as _: Scalar.Type, checking check: (IDXHeader) throws(ConfigurationError) -> Void
    ) throws(ConfigurationError) -> IDXArray<Scalar> {
        var file = try IDXFile(path: path)
        if Gzip.isGzip(file.prefix) {
            let inflated = try inflate(&file)
            return try decode(contents: inflated, source: path, as: Scalar.self, checking: check)
        }
        let header = try file.prefix.withUnsafeBufferPointer { (prefix) throws(ConfigurationError) in
            try IDXHeader(parsing: prefix, fileSize: file.size, source: path)
        }
        try check(header)
        return try file.decodeElements(header, as: Scalar.self)
    }

    /// What reading the file at `path` will hold, known without reading its elements: the
    /// element count and shape from the header of a plain file; for a gzip file, whose header
    /// is compressed, the inflated size from its trailer (ISIZE, modulo 2³²) as the element
    /// count (elements are at least a byte) and no shape. Nil when the file cannot be read as
    /// either (`read` then says why).
    public static func footprint(of path: String) -> (elements: Int, rows: Int?, columns: Int?, fileBytes: Int, inflatedBytes: Int)? {
        guard let file = try? IDXFile(path: path) else { return nil }
        if Gzip.isGzip(file.prefix) {
            guard file.size >= 18, (try? file.handle.seek(toOffset: UInt64(file.size - 4))) != nil,
                  let tail = try? file.handle.read(upToCount: 4), tail.count == 4 else { return nil }
            let inflated = tail.reversed().reduce(0) { $0 << 8 | Int($1) }
            return (inflated, nil, nil, file.size, inflated)
        }
        guard let header = try? file.prefix.withUnsafeBufferPointer({ (prefix) throws(ConfigurationError) in
            try IDXHeader(parsing: prefix, fileSize: file.size, source: path)
        }) else { return nil }
        let rows = header.dimensions.first ?? 1
        return (header.elementCount, rows, header.dimensions.dropFirst().reduce(1, *), file.size, 0)
    }

    /// The inflated bytes of the gzip file, whose compressed bytes are released on return.
    private static func inflate(_ file: inout IDXFile) throws(ConfigurationError) -> [UInt8] {
        let compressed = try file.readAll()
        do {
            return try Gzip.decompress(compressed)
        } catch {
            throw ConfigurationError("file \(file.path): \(error.message); expected a valid gzip file")
        }
    }

    /// Decodes IDX bytes (not gzipped), elements widened to Double; `source` names them in
    /// error messages.
    public static func decode(_ bytes: [UInt8], source: String) throws(ConfigurationError) -> IDXArray<Double> {
        try decode(bytes, source: source, as: Double.self)
    }

    /// Decodes IDX bytes (not gzipped) into `Scalar`s.
    public static func decode<Scalar: IDXScalar>(_ bytes: [UInt8], source: String, as _: Scalar.Type) throws(ConfigurationError) -> IDXArray<Scalar> {
        try decode(bytes, source: source, as: Scalar.self, checking: { _ throws(ConfigurationError) in })
    }

    /// Decodes the contents of an IDX file, plain or gzipped, into `Scalar`s.
    public static func decode<Scalar: IDXScalar>(contents bytes: [UInt8], source: String, as _: Scalar.Type) throws(ConfigurationError) -> IDXArray<Scalar> {
        try decode(contents: bytes, source: source, as: Scalar.self, checking: { _ throws(ConfigurationError) in })
    }

    static func decode<Scalar: IDXScalar>(
        contents bytes: [UInt8], source: String, as _: Scalar.Type, checking check: (IDXHeader) throws(ConfigurationError) -> Void
    ) throws(ConfigurationError) -> IDXArray<Scalar> {
        guard Gzip.isGzip(bytes) else { return try decode(bytes, source: source, as: Scalar.self, checking: check) }
        let inflated: [UInt8]
        do {
            inflated = try Gzip.decompress(bytes)
        } catch {
            throw ConfigurationError("file \(source): \(error.message); expected a valid gzip file")
        }
        return try decode(inflated, source: source, as: Scalar.self, checking: check)
    }

    static func decode<Scalar: IDXScalar>(
        _ bytes: [UInt8], source: String, as _: Scalar.Type, checking check: (IDXHeader) throws(ConfigurationError) -> Void
    ) throws(ConfigurationError) -> IDXArray<Scalar> {
        let result = bytes.withUnsafeBufferPointer { raw in
            Result { () throws(ConfigurationError) -> IDXArray<Scalar> in
                let header = try IDXHeader(parsing: raw, fileSize: raw.count, source: source)
                try check(header)
                let values = try [Scalar](unsafeUninitializedCapacity: header.elementCount) { (out, initialized) throws(ConfigurationError) in
                    guard let destination = out.baseAddress, header.elementCount > 0 else { return }
                    try convert(
                        header.elementType, raw.baseAddress! + header.size, count: header.elementCount, into: destination,
                        firstIndex: 0, source: source)
                    initialized = header.elementCount
                }
                return IDXArray(elementType: header.elementType, dimensions: header.dimensions, values: values)
            }
        }
        return try result.get()
    }

    /// Converts `count` big-endian elements of `type` at `source` into `destination`, refusing
    /// non-finite values (and, into Float, values beyond its range); `firstIndex` is the index of
    /// the first element in the file, for the message.
    static func convert<Scalar: IDXScalar>(
        _ type: IDXElementType, _ bytes: UnsafePointer<UInt8>, count: Int, into destination: UnsafeMutablePointer<Scalar>,
        firstIndex: Int, source: String
    ) throws(ConfigurationError) {
        let raw = UnsafeRawPointer(bytes)
        switch type {
        case .ubyte:
            for i in 0..<count { destination[i] = Scalar(bytes[i]) }
        case .byte:
            for i in 0..<count { destination[i] = Scalar(Int8(bitPattern: bytes[i])) }
        case .short:
            for i in 0..<count { destination[i] = Scalar(Int16(bitPattern: UInt16(bigEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))) }
        case .int:
            for i in 0..<count { destination[i] = Scalar(Int32(bitPattern: UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))) }
        case .float:
            for i in 0..<count { destination[i] = Scalar(Float(bitPattern: UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))) }
        case .double:
            for i in 0..<count { destination[i] = Scalar(Double(bitPattern: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)))) }
        }
        guard !type.isInteger else { return }
        // The sum of all elements times zero is NaN exactly when one of them is not finite:
        // a branch-free pass that vectorises, with the search for the culprit only on failure.
        var probe: Scalar = 0
        for i in 0..<count { probe += destination[i] * 0 }
        guard probe.isNaN, let bad = (0..<count).first(where: { !destination[$0].isFinite }) else { return }
        let original = type == .float
            ? Double(Float(bitPattern: UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: 4 * bad, as: UInt32.self))))
            : Double(bitPattern: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8 * bad, as: UInt64.self)))
        let index = firstIndex + bad
        if original.isFinite {
            throw ConfigurationError("file \(source): element \(index) is \(original), beyond the range of \(Scalar.self); expected magnitudes below \(Float.greatestFiniteMagnitude)")
        }
        throw ConfigurationError("file \(source): element \(index) is \(original); expected finite values")
    }

    static func hex(_ b: UInt8) -> String {
        let digits = String(b, radix: 16, uppercase: true)
        return "0x" + (digits.count == 1 ? "0" + digits : digits)
    }
}

/// An open IDX file: its size, its first bytes (the longest header), and chunked reads.
private struct IDXFile {
    let path: String
    let handle: FileHandle
    let size: Int
    /// The first min(size, 1024) bytes.
    let prefix: [UInt8]

    /// Bytes read per chunk when decoding a plain file.
    static let chunkSize = 1 << 20

    init(path: String) throws(ConfigurationError) {
        self.path = path
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        guard exists, !isDirectory.boolValue, let handle = FileHandle(forReadingAtPath: path) else {
            throw ConfigurationError("file \(path): \(exists ? "cannot be read" : "does not exist"); expected an IDX file")
        }
        self.handle = handle
        do {
            size = Int(try handle.seekToEnd())
            try handle.seek(toOffset: 0)
            prefix = [UInt8](try handle.read(upToCount: 1024) ?? Data())
        } catch {
            throw ConfigurationError("file \(path): cannot be read (\(error.localizedDescription)); expected an IDX file")
        }
        guard prefix.count == min(size, 1024) else { throw Self.changed(path) }
    }

    static func changed(_ path: String) -> ConfigurationError {
        ConfigurationError("file \(path): ended before its size said while being read (changed during reading?); expected an IDX file")
    }

    /// The whole file.
    mutating func readAll() throws(ConfigurationError) -> Data {
        do {
            try handle.seek(toOffset: 0)
            let data = try handle.readToEnd() ?? Data()
            guard data.count == size else { throw Self.changed(path) }
            return data
        } catch let error as ConfigurationError {
            throw error
        } catch {
            throw ConfigurationError("file \(path): cannot be read (\(error.localizedDescription)); expected an IDX file")
        }
    }

    /// The elements after `header`, read chunk by chunk straight into the result.
    func decodeElements<Scalar: IDXScalar>(_ header: IDXHeader, as _: Scalar.Type) throws(ConfigurationError) -> IDXArray<Scalar> {
        let elementSize = header.elementType.size
        let perChunk = Self.chunkSize / elementSize
        do {
            try handle.seek(toOffset: UInt64(header.size))
        } catch {
            throw ConfigurationError("file \(path): cannot be read (\(error.localizedDescription)); expected an IDX file")
        }
        let values = try [Scalar](unsafeUninitializedCapacity: header.elementCount) { (out, initialized) throws(ConfigurationError) in
            var done = 0
            while done < header.elementCount {
                let n = min(perChunk, header.elementCount - done)
                let chunk: Data
                do {
                    chunk = try handle.read(upToCount: n * elementSize) ?? Data()
                } catch {
                    throw ConfigurationError("file \(path): cannot be read (\(error.localizedDescription)); expected an IDX file")
                }
                guard chunk.count == n * elementSize else { throw Self.changed(path) }
                let start = done
                let result = chunk.withUnsafeBytes { raw in
                    Result { () throws(ConfigurationError) in
                        try IDXReader.convert(
                            header.elementType, raw.baseAddress!.assumingMemoryBound(to: UInt8.self), count: n,
                            into: out.baseAddress! + start, firstIndex: start, source: path)
                    }
                }
                try result.get()
                done += n
                initialized = done
            }
        }
        return IDXArray(elementType: header.elementType, dimensions: header.dimensions, values: values)
    }
}
