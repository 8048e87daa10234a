import Foundation
import Testing

@testable import OptBenchDatasets
import TestSupport

// MARK: - Fixtures and helpers

/// Tests/Fixtures/gzip (made by Tests/Fixtures/make_gzip_fixtures.py) and the shared digits data.
private enum GzipFixtures {
    struct Entry {
        let file: String
        let length: Int
        let crc: UInt32
        let fnv: UInt64
        let how: String
    }

    /// The repository: the first directory above this file (symlinks resolved, so a scratch
    /// package linking the file in still finds it) that holds the fixtures.
    static let repository: URL? = {
        var directory = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
        while directory.path != "/" && !directory.path.isEmpty {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Tests/Fixtures/gzip/manifest.tsv").path) {
                return directory
            }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }()

    static func directory() throws -> URL {
        let repository = try #require(repository, "Tests/Fixtures/gzip/manifest.tsv not found above \(#filePath); run python3 Tests/Fixtures/make_gzip_fixtures.py")
        return repository.appendingPathComponent("Tests/Fixtures/gzip")
    }

    static func manifest() throws -> [Entry] {
        let text = try String(contentsOf: directory().appendingPathComponent("manifest.tsv"), encoding: .utf8)
        return try text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { line in
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            try #require(f.count == 5, "bad manifest line \(line)")
            return Entry(
                file: f[0], length: try #require(Int(f[1])), crc: try #require(UInt32(f[2], radix: 16)),
                fnv: try #require(UInt64(f[3], radix: 16)), how: f[4])
        }
    }

    static func bytes(_ file: String) throws -> [UInt8] {
        let path = try directory().appendingPathComponent(file).path
        return [UInt8](try #require(FileManager.default.contents(atPath: path), "cannot read \(path)"))
    }

    /// A file of the repository's data/digits.
    static func digitsData(_ name: String) throws -> [UInt8] {
        let path = IDXFixture.digits(name)
        return [UInt8](try #require(FileManager.default.contents(atPath: path), "\(path) is missing"))
    }
}

/// FNV-1a 64, as in the fixture script: a hash independent of the CRC-32 under test.
private func fnv1a64(_ bytes: [UInt8]) -> UInt64 {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
    return h
}

/// GzipTestRandom (Steele, Lea and Flood), seeded, so every run fuzzes the same inputs.
private struct GzipTestRandom: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Writes a deflate stream by hand: values least significant bit first, Huffman codes most
/// significant bit first (RFC 1951 §3.1.1).
private struct DeflateWriter {
    private(set) var bytes: [UInt8] = []
    private var accumulator: UInt8 = 0
    private var pending = 0
    var bitCount: Int { bytes.count * 8 + pending }

    mutating func bits(_ value: Int, _ count: Int) {
        for i in 0..<count {
            accumulator |= UInt8((value >> i) & 1) << pending
            pending += 1
            if pending == 8 {
                bytes.append(accumulator)
                accumulator = 0
                pending = 0
            }
        }
    }

    mutating func code(_ code: Int, _ length: Int) {
        for i in (0..<length).reversed() { bits((code >> i) & 1, 1) }
    }

    mutating func finished() -> [UInt8] {
        if pending > 0 { bits(0, 8 - pending) }
        return bytes
    }

    mutating func fixedLiteralLength(_ symbol: Int) {
        switch symbol {
        case 0..<144: code(0x30 + symbol, 8)
        case 144..<256: code(0x190 + symbol - 144, 9)
        case 256..<280: code(symbol - 256, 7)
        default: code(0xC0 + symbol - 280, 8)
        }
    }

    static let codeLengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    /// A dynamic block header up to its code-length code; returns that code's codes.
    mutating func dynamicHeader(final: Bool, literalCount: Int, distanceCount: Int, codeLengthLengths: [Int]) -> [Int] {
        bits(final ? 1 : 0, 1)
        bits(2, 2)
        bits(literalCount - 257, 5)
        bits(distanceCount - 1, 5)
        let last = DeflateWriter.codeLengthOrder.lastIndex { codeLengthLengths[$0] != 0 } ?? 0
        let count = max(4, last + 1)
        bits(count - 4, 4)
        for i in 0..<count { bits(codeLengthLengths[DeflateWriter.codeLengthOrder[i]], 3) }
        return canonicalCodes(codeLengthLengths)
    }

    /// A dynamic block header sending every code length as itself, with a 4-bit code-length code.
    mutating func dynamicBlock(final: Bool, literalLengths: [Int], distanceLengths: [Int]) {
        let codes = dynamicHeader(
            final: final, literalCount: literalLengths.count, distanceCount: distanceLengths.count,
            codeLengthLengths: [Int](repeating: 4, count: 16) + [0, 0, 0])
        for length in literalLengths + distanceLengths { code(codes[length], 4) }
    }
}

/// Canonical Huffman codes for code lengths (RFC 1951 §3.2.2), also for invalid sets.
private func canonicalCodes(_ lengths: [Int]) -> [Int] {
    var counts = [Int](repeating: 0, count: 16)
    for l in lengths where l > 0 { counts[l] += 1 }
    var next = [Int](repeating: 0, count: 16)
    var code = 0
    for bits in 1...15 {
        code = (code + counts[bits - 1]) << 1
        next[bits] = code
    }
    return lengths.map { l in
        guard l > 0 else { return 0 }
        defer { next[l] += 1 }
        return next[l]
    }
}

private func littleEndian32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }

/// A gzip header without flags: 10 bytes, so the deflate stream starts at byte 10.
private let plainGzipHeader: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF]

/// A gzip member around `deflate` whose trailer is right for `data`.
private func gzipMember(_ deflate: [UInt8], of data: [UInt8]) -> [UInt8] {
    plainGzipHeader + deflate + littleEndian32(CRC32.checksum(data)) + littleEndian32(UInt32(data.count))
}

/// A stored-block member holding "hello": header 0–9, deflate 10–19, trailer 20–27.
private let helloGzipMember = gzipMember([0x01, 0x05, 0x00, 0xFA, 0xFF] + Array("hello".utf8), of: Array("hello".utf8))

/// The message `decompress` fails with, or nil when it succeeds.
private func gzipMessage(_ bytes: [UInt8], maximumSize: Int = Gzip.defaultMaximumSize) -> String? {
    do {
        _ = try Gzip.decompress(bytes, maximumSize: maximumSize)
        return nil
    } catch {
        return error.message
    }
}

// MARK: - CRC-32

@Suite struct CRC32Tests {
    @Test func knownValues() {
        #expect(CRC32.checksum([UInt8]()) == 0)
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum(Array("a".utf8)) == 0xE8B7_BE43)
        #expect(CRC32.checksum(Array("The quick brown fox jumps over the lazy dog".utf8)) == 0x414F_A339)
        #expect(CRC32.checksum(Array("hello".utf8)) == 0x3610_A686)
        #expect(CRC32.checksum([UInt8](repeating: 0, count: 32)) == 0x190A_55AD)
        #expect(CRC32.checksum([UInt8](repeating: 0xFF, count: 32)) == 0xFF6C_AB0B)
    }

    @Test func incrementalUpdatesMatchOneShot() {
        var rng = GzipTestRandom(state: 32)
        let bytes = (0..<1000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let whole = CRC32.checksum(bytes)
        for split in [0, 1, 3, 7, 8, 9, 500, 999, 1000] {
            var crc = CRC32()
            crc.update(bytes[..<split])
            bytes[split...].withUnsafeBytes { crc.update($0) }
            #expect(crc.value == whole, "split at \(split)")
            var continued = CRC32(continuing: CRC32.checksum(bytes[..<split]))
            continued.update(bytes[split...])
            #expect(continued.value == whole)
        }
        #expect(CRC32.checksum(Data(bytes)) == whole)
        #expect(CRC32.checksum(bytes.lazy.map { $0 }) == whole)
    }
}

// MARK: - Valid files

@Suite struct GzipFixtureTests {
    @Test func everyFixtureDecodesToItsManifestDigest() throws {
        let entries = try GzipFixtures.manifest()
        try #require(entries.count >= 86, "expected the full fixture set, found \(entries.count) entries")
        let onDisk = try FileManager.default.contentsOfDirectory(atPath: GzipFixtures.directory().path).filter { $0.hasSuffix(".gz") }
        #expect(Set(onDisk) == Set(entries.map(\.file)), "every .gz is in the manifest and vice versa")

        var statistics: [String: Inflater.BlockStatistics] = [:]
        for entry in entries {
            let compressed = try GzipFixtures.bytes(entry.file)
            #expect(Gzip.isGzip(compressed))
            var blocks = Inflater.BlockStatistics()
            let output: [UInt8]
            do {
                output = try Gzip.decompress(compressed, maximumSize: Gzip.defaultMaximumSize, statistics: &blocks)
            } catch {
                Issue.record("\(entry.file) (\(entry.how)): \(error)")
                continue
            }
            #expect(output.count == entry.length, "\(entry.file) length")
            #expect(CRC32.checksum(output) == entry.crc, "\(entry.file) CRC-32")
            #expect(fnv1a64(output) == entry.fnv, "\(entry.file) FNV-1a")
            statistics[entry.file] = blocks
        }

        // The fixtures reach each kind of block they were made for.
        let levels = 1...9
        for level in levels {
            #expect(statistics["random-\(level).gz"].map { $0.stored >= 1 && $0.dynamic == 0 && $0.fixed == 0 } == true, "random-\(level): stored blocks only")
            #expect(statistics["text-\(level).gz"].map { $0.dynamic >= 1 } == true, "text-\(level): dynamic")
            #expect(statistics["big-\(level).gz"].map { $0.dynamic >= 1 } == true, "big-\(level): dynamic")
        }
        for content in ["empty", "one", "text", "random", "runs", "big"] {
            let s = statistics["\(content)-0.gz"]
            #expect(s.map { $0.stored >= 1 && $0.dynamic == 0 && $0.fixed == 0 } == true, "\(content)-0: stored only")
        }
        #expect(statistics["big-0.gz"].map { $0.stored >= 2 } == true, "big-0: over 64 KB, so several stored blocks")
        for name in ["fixed-text-1", "fixed-text-9", "fixed-runs-1", "fixed-runs-9", "fixed-big-1", "fixed-big-9"] {
            #expect(statistics["\(name).gz"].map { $0.fixed >= 1 && $0.dynamic == 0 } == true, "\(name): fixed-Huffman blocks")
        }
        // Small symbol buffers (memLevel) make zlib end a block every 128 or 512 symbols.
        #expect(statistics["memlevel1-big.gz"].map { $0.fixed + $0.dynamic >= 20 } == true, "memlevel1-big: many blocks")
        #expect(statistics["memlevel3-big.gz"].map { $0.fixed >= 2 && $0.dynamic >= 2 } == true, "memlevel3-big: fixed and dynamic blocks")
        #expect(statistics["memlevel1-text.gz"].map { $0.dynamic >= 5 } == true, "memlevel1-text: several dynamic blocks")
        #expect(statistics["three-members.gz"].map { $0.fixed >= 3 } == true, "three-members: one block per member at least")
    }

    @Test func headerFieldsAndConcatenatedMembers() throws {
        let text = try Gzip.decompress(GzipFixtures.bytes("text-6.gz"))
        let runs = try Gzip.decompress(GzipFixtures.bytes("runs-6.gz"))
        let big = try Gzip.decompress(GzipFixtures.bytes("big-6.gz"))
        #expect(try Gzip.decompress(GzipFixtures.bytes("header-flags.gz")) == text)
        let two = try GzipFixtures.bytes("two-members.gz")
        #expect(try Gzip.decompress(two) == text + runs)
        #expect(try Gzip.decompress(GzipFixtures.bytes("three-members.gz")) == runs + big)
        // Cut right after the first member, the file is the first member alone.
        let first = try GzipFixtures.bytes("text-6.gz")
        #expect(Array(two[..<first.count]) == first)
        #expect(try Gzip.decompress(Array(two[..<first.count])) == text)
        // Two copies of a file decode to the output twice, also through Data and a Data slice.
        let doubled = Data(first + first)
        #expect(try Gzip.decompress(doubled) == text + text)
        let padded = Data([0xAA, 0xBB] + first)
        #expect(Gzip.isGzip(padded[2...]))
        #expect(try Gzip.decompress(padded[2...]) == text)
    }

    @Test func isGzipLooksAtTheMagicBytes() {
        #expect(Gzip.isGzip(Data([0x1F, 0x8B])))
        #expect(Gzip.isGzip(helloGzipMember))
        #expect(!Gzip.isGzip([UInt8]()))
        #expect(!Gzip.isGzip([0x1F]))
        #expect(!Gzip.isGzip([0x8B, 0x1F]))
        #expect(!Gzip.isGzip([0, 0, 8, 3]))
    }

    @Test func handMadeValidStreams() throws {
        #expect(try Gzip.decompress(helloGzipMember) == Array("hello".utf8))
        // An empty stored block, then a fixed block "ab" + (length 4, distance 2) = "ababab".
        var w = DeflateWriter()
        w.bits(0, 1)
        w.bits(0, 2)
        _ = w.finished()
        w.bits(0, 16)
        w.bits(0xFFFF, 16)
        w.bits(1, 1)
        w.bits(1, 2)
        w.fixedLiteralLength(0x61)
        w.fixedLiteralLength(0x62)
        w.fixedLiteralLength(258)  // length 4
        w.code(1, 5)  // distance 2
        w.fixedLiteralLength(256)
        #expect(try Gzip.decompress(gzipMember(w.finished(), of: Array("ababab".utf8))) == Array("ababab".utf8))

        // A literal/length code with only end-of-block, one bit long, and no distance codes: zlib
        // accepts that incomplete set; it decodes an empty block.
        var onlyEnd = [Int](repeating: 0, count: 257)
        onlyEnd[256] = 1
        w = DeflateWriter()
        w.dynamicBlock(final: true, literalLengths: onlyEnd, distanceLengths: [0])
        w.code(0, 1)
        #expect(try Gzip.decompress(gzipMember(w.finished(), of: [])) == [])

        // One distance code of one bit (RFC 1951 §3.2.7): "a" + (length 3, distance 1).
        w = DeflateWriter()
        let literal = singleDistanceCodeBlock(&w)
        w.code(literal[97], 1)
        w.code(literal[257], 2)
        w.code(0, 1)
        w.code(literal[256], 2)
        #expect(try Gzip.decompress(gzipMember(w.finished(), of: Array("aaaa".utf8))) == Array("aaaa".utf8))
    }

    @Test func maximumSizeBoundsTheOutput() throws {
        for file in ["runs-6.gz", "runs-0.gz", "fixed-runs-9.gz", "two-members.gz"] {
            let compressed = try GzipFixtures.bytes(file)
            let size = try Gzip.decompress(compressed).count
            #expect(try Gzip.decompress(compressed, maximumSize: size).count == size, "\(file) at exactly its size")
            let message = gzipMessage(compressed, maximumSize: size - 1)
            #expect(message?.hasSuffix("output exceeds the maximum size of \(size - 1) bytes") == true, "\(file): \(message ?? "decoded")")
        }
        #expect(gzipMessage(try GzipFixtures.bytes("runs-6.gz"), maximumSize: 100)
            == "gzip member 1: deflate block at byte 10: output exceeds the maximum size of 100 bytes")
        #expect(gzipMessage(helloGzipMember, maximumSize: 4) == "gzip member 1: deflate block at byte 10: output exceeds the maximum size of 4 bytes")
        #expect(gzipMessage(helloGzipMember, maximumSize: 0) == "gzip member 1: deflate block at byte 10: output exceeds the maximum size of 0 bytes")
    }
}

/// A dynamic block header: literal "a" 1 bit, end-of-block and length 3 (symbol 257) 2 bits, and
/// a single one-bit distance code for distance 1. Returns the literal/length codes.
private func singleDistanceCodeBlock(_ w: inout DeflateWriter, distanceLengths: [Int] = [1]) -> [Int] {
    var lengths = [Int](repeating: 0, count: 258)
    lengths[97] = 1
    lengths[256] = 2
    lengths[257] = 2
    w.dynamicBlock(final: true, literalLengths: lengths, distanceLengths: distanceLengths)
    return canonicalCodes(lengths)
}

// MARK: - Real data

@Suite struct GzipRealDataTests {
    /// The digits files: each .gz must decompress to exactly its uncompressed twin.
    @Test(arguments: ["digits-test-images-idx3-ubyte", "digits-test-labels-idx1-ubyte", "digits-train-images-idx3-ubyte", "digits-train-labels-idx1-ubyte"])
    func digitsFiles(name: String) throws {
        let compressed = try GzipFixtures.digitsData(name + ".gz")
        let expected = try GzipFixtures.digitsData(name)
        #expect(Gzip.isGzip(compressed))
        let output = try Gzip.decompress(compressed)
        #expect(output.count == expected.count)
        #expect(output == expected)
        #expect(!Gzip.isGzip(expected))
    }
}

// MARK: - Errors

@Suite struct GzipErrorTests {
    @Test func headerErrors() {
        #expect(gzipMessage([]) == "gzip member 1: truncated header at byte 0 (a header has at least 10 bytes, 0 present)")
        #expect(gzipMessage([0x1F, 0x8B, 8, 0, 0]) == "gzip member 1: truncated header at byte 5 (a header has at least 10 bytes, 5 present)")
        #expect(gzipMessage([0x50, 0x4B, 3, 4] + [UInt8](repeating: 0, count: 30))
            == "gzip member 1: not gzip data: expected the magic bytes 1f 8b at byte 0, found 0x50 0x4b")
        var bad = helloGzipMember
        bad[2] = 7
        #expect(gzipMessage(bad) == "gzip member 1: unsupported compression method 7 at byte 2 (only 8, deflate, is defined)")
        for flag: UInt8 in [0x20, 0x40, 0x80] {
            bad = helloGzipMember
            bad[3] = flag
            #expect(gzipMessage(bad) == "gzip member 1: reserved flag bits set at byte 3 (FLG \(GzipError.hex(flag, 2)))")
        }
        // FTEXT is only a hint.
        bad = helloGzipMember
        bad[3] = 0x01
        #expect(gzipMessage(bad) == nil)

        let extra: [UInt8] = [0x1F, 0x8B, 8, 0x04, 0, 0, 0, 0, 0, 3]
        #expect(gzipMessage(extra + [100]) == "gzip member 1: truncated header at byte 11 (FEXTRA length XLEN missing)")
        #expect(gzipMessage(extra + [100, 0, 1, 2, 3])
            == "gzip member 1: truncated header at byte 15 (FEXTRA field of 100 bytes at byte 12, 3 present)")
        let named: [UInt8] = [0x1F, 0x8B, 8, 0x08, 0, 0, 0, 0, 0, 3]
        #expect(gzipMessage(named + Array("abc".utf8))
            == "gzip member 1: truncated header at byte 13 (file name (FNAME) from byte 10 has no terminating zero)")
        let commented: [UInt8] = [0x1F, 0x8B, 8, 0x18, 0, 0, 0, 0, 0, 3]
        #expect(gzipMessage(commented + Array("a.txt\0note".utf8))
            == "gzip member 1: truncated header at byte 20 (comment (FCOMMENT) from byte 16 has no terminating zero)")

        let checked: [UInt8] = [0x1F, 0x8B, 8, 0x02, 0, 0, 0, 0, 0, 3]
        let crc16 = UInt16(truncatingIfNeeded: CRC32.checksum(checked))
        #expect(gzipMessage(checked + [UInt8(crc16 & 0xFF)]) == "gzip member 1: truncated header at byte 11 (header CRC-16 missing)")
        #expect(gzipMessage(checked + [0x34, 0x12] + Array(helloGzipMember[10...]))
            == "gzip member 1: header CRC-16 mismatch at byte 10 (stored 0x1234, computed \(GzipError.hex(crc16, 4)))")
        #expect(gzipMessage(checked + [UInt8(crc16 & 0xFF), UInt8(crc16 >> 8)] + Array(helloGzipMember[10...])) == nil)
    }

    @Test func trailerErrors() {
        var bad = helloGzipMember
        bad[20] ^= 0xFF
        #expect(gzipMessage(bad) == "gzip member 1: CRC-32 mismatch at byte 20 (stored 0x3610a679, computed 0x3610a686)")
        bad = helloGzipMember
        bad[24] = 6
        #expect(gzipMessage(bad) == "gzip member 1: length mismatch at byte 24 (ISIZE 6, decompressed 5 bytes)")
        #expect(gzipMessage(Array(helloGzipMember[..<23]))
            == "gzip member 1: truncated trailer at byte 20 (8 bytes of CRC-32 and ISIZE expected, 3 present)")
        #expect(gzipMessage(Array(helloGzipMember[..<20]))
            == "gzip member 1: truncated trailer at byte 20 (8 bytes of CRC-32 and ISIZE expected, 0 present)")
        #expect(gzipMessage(helloGzipMember + [0, 0])
            == "trailing garbage at byte 28 after gzip member 1 (2 bytes that do not start another member)")
        #expect(gzipMessage(helloGzipMember + [0x1F])
            == "trailing garbage at byte 28 after gzip member 1 (1 bytes that do not start another member)")
        #expect(gzipMessage(helloGzipMember + helloGzipMember + Array("junk".utf8))
            == "trailing garbage at byte 56 after gzip member 2 (4 bytes that do not start another member)")
        #expect(gzipMessage(helloGzipMember + [0x1F, 0x8B, 8])
            == "gzip member 2: truncated header at byte 31 (a header has at least 10 bytes, 3 present)")
        var second = helloGzipMember
        second[2] = 9
        #expect(gzipMessage(helloGzipMember + second)
            == "gzip member 2: unsupported compression method 9 at byte 30 (only 8, deflate, is defined)")
    }

    @Test func blockTypeAndStoredBlockErrors() {
        #expect(gzipMessage(gzipMember([0x07], of: [])) == "gzip member 1: deflate block at byte 10: invalid block type 3")
        // Block type 3 after a complete stored block: the second block starts at byte 15.
        #expect(gzipMessage(gzipMember([0x00, 0, 0, 0xFF, 0xFF, 0x07], of: []))
            == "gzip member 1: deflate block at byte 15: invalid block type 3")
        #expect(gzipMessage(gzipMember([0x01, 0x05, 0x00, 0x00, 0x00] + Array("hello".utf8), of: Array("hello".utf8)))
            == "gzip member 1: deflate block at byte 10: stored block length 5 does not match its complement (LEN 0x0005, NLEN 0x0000)")
        #expect(gzipMessage(plainGzipHeader + [0x01, 0x05, 0x00, 0xFA, 0xFF, 0x68, 0x65])
            == "gzip member 1: truncated deflate stream at byte 17 (in the block at byte 10)")
        #expect(gzipMessage(plainGzipHeader + [0x01, 0x05, 0x00])
            == "gzip member 1: truncated deflate stream at byte 13 (in the block at byte 10)")
        // A non-final block and then nothing.
        #expect(gzipMessage(plainGzipHeader + [0x00, 0, 0, 0xFF, 0xFF])
            == "gzip member 1: truncated deflate stream at byte 15 (in the block at byte 15)")
        #expect(gzipMessage(plainGzipHeader) == "gzip member 1: truncated deflate stream at byte 10 (in the block at byte 10)")
    }

    @Test func truncatedHuffmanData() throws {
        for file in ["text-6.gz", "fixed-text-9.gz", "big-9.gz"] {
            let full = try GzipFixtures.bytes(file)
            for cut in [11, 12, full.count / 2, full.count - 9] {
                let message = gzipMessage(Array(full[..<cut]))
                #expect(message?.hasPrefix("gzip member 1: truncated deflate stream at byte \(cut) (in the block at byte ") == true, "\(file) cut at \(cut): \(message ?? "decoded")")
            }
        }
    }

    @Test func dynamicHeaderErrors() {
        func message(_ build: (inout DeflateWriter) -> Void) -> String? {
            var w = DeflateWriter()
            build(&w)
            return gzipMessage(gzipMember(w.finished(), of: []))
        }
        let prefix = "gzip member 1: deflate block at byte 10: "
        let allFour = [Int](repeating: 4, count: 16) + [0, 0, 0]

        #expect(message { _ = $0.dynamicHeader(final: true, literalCount: 287, distanceCount: 30, codeLengthLengths: allFour) }
            == prefix + "too many literal/length codes (HLIT 287, at most 286)")
        #expect(message { _ = $0.dynamicHeader(final: true, literalCount: 288, distanceCount: 1, codeLengthLengths: allFour) }
            == prefix + "too many literal/length codes (HLIT 288, at most 286)")
        #expect(message { _ = $0.dynamicHeader(final: true, literalCount: 286, distanceCount: 31, codeLengthLengths: allFour) }
            == prefix + "too many distance codes (HDIST 31, at most 30)")
        #expect(message { _ = $0.dynamicHeader(final: true, literalCount: 257, distanceCount: 32, codeLengthLengths: allFour) }
            == prefix + "too many distance codes (HDIST 32, at most 30)")

        #expect(message { _ = $0.dynamicHeader(final: true, literalCount: 257, distanceCount: 1, codeLengthLengths: [Int](repeating: 1, count: 19)) }
            == prefix + "invalid code lengths set (over-subscribed)")
        var single = [Int](repeating: 0, count: 19)
        single[0] = 1
        #expect(message { _ = $0.dynamicHeader(final: true, literalCount: 257, distanceCount: 1, codeLengthLengths: single) }
            == prefix + "invalid code lengths set (incomplete)")
        #expect(message { _ = $0.dynamicHeader(final: true, literalCount: 257, distanceCount: 1, codeLengthLengths: [Int](repeating: 0, count: 19)) }
            == prefix + "invalid code lengths set (incomplete)")

        // Code-length code: 16 → 1 bit, 17 → 2 bits, 0 and 18 → 3 bits.
        var repeats = [Int](repeating: 0, count: 19)
        repeats[16] = 1
        repeats[17] = 2
        repeats[18] = 3
        repeats[0] = 3
        var at = 0
        #expect(message { w in
            let codes = w.dynamicHeader(final: true, literalCount: 257, distanceCount: 1, codeLengthLengths: repeats)
            at = 10 + w.bitCount / 8
            w.code(codes[16], 1)
            w.bits(0, 2)
        } == prefix + "invalid code length repeat at byte \(at): code 16 with no previous length")
        #expect(message { w in
            let codes = w.dynamicHeader(final: true, literalCount: 257, distanceCount: 1, codeLengthLengths: repeats)
            w.code(codes[18], 3)
            w.bits(127, 7)  // 138 zeros
            at = 10 + w.bitCount / 8
            w.code(codes[18], 3)
            w.bits(127, 7)  // 138 more: past the 258 lengths
        } == prefix + "invalid code length repeat at byte \(at): 138 lengths from code 138 run past the 258 codes")
        #expect(message { w in
            let codes = w.dynamicHeader(final: true, literalCount: 257, distanceCount: 1, codeLengthLengths: repeats)
            w.code(codes[18], 3)
            w.bits(127, 7)
            w.code(codes[18], 3)
            w.bits(108, 7)  // 119 zeros: 257 of the 258 lengths
            at = 10 + w.bitCount / 8
            w.code(codes[17], 2)
            w.bits(0, 3)  // 3 more zeros
        } == prefix + "invalid code length repeat at byte \(at): 3 lengths from code 257 run past the 258 codes")

        func lengths(_ codes: [Int: Int], count: Int = 257) -> [Int] {
            var l = [Int](repeating: 0, count: count)
            for (symbol, length) in codes { l[symbol] = length }
            return l
        }
        #expect(message { $0.dynamicBlock(final: true, literalLengths: lengths([97: 1, 98: 1]), distanceLengths: [1]) }
            == prefix + "missing end-of-block code (symbol 256 has code length 0)")
        #expect(message { $0.dynamicBlock(final: true, literalLengths: lengths([97: 1, 98: 1, 256: 1]), distanceLengths: [1]) }
            == prefix + "invalid literal/length code lengths (over-subscribed)")
        #expect(message { $0.dynamicBlock(final: true, literalLengths: lengths([97: 2, 256: 2]), distanceLengths: [1]) }
            == prefix + "invalid literal/length code lengths (incomplete)")
        #expect(message { $0.dynamicBlock(final: true, literalLengths: lengths([97: 1, 256: 1]), distanceLengths: [1, 1, 1]) }
            == prefix + "invalid distance code lengths (over-subscribed)")
        #expect(message { $0.dynamicBlock(final: true, literalLengths: lengths([97: 1, 256: 1]), distanceLengths: [2, 2]) }
            == prefix + "invalid distance code lengths (incomplete)")
        #expect(message { $0.dynamicBlock(final: true, literalLengths: lengths([97: 1, 256: 1]), distanceLengths: [0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]) }
            == prefix + "invalid distance code lengths (incomplete)")
        // Incomplete with a longest code of two bits: only a lone one-bit code may leave a gap.
        #expect(message { $0.dynamicBlock(final: true, literalLengths: lengths([97: 1, 256: 2]), distanceLengths: [1]) }
            == prefix + "invalid literal/length code lengths (incomplete)")
        // Header cut short.
        #expect(gzipMessage(plainGzipHeader + [0x05]) == "gzip member 1: truncated deflate stream at byte 11 (in the block at byte 10)")
    }

    @Test func invalidSymbols() {
        let prefix = "gzip member 1: deflate block at byte 10: "
        for symbol in [286, 287] {
            var w = DeflateWriter()
            w.bits(1, 1)
            w.bits(1, 2)
            w.fixedLiteralLength(symbol)
            #expect(gzipMessage(gzipMember(w.finished(), of: [])) == prefix + "invalid literal/length symbol \(symbol) at byte 10")
        }
        for symbol in [30, 31] {
            var w = DeflateWriter()
            w.bits(1, 1)
            w.bits(1, 2)
            w.fixedLiteralLength(0x61)
            w.fixedLiteralLength(257)
            w.code(symbol, 5)
            #expect(gzipMessage(gzipMember(w.finished(), of: [])) == prefix + "invalid distance symbol \(symbol) at byte 12")
        }
        // The spare code of a single one-bit distance code, and any code when there are none.
        for distanceLengths in [[1], [0]] {
            var w = DeflateWriter()
            let literal = singleDistanceCodeBlock(&w, distanceLengths: distanceLengths)
            w.code(literal[97], 1)
            w.code(literal[257], 2)
            let at = 10 + w.bitCount / 8
            w.code(1, 1)
            w.code(literal[256], 2)
            #expect(gzipMessage(gzipMember(w.finished(), of: [])) == prefix + "invalid distance code at byte \(at) (no symbol has it)")
        }
    }

    @Test func distanceTooFarBack() {
        var w = DeflateWriter()
        w.bits(1, 1)
        w.bits(1, 2)
        w.fixedLiteralLength(0x61)
        w.fixedLiteralLength(257)
        w.code(1, 5)  // distance 2, one byte written
        #expect(gzipMessage(gzipMember(w.finished(), of: []))
            == "gzip member 1: deflate block at byte 10: distance 2 too far back at byte 12 (only 1 bytes of output so far)")

        // Distance 32768 (code 29, extra 8191) after a 100-byte stored block.
        w = DeflateWriter()
        w.bits(0, 1)
        w.bits(0, 2)
        _ = w.finished()
        w.bits(100, 16)
        w.bits(~100 & 0xFFFF, 16)
        for _ in 0..<100 { w.bits(0x41, 8) }
        w.bits(1, 1)
        w.bits(1, 2)
        w.fixedLiteralLength(285)
        w.code(29, 5)
        w.bits(8191, 13)
        #expect(gzipMessage(gzipMember(w.finished(), of: []))
            == "gzip member 1: deflate block at byte 115: distance 32768 too far back at byte 116 (only 100 bytes of output so far)")

        // A second member cannot reach into the first one's output.
        w = DeflateWriter()
        w.bits(1, 1)
        w.bits(1, 2)
        w.fixedLiteralLength(257)
        w.code(0, 5)
        #expect(gzipMessage(helloGzipMember + gzipMember(w.finished(), of: []))
            == "gzip member 2: deflate block at byte 38: distance 1 too far back at byte 39 (only 0 bytes of output so far)")
    }
}

// MARK: - Fuzzing

@Suite struct GzipFuzzTests {
    /// Mutated fixtures and garbage: every input either decodes or throws `GzipError` (a trap or
    /// a hang would end the run). A success must agree with the CRC-32 stored in the input, and
    /// for in-place changes reproduce the original: a damaged stream that still decodes had its
    /// damage where it does not change the output (MTIME, OS, padding bits, ...).
    @Test func mutatedInputsDecodeOrThrow() throws {
        let manifest = try GzipFixtures.manifest()
        let skipped: Set<String> = ["big-0.gz", "random-0.gz", "runs-0.gz"]  // large stored copies add time, not coverage
        let sources: [(bytes: [UInt8], original: [UInt8], multiMember: Bool)] = try manifest.filter { !skipped.contains($0.file) }.map { entry in
            let bytes = try GzipFixtures.bytes(entry.file)
            return (bytes, try Gzip.decompress(bytes), entry.file.contains("members"))
        }
        try #require(sources.count > 50)

        var rng = GzipTestRandom(state: 0x1952_1951)
        let iterations = 100_000
        let maximumSize = 1 << 20
        var decoded = 0, refused = 0, unchanged = 0
        for iteration in 0..<iterations {
            let source = sources[Int.random(in: 0..<sources.count, using: &rng)]
            var input = source.bytes
            let mutation = iteration % 6
            switch mutation {
            case 0:  // truncation
                input.removeLast(Int.random(in: 1...input.count, using: &rng))
            case 1:  // bit flips
                for _ in 0..<Int.random(in: 1...3, using: &rng) {
                    input[Int.random(in: 0..<input.count, using: &rng)] ^= 1 << UInt8.random(in: 0...7, using: &rng)
                }
            case 2:  // one byte replaced
                input[Int.random(in: 0..<input.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            case 3:  // insertion
                let bytes = (0..<Int.random(in: 1...4, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                input.insert(contentsOf: bytes, at: Int.random(in: 0...input.count, using: &rng))
            case 4:  // deletion
                let at = Int.random(in: 0..<input.count, using: &rng)
                input.removeSubrange(at..<min(input.count, at + Int.random(in: 1...4, using: &rng)))
            default:  // garbage, mostly behind a valid header so that it reaches the decoder
                let garbage = (0..<Int.random(in: 0...600, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                input = Int.random(in: 0..<4, using: &rng) == 0 ? garbage : plainGzipHeader + garbage
            }

            let output: [UInt8]
            do {
                output = try Gzip.decompress(input, maximumSize: maximumSize)
            } catch {
                refused += 1
                if error.message.isEmpty || !(0...input.count).contains(error.offset) {
                    Issue.record("iteration \(iteration): bad error \(error.message) at \(error.offset) for \(input.count) bytes")
                }
                continue
            }
            decoded += 1
            // The last member's trailer, read here rather than by the decoder.
            let storedCRC = input.count >= 8 ? UInt32(input[input.count - 8]) | UInt32(input[input.count - 7]) << 8 | UInt32(input[input.count - 6]) << 16 | UInt32(input[input.count - 5]) << 24 : 0
            let storedSize = input.count >= 8 ? Int(UInt32(input[input.count - 4]) | UInt32(input[input.count - 3]) << 8 | UInt32(input[input.count - 2]) << 16 | UInt32(input[input.count - 1]) << 24) : -1
            guard storedSize >= 0 && storedSize <= output.count && CRC32.checksum(output.suffix(storedSize)) == storedCRC
                    && (source.multiMember || storedSize == output.count) else {
                Issue.record("iteration \(iteration) (mutation \(mutation)): decoded \(output.count) bytes that disagree with the stored trailer")
                continue
            }
            if output == source.original {
                unchanged += 1
            } else if !(source.multiMember && source.original.starts(with: output)) {
                Issue.record("iteration \(iteration) (mutation \(mutation)): decoded \(output.count) bytes differing from the original")
            }
        }
        #expect(decoded + refused == iterations)
        #expect(refused > iterations / 2)
        #expect(decoded > 0 && unchanged > 0)
    }
}

// MARK: - Differential tests against a reference decoder

/// A slow, plain inflater after Mark Adler's puff.c: one bit at a time, canonical codes decoded
/// by counting, no tables. It follows the same acceptance rules as `Inflater` (zlib's), so the
/// two must agree on every stream: success or failure, and the bytes produced before a failure.
private struct ReferenceInflater {
    enum Failure: Error { case truncated, invalid }

    struct Code {
        var counts = [Int](repeating: 0, count: 16)
        var symbols: [Int] = []
    }

    let input: [UInt8]
    var bitPosition = 0
    var output: [UInt8] = []

    init(_ input: [UInt8]) { self.input = input }

    mutating func bit() throws(Failure) -> Int {
        guard bitPosition < input.count * 8 else { throw .truncated }
        defer { bitPosition += 1 }
        return Int(input[bitPosition >> 3] >> UInt8(bitPosition & 7)) & 1
    }

    mutating func bits(_ n: Int) throws(Failure) -> Int {
        var value = 0
        for i in 0..<n { value |= try bit() << i }
        return value
    }

    /// nil for an over-subscribed set, or an incomplete one other than a lone one-bit code.
    static func code(_ lengths: some Collection<Int>, codeLengths: Bool = false) -> Code? {
        var code = Code()
        for l in lengths where l > 0 { code.counts[l] += 1 }
        var left = 1
        var longest = 0
        for length in 1...15 {
            left = 2 * left - code.counts[length]
            if left < 0 { return nil }
            if code.counts[length] > 0 { longest = length }
        }
        if left > 0 && (codeLengths || longest > 1) { return nil }
        for length in 1...15 {
            for (symbol, l) in lengths.enumerated() where l == length { code.symbols.append(symbol) }
        }
        return code
    }

    mutating func decode(_ code: Code) throws(Failure) -> Int {
        var value = 0, first = 0, index = 0
        for length in 1...15 {
            value |= try bit()
            let count = code.counts[length]
            if value - count < first { return code.symbols[index + value - first] }
            index += count
            first = (first + count) << 1
            value <<= 1
        }
        throw .invalid
    }

    mutating func inflate() throws(Failure) {
        var final = 0
        repeat {
            final = try bit()
            switch try bits(2) {
            case 0:
                let p = (bitPosition + 7) / 8
                guard p + 4 <= input.count else { throw .truncated }
                let length = Int(input[p]) | Int(input[p + 1]) << 8
                guard length == ~(Int(input[p + 2]) | Int(input[p + 3]) << 8) & 0xFFFF else { throw .invalid }
                guard p + 4 + length <= input.count else { throw .truncated }
                output += input[(p + 4)..<(p + 4 + length)]
                bitPosition = (p + 4 + length) * 8
            case 1:
                let lengths = (0..<288).map { $0 < 144 ? 8 : $0 < 256 ? 9 : $0 < 280 ? 7 : 8 }
                try codes(ReferenceInflater.code(lengths)!, ReferenceInflater.code([Int](repeating: 5, count: 32))!)
            case 2:
                try dynamic()
            default:
                throw .invalid
            }
        } while final == 0
    }

    mutating func dynamic() throws(Failure) {
        let literalCount = try bits(5) + 257
        let distanceCount = try bits(5) + 1
        let codeLengthCount = try bits(4) + 4
        guard literalCount <= 286 && distanceCount <= 30 else { throw .invalid }
        var codeLengthLengths = [Int](repeating: 0, count: 19)
        for i in 0..<codeLengthCount { codeLengthLengths[DeflateWriter.codeLengthOrder[i]] = try bits(3) }
        guard let codeLengthCode = ReferenceInflater.code(codeLengthLengths, codeLengths: true) else { throw .invalid }
        var lengths: [Int] = []
        while lengths.count < literalCount + distanceCount {
            let symbol = try decode(codeLengthCode)
            if symbol < 16 {
                lengths.append(symbol)
                continue
            }
            let (value, run) = switch symbol {
            case 16: (lengths.last ?? -1, try 3 + bits(2))
            case 17: (0, try 3 + bits(3))
            default: (0, try 11 + bits(7))
            }
            guard value >= 0 && lengths.count + run <= literalCount + distanceCount else { throw .invalid }
            lengths += repeatElement(value, count: run)
        }
        guard lengths[256] != 0,
              let literal = ReferenceInflater.code(lengths[..<literalCount]),
              let distance = ReferenceInflater.code(lengths[literalCount...])
        else { throw .invalid }
        try codes(literal, distance)
    }

    mutating func codes(_ literal: Code, _ distance: Code) throws(Failure) {
        while true {
            let symbol = try decode(literal)
            if symbol < 256 {
                output.append(UInt8(symbol))
                continue
            }
            if symbol == 256 { return }
            guard symbol <= 285 else { throw .invalid }
            let length = Int(HuffmanEntry.lengthBase[symbol - 257]) + (try bits(Int(HuffmanEntry.lengthExtra[symbol - 257])))
            let d = try decode(distance)
            guard d < 30 else { throw .invalid }
            let dist = Int(HuffmanEntry.distanceBase[d]) + (try bits(Int(HuffmanEntry.distanceExtra[d])))
            guard dist <= output.count else { throw .invalid }
            for _ in 0..<length { output.append(output[output.count - dist]) }
        }
    }
}

/// `Inflater` on a raw deflate stream: what it produced, and whether it finished.
private func inflateRaw(_ deflate: [UInt8], maximumSize: Int = 1 << 24) -> (output: [UInt8], ok: Bool) {
    deflate.withUnsafeBufferPointer { input in
        var inflater = Inflater(input: input, position: 0, maximumSize: maximumSize)
        var output: [UInt8] = []
        var count = 0
        do {
            try inflater.inflate(into: &output, count: &count)
            return (Array(output[..<count]), true)
        } catch {
            return (Array(output[..<count]), false)
        }
    }
}

private func inflateReference(_ deflate: [UInt8]) -> (output: [UInt8], ok: Bool) {
    var reference = ReferenceInflater(deflate)
    do {
        try reference.inflate()
        return (reference.output, true)
    } catch {
        return (reference.output, false)
    }
}

/// Random code lengths forming a complete prefix code on `symbols` of `alphabet` symbols (or,
/// for one symbol, the single one-bit code), with chains of splits so 11–15-bit codes and hence
/// sub-tables are common.
private func randomCodeLengths(symbols: Int, alphabet: Int, including required: Int?, using rng: inout GzipTestRandom) -> [Int] {
    var depths = symbols == 1 ? [1] : [1, 1]
    var last = 0
    while depths.count < symbols {
        var leaf = Int.random(in: 0..<depths.count, using: &rng)
        if Bool.random(using: &rng) && depths[last] < 15 { leaf = last }
        guard depths[leaf] < 15 else { continue }
        let depth = depths[leaf] + 1
        depths[leaf] = depth
        depths.append(depth)
        last = depths.count - 1
    }
    var order = Array(0..<alphabet)
    order.shuffle(using: &rng)
    if let required, let at = order.firstIndex(of: required), at >= symbols {
        order.swapAt(at, Int.random(in: 0..<symbols, using: &rng))
    }
    var lengths = [Int](repeating: 0, count: alphabet)
    for (k, depth) in depths.enumerated() { lengths[order[k]] = depth }
    return lengths
}

@Suite struct GzipDifferentialTests {
    /// Payloads of single-member fixtures with a plain 10-byte header.
    static func plainPayloads() throws -> [[UInt8]] {
        try GzipFixtures.manifest().compactMap { entry in
            let bytes = try GzipFixtures.bytes(entry.file)
            guard bytes[3] == 0, !entry.file.contains("members") else { return nil }
            return Array(bytes[10..<(bytes.count - 8)])
        }
    }

    @Test func referenceDecodesTheFixtures() throws {
        let payloads = try GzipDifferentialTests.plainPayloads()
        try #require(payloads.count >= 80)
        for payload in payloads {
            let ours = inflateRaw(payload)
            let reference = inflateReference(payload)
            #expect(ours.ok && reference.ok && ours.output == reference.output)
        }
    }

    /// Random dynamic blocks, after a stored block so that distances have bytes to reach, with
    /// random bits as symbols: both decoders must agree bit for bit, failures included.
    @Test func randomCodesAgreeWithReference() {
        var rng = GzipTestRandom(state: 0xDEF1_A7E)
        var finished = 0, subtableCodes = 0
        for iteration in 0..<4000 {
            var w = DeflateWriter()
            let stored = [0, 1, 300, 32768][iteration % 4]
            w.bits(0, 1)
            w.bits(0, 2)
            _ = w.finished()
            w.bits(stored, 16)
            w.bits(~stored & 0xFFFF, 16)
            for _ in 0..<stored { w.bits(Int.random(in: 0...255, using: &rng), 8) }

            let literalCount = Int.random(in: 257...286, using: &rng)
            var literal = randomCodeLengths(
                symbols: iteration % 50 == 0 ? 1 : Int.random(in: 2...literalCount, using: &rng),
                alphabet: literalCount, including: 256, using: &rng)
            let distanceCount = Int.random(in: 1...30, using: &rng)
            var distance = randomCodeLengths(
                symbols: Int.random(in: 1...distanceCount, using: &rng), alphabet: distanceCount, including: nil, using: &rng)
            if iteration % 10 == 1 {  // usually breaks the set: over-subscribed or incomplete
                let i = Int.random(in: 0..<literal.count, using: &rng)
                literal[i] = min(15, max(0, literal[i] + (Bool.random(using: &rng) ? 1 : -1)))
            } else if iteration % 10 == 2 {
                let i = Int.random(in: 0..<distance.count, using: &rng)
                distance[i] = min(15, max(0, distance[i] + (Bool.random(using: &rng) ? 1 : -1)))
            }
            subtableCodes += literal.filter { $0 > HuffmanEntry.literalLengthRootBits }.count
                + distance.filter { $0 > HuffmanEntry.distanceRootBits }.count
            w.dynamicBlock(final: true, literalLengths: literal, distanceLengths: distance)
            // Symbols: mostly the codes of random symbols (so that blocks get somewhere), some raw bits.
            let literalCodes = canonicalCodes(literal), distanceCodes = canonicalCodes(distance)
            let literalUsed = literal.indices.filter { literal[$0] > 0 && $0 != 256 }
            let distanceUsed = distance.indices.filter { distance[$0] > 0 }
            for _ in 0..<Int.random(in: 0...400, using: &rng) {
                if Int.random(in: 0..<8, using: &rng) == 0 || literalUsed.isEmpty {
                    w.bits(Int.random(in: 0..<(1 << 15), using: &rng), Int.random(in: 1...15, using: &rng))
                    continue
                }
                let s = literalUsed[Int.random(in: 0..<literalUsed.count, using: &rng)]
                w.code(literalCodes[s], literal[s])
                if s > 256 {
                    w.bits(Int.random(in: 0..<32, using: &rng), Int(HuffmanEntry.lengthExtra[s - 257]))
                    if let d = distanceUsed.randomElement(using: &rng) {
                        w.code(distanceCodes[d], distance[d])
                        w.bits(Int.random(in: 0..<(1 << 13), using: &rng), Int(HuffmanEntry.distanceExtra[d]))
                    }
                }
            }
            if Bool.random(using: &rng) && literal[256] > 0 { w.code(literalCodes[256], literal[256]) }
            let stream = w.finished()
            let ours = inflateRaw(stream)
            let reference = inflateReference(stream)
            if ours.ok != reference.ok || ours.output != reference.output {
                Issue.record("iteration \(iteration): ours \(ours.ok) \(ours.output.count) bytes, reference \(reference.ok) \(reference.output.count) bytes")
            }
            if ours.ok { finished += 1 }
        }
        #expect(finished > 200)
        #expect(subtableCodes > 10_000)
    }

    /// zlib's own streams, damaged: the two decoders agree on every one.
    @Test func damagedStreamsAgreeWithReference() throws {
        let payloads = try GzipDifferentialTests.plainPayloads().filter { $0.count < 8000 }
        var rng = GzipTestRandom(state: 1951)
        var agreedFailures = 0
        for iteration in 0..<15_000 {
            var stream = payloads[Int.random(in: 0..<payloads.count, using: &rng)]
            if stream.isEmpty { continue }
            switch iteration % 3 {
            case 0: stream.removeLast(Int.random(in: 1...stream.count, using: &rng))
            case 1:
                for _ in 0..<Int.random(in: 1...2, using: &rng) {
                    stream[Int.random(in: 0..<stream.count, using: &rng)] ^= 1 << UInt8.random(in: 0...7, using: &rng)
                }
            default: stream[Int.random(in: 0..<stream.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            }
            let ours = inflateRaw(stream)
            let reference = inflateReference(stream)
            if ours.ok != reference.ok || ours.output != reference.output {
                Issue.record("iteration \(iteration): ours \(ours.ok) \(ours.output.count) bytes, reference \(reference.ok) \(reference.output.count) bytes")
            }
            if !ours.ok && !reference.ok { agreedFailures += 1 }
        }
        #expect(agreedFailures > 5000)
    }
}
