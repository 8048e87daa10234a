import OptBenchCore
import Foundation
import Testing
import OptBenchKernels
import TestSupport

@testable import OptBenchDatasets

/// `Dataset.idx`: image+label pairs, plain or gzipped, and every way a pair can be wrong.
@Suite struct DatasetIDXTests {
    static func digits(_ part: String, gz: Bool = true) -> (String, String) {
        let suffix = gz ? ".gz" : ""
        return (IDXFixture.digits("digits-\(part)-images-idx3-ubyte\(suffix)"),
                IDXFixture.digits("digits-\(part)-labels-idx1-ubyte\(suffix)"))
    }

    /// Counts, sums and samples computed from the same files by Python's gzip and numpy.
    @Test func committedDigitsMatchNumpy() throws {
        let (images, labels) = Self.digits("train")
        let train = try Dataset.idx(images: images, labels: labels)
        #expect(train.name == "digits-train-images-idx3-ubyte")
        #expect(train.count == 1500 && train.sampleShape == [8, 8] && train.featureCount == 64)
        #expect(train.task == .classification(classes: 10) && train.classCount == 10)
        #expect((0..<10).map { c in train.labels.count { $0 == c } } == [156, 144, 151, 156, 146, 150, 148, 142, 146, 161])
        #expect(Array(train.labels.prefix(10)) == [2, 6, 8, 9, 7, 3, 6, 6, 6, 9])
        #expect(Array(train.features.prefix(16)) == [0, 0, 176, 255, 240, 48, 0, 0, 0, 80, 255, 192, 176, 208, 0, 0])
        #expect(train.features.reduce(0.0) { $0 + Double($1) } == 7_493_683)

        let (testImages, testLabels) = Self.digits("test")
        let test = try Dataset.idx(images: testImages, labels: testLabels, classes: 10)
        #expect(test.count == 297)
        #expect((0..<10).map { c in test.labels.count { $0 == c } } == [22, 38, 26, 27, 35, 32, 33, 37, 28, 19])
        #expect(test.features.reduce(0.0) { $0 + Double($1) } == 1_483_349)
    }

    @Test func plainDigitsEqualTheGzippedOnes() throws {
        for part in ["train", "test"] {
            let (gzImages, gzLabels) = Self.digits(part)
            let gz = try Dataset.idx(images: gzImages, labels: gzLabels)
            let plain = try Dataset.idx(
                images: IDXFixture.digits("digits-\(part)-images-idx3-ubyte"), labels: IDXFixture.digits("digits-\(part)-labels-idx1-ubyte"))
            #expect(plain.features == gz.features && plain.labels == gz.labels && plain.sampleShape == gz.sampleShape)
            // The raw bytes after the 16-byte header are the pixels.
            let raw = try #require(FileManager.default.contents(atPath: IDXFixture.digits("digits-\(part)-images-idx3-ubyte")))
            #expect(plain.features == raw.dropFirst(16).map { Float($0) })
        }
    }

    /// A file larger than the 1 MiB read chunk, of each element type, reads the same plain, gzipped
    /// and from memory, with the values written.
    @Test(arguments: [UInt8(0x08), 0x09, 0x0B, 0x0C, 0x0D, 0x0E])
    func plainGzipAndMemoryAgreeAcrossChunks(type: UInt8) throws {
        let size = try #require(IDXReference.size(of: type))
        let n = (1 << 20) / (size * 12) + 7  // more than one chunk
        var random = Xoshiro256(seed: UInt64(type))
        var expected: [Float] = []
        var payload: [UInt8] = []
        for _ in 0..<n * 12 {
            let v: Double
            switch type {
            case 0x08: v = Double(random.nextInt(below: 256))
            case 0x09: v = Double(random.nextInt(below: 256)) - 128
            case 0x0B: v = Double(random.nextInt(below: 65536)) - 32768
            case 0x0C: v = Double(random.nextInt(below: 1 << 24)) - Double(1 << 23)
            default: v = Double(Float(random.nextGaussian() * 100))
            }
            expected.append(Float(v))
            switch type {
            case 0x0D: payload += IDXReference.bigEndian(UInt64(Float(v).bitPattern), 4)
            case 0x0E: payload += IDXReference.bigEndian(v.bitPattern, 8)
            default: payload += IDXReference.bigEndian(UInt64(bitPattern: Int64(v)), size)
            }
        }
        let images = IDXFixture.bytes(type: type, dims: [n, 3, 4], payload: payload)
        let labels = IDXFixture.bytes(type: 0x08, dims: [n], payload: (0..<n).map { UInt8($0 % 7) })
        let dir = try IDXFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let plain = try Dataset.idx(
            images: IDXFixture.write(images, "x.idx", in: dir), labels: IDXFixture.write(labels, "y.idx", in: dir))
        let gz = try Dataset.idx(
            images: IDXFixture.write(IDXReference.gzipStored(images, members: 2, blockSize: 65535), "x.idx.gz", in: dir),
            labels: IDXFixture.write(IDXReference.gzipStored(labels, members: 1, blockSize: 100), "y.idx.gz", in: dir))
        let memory = try Dataset.idx(imageContents: images, imageSource: "x", labelContents: labels, labelSource: "y")
        #expect(plain.features == expected)
        #expect(gz.features == expected && memory.features == expected)
        #expect(plain.labels == (0..<n).map { Int32($0 % 7) } && gz.labels == plain.labels && plain.classCount == 7)
        #expect(plain.sampleShape == [3, 4] && plain.name == "x.idx" && gz.name == "x.idx")
    }

    /// A NaN in the second chunk of a plain float file is reported by its index in the file.
    @Test func nonFiniteValueInALaterChunkNamesItsIndex() throws {
        let n = (1 << 20) / 4 + 100
        var payload = [UInt8](repeating: 0, count: 4 * n)
        let bad = n - 3
        payload.replaceSubrange(4 * bad..<4 * bad + 4, with: [0x7F, 0xC0, 0, 0])
        let dir = try IDXFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = try IDXFixture.write(IDXFixture.bytes(type: 0x0D, dims: [n, 1], payload: payload), "nan.idx", in: dir)
        #expect(configurationMessage { _ = try IDXReader.read(contentsOf: path, as: Float.self) }
            == "file \(path): element \(bad) is nan; expected finite values")
    }

    @Test func doublesBeyondFloatRangeAreRefusedAsFloat() throws {
        let bytes = IDXFixture.doubles([1, 2, 1e39, 4], dims: [2, 2])
        #expect(try IDXReader.decode(bytes, source: "d").values == [1, 2, 1e39, 4])
        #expect(configurationMessage { _ = try IDXReader.decode(bytes, source: "d", as: Float.self) }?
            .hasPrefix("file d: element 2 is 1e+39, beyond the range of Float") == true)
    }

    // MARK: Pair-level errors

    static let images = IDXFixture.bytes(type: 0x08, dims: [3, 2, 2], payload: Array(0..<12))

    static func message(images: [UInt8] = images, labels: [UInt8], classes: Int? = nil) -> String? {
        configurationMessage {
            _ = try Dataset.idx(imageContents: images, imageSource: "img", labelContents: labels, labelSource: "lab", classes: classes)
        }
    }

    @Test func countMismatchNamesBothFiles() {
        #expect(Self.message(labels: IDXFixture.bytes(type: 0x08, dims: [4], payload: [0, 1, 2, 3]))
            == "file img: 3 images (3×2×2 ubyte) but 4 labels in lab; expected one label per image")
    }

    @Test func labelBeyondClassesNamesIndexAndValue() {
        let labels = IDXFixture.bytes(type: 0x08, dims: [3], payload: [0, 9, 3])
        #expect(Self.message(labels: labels, classes: 3) == "file lab: label 1 is 9; expected a class in 0..<3 (classes = 3)")
        #expect(Self.message(labels: labels, classes: 0) == "file lab: classes = 0 given for these labels; expected 1...65536")
        #expect(Self.message(labels: labels, classes: 10) == nil)
    }

    @Test func negativeLabelIsRefused() {
        let labels = IDXFixture.bytes(type: 0x09, dims: [3], payload: [0, 0xFF, 1])  // byte: −1
        #expect(Self.message(labels: labels) == "file lab: label 1 is -1; expected non-negative class indices")
    }

    @Test func labelsMustBeOneDimensionalIntegers() {
        #expect(Self.message(labels: IDXFixture.bytes(type: 0x08, dims: [3, 1], payload: [0, 1, 2]))
            == "file lab: labels of shape 3×1 ubyte; expected a one-dimensional IDX file (one label per image)")
        #expect(Self.message(labels: IDXFixture.doubles([0, 1, 2], dims: [3]))
            == "file lab: labels of element type double; expected an integer type (ubyte, byte, short or int)")
    }

    @Test func imagesNeedTwoDimensionsAndPixels() {
        let labels = IDXFixture.bytes(type: 0x08, dims: [3], payload: [0, 1, 2])
        #expect(Self.message(images: IDXFixture.bytes(type: 0x08, dims: [3], payload: [1, 2, 3]), labels: labels)
            == "file img: images of shape 3 ubyte; expected at least two dimensions (samples × features)")
        #expect(Self.message(images: IDXFixture.bytes(type: 0x08, dims: [3, 0], payload: []), labels: labels)
            == "file img: images of shape 3×0 ubyte have no pixels; expected every size positive")
        #expect(Self.message(images: IDXFixture.bytes(type: 0x08, dims: [0, 2], payload: []), labels: IDXFixture.bytes(type: 0x08, dims: [0], payload: []))
            == "file img: 0×2 ubyte holds no images; expected at least one")
    }

    @Test func inferredClassCountIsLargestLabelPlusOne() throws {
        let labels = IDXFixture.bytes(type: 0x0B, dims: [3], payload: [0, 4, 0, 0, 0, 1])  // short: 4, 0, 1
        let d = try Dataset.idx(imageContents: Self.images, imageSource: "img", labelContents: labels, labelSource: "lab")
        #expect(d.labels == [4, 0, 1] && d.classCount == 5 && d.features == (0..<12).map(Float.init))
        let huge = IDXFixture.bytes(type: 0x0C, dims: [3], payload: [0, 0, 0, 1, 0x7F, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0])
        #expect(Self.message(labels: huge)
            == "file lab: largest label 2147483647 would make 2147483648 classes; expected at most 65536 (labels 0..<classes)")
    }

    @Test func damagedGzipAndMissingFilesNameTheFile() throws {
        let dir = try IDXFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var gz = IDXReference.gzipStored(Self.images, members: 1, blockSize: 5)
        gz[gz.count - 8] ^= 1  // the CRC-32
        let images = try IDXFixture.write(gz, "img.gz", in: dir)
        let labels = try IDXFixture.write(IDXFixture.bytes(type: 0x08, dims: [3], payload: [0, 1, 2]), "lab", in: dir)
        let message = configurationMessage { _ = try Dataset.idx(images: images, labels: labels) }
        #expect(message?.hasPrefix("file \(images): gzip member 1: CRC-32 mismatch") == true, "\(message ?? "accepted")")
        #expect(configurationMessage { _ = try Dataset.idx(images: images, labels: dir.path + "/none") }
            == "file \(dir.path)/none: does not exist; expected an IDX file")
    }
}
