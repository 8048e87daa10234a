import Foundation
import OptBenchCore
import OptBenchDatasets
import Testing
import TestSupport

func configurationMessage(_ body: () throws -> Void) -> String? {
    do { try body() } catch let e as ConfigurationError { return e.message } catch { return "unexpected \(error)" }
    return nil
}

@Suite struct IDXReaderTests {
    @Test func readsRealDigits() throws {
        let images = try IDXReader.read(contentsOf: IDXFixture.digits("digits-train-images-idx3-ubyte"))
        #expect(images.elementType == .ubyte)
        #expect(images.dimensions == [1500, 8, 8])
        #expect(images.rows == 1500 && images.columns == 64)
        #expect(images.values.allSatisfy { $0 >= 0 && $0 <= 255 && $0 == $0.rounded() })
        #expect(images.values.contains { $0 > 0 })
        let labels = try IDXReader.read(contentsOf: IDXFixture.digits("digits-train-labels-idx1-ubyte"))
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
            let a = try IDXReader.decode(IDXFixture.bytes(type: type, dims: [2], payload: payload), source: "t")
            #expect(a.values == expected, "type \(type)")
        }
        let d = try IDXReader.decode(IDXFixture.doubles([0.1, -1e300, 3], dims: [3, 1]), source: "t")
        #expect(d.values == [0.1, -1e300, 3] && d.rows == 3 && d.columns == 1)
    }

    @Test func truncatedDataNamesExpectedAndFoundBytes() throws {
        let dir = try IDXFixture.temporaryDirectory()
        let path = try IDXFixture.write(IDXFixture.bytes(type: 0x08, dims: [1500, 8, 8], payload: [UInt8](repeating: 1, count: 11000)), "short.idx", in: dir)
        let message = configurationMessage { _ = try IDXReader.read(contentsOf: path) }
        #expect(message == "file \(path): expected 96000 data bytes for 1500×8×8 ubyte, found 11000")
    }

    @Test func wrongMagicIsRejected() {
        let message = configurationMessage { _ = try IDXReader.decode([0x1F, 0x8B, 0x08, 0x01, 0, 0, 0, 0], source: "x.gz") }
        #expect(message?.hasPrefix("file x.gz: magic number starts with 0x1F 0x8B; expected 0x00 0x00") == true)
    }

    @Test func unknownTypeCodeIsRejected() {
        let message = configurationMessage { _ = try IDXReader.decode(IDXFixture.bytes(type: 0x0A, dims: [1], payload: [0]), source: "f") }
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
        let message = configurationMessage { _ = try IDXReader.decode(IDXFixture.doubles([1, .nan], dims: [2]), source: "n") }
        #expect(message?.hasPrefix("file n: element 1 is nan") == true)
    }

    @Test func nonFiniteFloat32IsRejectedWithItsIndex() {
        // 0x7F800000 is +∞ in float32.
        let message = configurationMessage {
            _ = try IDXReader.decode(IDXFixture.bytes(type: 0x0D, dims: [3], payload: [0, 0, 0, 0, 0x3F, 0x80, 0, 0, 0x7F, 0x80, 0, 0]), source: "inf.idx")
        }
        #expect(message == "file inf.idx: element 2 is inf; expected finite values")
    }

    @Test func zeroDimensionsAreRejected() {
        #expect(configurationMessage { _ = try IDXReader.decode([0, 0, 8, 0], source: "z") }
            == "file z: number of dimensions (byte 3) is 0; expected at least 1")
    }

    @Test func unreadablePathNamesTheFile() throws {
        let dir = try IDXFixture.temporaryDirectory()
        #expect(configurationMessage { _ = try IDXReader.read(contentsOf: dir.path) } == "file \(dir.path): cannot be read; expected an IDX file")
    }
}

/// A gzipped IDX file reads as the plain one; a damaged one is refused naming the file.
@Suite struct GzippedIDXTests {
    static let data = IDXFixture.digitsDirectory

    @Test func gzippedDigitsReadAsThePlainFile() throws {
        let plain = Self.data.appendingPathComponent("digits-test-images-idx3-ubyte").path
        let gz = plain + ".gz"
        #expect(FileManager.default.fileExists(atPath: gz), "missing \(gz)")
        let a = try IDXReader.read(contentsOf: plain), b = try IDXReader.read(contentsOf: gz)
        #expect(a.dimensions == b.dimensions && a.values == b.values)
    }

    @Test func damagedGzipNamesTheFile() throws {
        let gz = URL(fileURLWithPath: IDXFixture.digits("digits-test-images-idx3-ubyte.gz"))
        var bytes = try Data(contentsOf: gz)
        bytes[bytes.count - 6] ^= 0x40  // inside the CRC-32 of the trailer
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("optbench-\(UUID().uuidString).gz").path
        _ = FileManager.default.createFile(atPath: path, contents: bytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            _ = try IDXReader.read(contentsOf: path)
            Issue.record("a damaged gzip file was accepted")
        } catch {
            #expect(error.message.hasPrefix("file \(path): ") && error.message.contains("CRC-32"), "\(error.message)")
        }
    }
}
