import Foundation

/// What is wrong with gzip or deflate data, and where: `message` names the member, the block
/// and the byte offset into the input, e.g. `gzip member 1: CRC-32 mismatch at byte 7529
/// (stored 0x1c2f0a3b, computed 0x5d8e1f02)`.
public struct GzipError: Error, CustomStringConvertible, Sendable, Equatable {
    public let message: String
    /// Byte offset into the compressed input at which the problem was found.
    public let offset: Int

    public init(message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }

    public var description: String { message }

    /// `hex(42, 4)` is `0x002a`.
    static func hex(_ value: some BinaryInteger, _ digits: Int) -> String {
        let s = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: max(0, digits - s.count)) + s
    }
}

/// A reader for the gzip format (RFC 1952): one or more members, each a header (magic 1f 8b,
/// method 8, flags, optional extra field, name, comment and header CRC-16), a DEFLATE stream
/// (RFC 1951), and a trailer holding the CRC-32 and the length mod 2³² of the member's data.
///
/// Concatenated members decode one after another, as `gzip -d` does; anything after the last
/// member that does not start another one is an error.
public enum Gzip {
    /// The default bound on the decompressed size. It keeps a corrupt or hostile file from
    /// exhausting memory (deflate expands up to 1032:1) while leaving room for any dataset.
    public static let defaultMaximumSize = 1 << 32

    /// Whether `bytes` starts with the gzip magic bytes 1f 8b.
    public static func isGzip(_ bytes: some Collection<UInt8>) -> Bool {
        var iterator = bytes.makeIterator()
        return iterator.next() == 0x1F && iterator.next() == 0x8B
    }

    /// The decompressed bytes of every member of `data`.
    /// - Throws: `GzipError` for malformed or truncated input, a checksum or length mismatch,
    ///   trailing garbage, or output beyond `maximumSize` bytes.
    public static func decompress(_ data: Data, maximumSize: Int = defaultMaximumSize) throws(GzipError) -> [UInt8] {
        let result = data.withUnsafeBytes { raw in
            Result { () throws(GzipError) -> [UInt8] in
                var statistics = Inflater.BlockStatistics()
                return try decompress(raw.assumingMemoryBound(to: UInt8.self), maximumSize: maximumSize, statistics: &statistics)
            }
        }
        return try result.get()
    }

    /// The decompressed bytes of every member of `bytes`.
    public static func decompress(_ bytes: [UInt8], maximumSize: Int = defaultMaximumSize) throws(GzipError) -> [UInt8] {
        var statistics = Inflater.BlockStatistics()
        return try decompress(bytes, maximumSize: maximumSize, statistics: &statistics)
    }

    /// `decompress`, also counting the deflate blocks of each type (for tests).
    static func decompress(_ bytes: [UInt8], maximumSize: Int, statistics: inout Inflater.BlockStatistics) throws(GzipError) -> [UInt8] {
        let result = bytes.withUnsafeBufferPointer { input in
            Result { () throws(GzipError) -> [UInt8] in
                try decompress(input, maximumSize: maximumSize, statistics: &statistics)
            }
        }
        return try result.get()
    }

    private static let headerCRCFlag: UInt8 = 0x02
    private static let extraFlag: UInt8 = 0x04
    private static let nameFlag: UInt8 = 0x08
    private static let commentFlag: UInt8 = 0x10
    private static let reservedFlags: UInt8 = 0xE0

    static func decompress(
        _ input: UnsafeBufferPointer<UInt8>, maximumSize: Int, statistics: inout Inflater.BlockStatistics
    ) throws(GzipError) -> [UInt8] {
        var inflater = Inflater(input: input, position: 0, maximumSize: maximumSize)
        var output: [UInt8] = []
        // ISIZE of the last member is the whole output for the usual single-member file, so
        // reserving it avoids regrowing. It is only a hint, since a damaged file can claim
        // anything: capped by the bound and by a 64:1 ratio (data compressing better than that
        // regrows, which costs little), so that garbage reserves no more than real data could.
        if input.count >= 18 {
            let claimed = Int(readUInt32(input, input.count - 4))
            let plausible = input.count > Int.max / 128 ? Int.max : input.count * 64
            output.reserveCapacity(min(claimed, inflater.maximumSize, plausible) + Inflater.outputSlack)
        }
        var count = 0
        var offset = 0
        var member = 1
        while true {
            offset = try readHeader(input, at: offset, member: member)
            let memberStart = count
            inflater.reset(position: offset)
            do {
                try inflater.inflate(into: &output, count: &count)
            } catch {
                throw GzipError(message: "gzip member \(member): \(error.message)", offset: error.offset)
            }
            offset = inflater.position

            guard input.count - offset >= 8 else {
                throw GzipError(
                    message: "gzip member \(member): truncated trailer at byte \(offset) (8 bytes of CRC-32 and ISIZE expected, \(input.count - offset) present)",
                    offset: offset)
            }
            let storedCRC = readUInt32(input, offset)
            let storedSize = readUInt32(input, offset + 4)
            var crc = CRC32()
            output.withUnsafeBytes { crc.update(UnsafeRawBufferPointer(rebasing: $0[memberStart..<count])) }
            guard crc.value == storedCRC else {
                throw GzipError(
                    message: "gzip member \(member): CRC-32 mismatch at byte \(offset) (stored \(GzipError.hex(storedCRC, 8)), computed \(GzipError.hex(crc.value, 8)))",
                    offset: offset)
            }
            let size = UInt32(truncatingIfNeeded: count - memberStart)
            guard size == storedSize else {
                throw GzipError(
                    message: "gzip member \(member): length mismatch at byte \(offset + 4) (ISIZE \(storedSize), decompressed \(count - memberStart) bytes)",
                    offset: offset + 4)
            }
            offset += 8
            if offset == input.count { break }
            guard input.count - offset >= 2 && input[offset] == 0x1F && input[offset + 1] == 0x8B else {
                throw GzipError(
                    message: "trailing garbage at byte \(offset) after gzip member \(member) (\(input.count - offset) bytes that do not start another member)",
                    offset: offset)
            }
            member += 1
        }
        statistics = inflater.statistics
        output.removeLast(output.count - count)
        return output
    }

    /// Checks the member header at `start` and returns the offset of its deflate stream.
    private static func readHeader(_ input: UnsafeBufferPointer<UInt8>, at start: Int, member: Int) throws(GzipError) -> Int {
        func fail(_ message: String, _ offset: Int) -> GzipError {
            GzipError(message: "gzip member \(member): \(message)", offset: offset)
        }
        let available = input.count - start
        if available >= 2 && !(input[start] == 0x1F && input[start + 1] == 0x8B) {
            throw fail("not gzip data: expected the magic bytes 1f 8b at byte \(start), found \(GzipError.hex(input[start], 2)) \(GzipError.hex(input[start + 1], 2))", start)
        }
        guard available >= 10 else {
            throw fail("truncated header at byte \(input.count) (a header has at least 10 bytes, \(available) present)", input.count)
        }
        let method = input[start + 2]
        guard method == 8 else {
            throw fail("unsupported compression method \(method) at byte \(start + 2) (only 8, deflate, is defined)", start + 2)
        }
        let flags = input[start + 3]
        guard flags & reservedFlags == 0 else {
            throw fail("reserved flag bits set at byte \(start + 3) (FLG \(GzipError.hex(flags, 2)))", start + 3)
        }
        // MTIME (4 bytes), XFL and OS carry nothing the decoder needs; FTEXT is only a hint.
        var p = start + 10
        if flags & extraFlag != 0 {
            guard input.count - p >= 2 else { throw fail("truncated header at byte \(input.count) (FEXTRA length XLEN missing)", input.count) }
            let extraLength = Int(input[p]) | Int(input[p + 1]) << 8
            p += 2
            guard input.count - p >= extraLength else {
                throw fail("truncated header at byte \(input.count) (FEXTRA field of \(extraLength) bytes at byte \(p), \(input.count - p) present)", input.count)
            }
            p += extraLength
        }
        for (flag, field) in [(nameFlag, "file name (FNAME)"), (commentFlag, "comment (FCOMMENT)")] where flags & flag != 0 {
            guard let zero = input[p...].firstIndex(of: 0) else {
                throw fail("truncated header at byte \(input.count) (\(field) from byte \(p) has no terminating zero)", input.count)
            }
            p = zero + 1
        }
        if flags & headerCRCFlag != 0 {
            guard input.count - p >= 2 else { throw fail("truncated header at byte \(input.count) (header CRC-16 missing)", input.count) }
            let stored = UInt16(input[p]) | UInt16(input[p + 1]) << 8
            let computed = UInt16(truncatingIfNeeded: CRC32.checksum(input[start..<p]))
            guard stored == computed else {
                throw fail("header CRC-16 mismatch at byte \(p) (stored \(GzipError.hex(stored, 4)), computed \(GzipError.hex(computed, 4)))", p)
            }
            p += 2
        }
        return p
    }

    private static func readUInt32(_ input: UnsafeBufferPointer<UInt8>, _ offset: Int) -> UInt32 {
        UInt32(input[offset]) | UInt32(input[offset + 1]) << 8 | UInt32(input[offset + 2]) << 16 | UInt32(input[offset + 3]) << 24
    }
}
