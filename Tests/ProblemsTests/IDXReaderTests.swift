import Core
import Foundation
import Testing

@testable import Problems

/// /work/shared/data from Tests/ProblemsTests/<file>.swift: four levels up, then shared/data.
let sharedDataDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("shared/data")
let digitsAvailable = FileManager.default.fileExists(atPath: sharedDataDirectory.appendingPathComponent("digits-train-images-idx3-ubyte").path)

/// IDX bytes: magic 0 0 type ndims, big-endian UInt32 sizes, then `payload`.
func idxBytes(type: UInt8, dims: [Int], payload: [UInt8]) -> [UInt8] {
    var b: [UInt8] = [0, 0, type, UInt8(dims.count)]
    for n in dims { b += [UInt8(n >> 24 & 255), UInt8(n >> 16 & 255), UInt8(n >> 8 & 255), UInt8(n & 255)] }
    return b + payload
}

/// Big-endian float64 IDX bytes for `values` with the given dimensions.
func idxDoubles(_ values: [Double], dims: [Int]) -> [UInt8] {
    var payload: [UInt8] = []
    for v in values {
        let u = v.bitPattern
        for k in (0..<8).reversed() { payload.append(UInt8(u >> (8 * UInt64(k)) & 255)) }
    }
    return idxBytes(type: 0x0E, dims: dims, payload: payload)
}

/// A fresh temporary directory for one test.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("optbench-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

func write(_ bytes: [UInt8], _ name: String, in dir: URL) throws -> String {
    let url = dir.appendingPathComponent(name)
    try Data(bytes).write(to: url)
    return url.path
}

func configurationMessage(_ body: () throws -> Void) -> String? {
    do { try body() } catch let e as ConfigurationError { return e.message } catch { return "unexpected \(error)" }
    return nil
}

@Suite struct IDXReaderTests {
    @Test(.enabled(if: digitsAvailable, "needs the digits files in ../shared/data"))
    func readsRealDigits() throws {
        let images = try IDXReader.read(contentsOf: sharedDataDirectory.appendingPathComponent("digits-train-images-idx3-ubyte").path)
        #expect(images.elementType == .ubyte)
        #expect(images.dimensions == [1500, 8, 8])
        #expect(images.rows == 1500 && images.columns == 64)
        #expect(images.values.allSatisfy { $0 >= 0 && $0 <= 255 && $0 == $0.rounded() })
        #expect(images.values.contains { $0 > 0 })
        let labels = try IDXReader.read(contentsOf: sharedDataDirectory.appendingPathComponent("digits-train-labels-idx1-ubyte").path)
        #expect(labels.dimensions == [1500])
        #expect(Set(labels.values) == Set((0...9).map(Double.init)))
    }

    @Test func decodesEveryTypeBigEndian() throws {
        let cases: [(UInt8, [UInt8], [Double])] = [
            (0x08, [0, 200], [0, 200]),
            (0x09, [0x7F, 0xFF], [127, -1]),
            (0x0B, [0x01, 0x02, 0xFF, 0xFE], [258, -2]),
            (0x0C, [0, 1, 0, 0, 0xFF, 0xFF, 0xFF, 0xFD], [65536, -3]),
            (0x0D, [0x3F, 0xC0, 0, 0, 0xC0, 0x20, 0, 0], [1.5, -2.5]),
        ]
        for (type, payload, expected) in cases {
            let a = try IDXReader.decode(idxBytes(type: type, dims: [2], payload: payload), source: "t")
            #expect(a.values == expected, "type \(type)")
        }
        let d = try IDXReader.decode(idxDoubles([0.1, -1e300, 3], dims: [3, 1]), source: "t")
        #expect(d.values == [0.1, -1e300, 3] && d.rows == 3 && d.columns == 1)
    }

    @Test func truncatedDataNamesExpectedAndFoundBytes() throws {
        let dir = try temporaryDirectory()
        let path = try write(idxBytes(type: 0x08, dims: [1500, 8, 8], payload: [UInt8](repeating: 1, count: 11000)), "short.idx", in: dir)
        let message = configurationMessage { _ = try IDXReader.read(contentsOf: path) }
        #expect(message == "file \(path): expected 96000 data bytes for 1500×8×8 ubyte, found 11000")
    }

    @Test func wrongMagicIsRejected() {
        let message = configurationMessage { _ = try IDXReader.decode([0x1F, 0x8B, 0x08, 0x01, 0, 0, 0, 0], source: "x.gz") }
        #expect(message?.hasPrefix("file x.gz: magic number starts with 0x1F 0x8B; expected 0x00 0x00") == true)
    }

    @Test func unknownTypeCodeIsRejected() {
        let message = configurationMessage { _ = try IDXReader.decode(idxBytes(type: 0x0A, dims: [1], payload: [0]), source: "f") }
        #expect(message?.hasPrefix("file f: unknown type code 0x0A in byte 2; expected one of 0x08 (ubyte)") == true)
    }

    @Test func truncatedHeaderAndMissingFile() {
        #expect(configurationMessage { _ = try IDXReader.decode([0, 0, 8, 3, 0, 0, 0, 5], source: "h") }
            == "file h: header with 3 dimensions needs 16 bytes, found 8")
        #expect(configurationMessage { _ = try IDXReader.decode([0, 0], source: "h") }?.contains("truncated to 2 bytes") == true)
        #expect(configurationMessage { _ = try IDXReader.read(contentsOf: "/nonexistent/x.idx") }
            == "file /nonexistent/x.idx: does not exist; expected an IDX file")
    }

    @Test func nonFiniteFloatsAreRejected() {
        let message = configurationMessage { _ = try IDXReader.decode(idxDoubles([1, .nan], dims: [2]), source: "n") }
        #expect(message?.hasPrefix("file n: element 1 is nan") == true)
    }
}
