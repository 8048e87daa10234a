import OptBenchKernels

/// Random IDX inputs — valid files, truncations, bit flips, huge dimensions, random type codes,
/// garbage, gzip-wrapped and gzip-corrupted files, image+label pairs — each with the outcome an
/// independent reference decoder predicts, for fuzzing the reader (`make fuzz`, the unit test).
///
/// The reference knows nothing of the code under test: it decodes IDX byte by byte and writes
/// gzip with stored blocks and its own bitwise CRC-32. Corruptions of compressed files (where
/// predicting the result would need an inflater) expect either a refusal or exactly the
/// original content, which the CRC-32 of the trailer guarantees up to a 2⁻³² chance.
public struct IDXFuzzer {
    /// What decoding a case must give.
    public enum Expectation: Sendable {
        /// The contents decode to this array (`nil`: they are refused).
        case array(IDXReferenceArray?)
        /// Refused, or decoded to exactly this array (nil: refused in any case).
        case refusedOr(IDXReferenceArray?)
        /// The pair loads as this data set (nil: refused).
        case dataset(IDXReferenceDataset?)
    }

    /// One input: the contents of one file, or of an image file and a label file.
    public struct Case: Sendable {
        public let kind: String
        public let contents: [UInt8]
        public let labelContents: [UInt8]
        public let classes: Int?
        public let expectation: Expectation
        public var isPair: Bool { if case .dataset = expectation { return true } else { return false } }
    }

    /// A compressed file and its content, to corrupt.
    public struct CompressedSeed: Sendable {
        public let compressed: [UInt8]
        public let content: [UInt8]
        public init(compressed: [UInt8], content: [UInt8]) {
            self.compressed = compressed
            self.content = content
        }
    }

    var random: Xoshiro256
    let seeds: [CompressedSeed]

    public init(seed: UInt64, compressedSeeds: [CompressedSeed]) {
        random = Xoshiro256(seed: seed)
        seeds = compressedSeeds
    }

    public mutating func next() -> Case {
        let roll = int(100)
        if roll < 22 { return pairCase() }
        if roll < 40, !seeds.isEmpty { return compressedCorruption() }
        var (kind, bytes) = mutatedArray()
        let expected = IDXReference.decode(bytes: bytes)
        if int(4) == 0 {
            bytes = IDXReference.gzipStored(bytes, members: 1 + int(3), blockSize: 1 + int(64))
            kind = "gzip(" + kind + ")"
            if int(3) == 0 {
                return Case(kind: kind + "+corrupt", contents: corrupt(bytes), labelContents: [], classes: nil, expectation: .refusedOr(expected))
            }
        }
        return Case(kind: kind, contents: bytes, labelContents: [], classes: nil, expectation: .array(expected))
    }

    // MARK: Random pieces

    mutating func int(_ bound: Int) -> Int { random.nextInt(below: bound) }
    mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: random.next()) }

    static let typeCodes: [UInt8] = [0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E]

    /// A valid file of a random type with 1–4 dimensions (rarely up to 6) of 0–6 entries
    /// (the first up to 12), elements random bits for integers and assorted values for floats.
    mutating func validArray(type: UInt8? = nil, dims given: [Int]? = nil, finiteFloat: Bool = false) -> [UInt8] {
        let type = type ?? Self.typeCodes[int(6)]
        var dims = given ?? []
        if given == nil {
            let ndims = int(10) == 0 ? 5 + int(2) : 1 + int(4)
            dims = (0..<ndims).map { $0 == 0 ? int(13) : int(7) }
        }
        let count = dims.reduce(1, *)
        var payload: [UInt8] = []
        for _ in 0..<count {
            switch type {
            case 0x0D: payload += IDXReference.bigEndian(UInt64(randomFloat(finite: finiteFloat).bitPattern), 4)
            case 0x0E: payload += IDXReference.bigEndian(randomDouble(finite: finiteFloat).bitPattern, 8)
            default: payload += IDXReference.bigEndian(random.next(), IDXReference.size(of: type)!)
            }
        }
        return IDXReference.header(type: type, dims: dims) + payload
    }

    mutating func randomFloat(finite: Bool) -> Float {
        switch int(finite ? 6 : 8) {
        case 0: return Float(bitPattern: UInt32(truncatingIfNeeded: random.next()) & 0x807F_FFFF)  // subnormal or zero
        case 1: return Float(random.nextGaussian())
        case 2: return Float(int(256))
        case 3, 4, 5: return Float(random.nextGaussian() * Math.pow(10, Double(int(60)) - 30))
        case 6: return int(2) == 0 ? .infinity : -.infinity
        default: return .nan
        }
    }

    mutating func randomDouble(finite: Bool) -> Double {
        switch int(finite ? 6 : 9) {
        case 0: return Double(random.nextGaussian())
        case 1: return Double(int(65536)) - 32768
        case 2, 3: return random.nextGaussian() * Math.pow(10, Double(int(60)) - 30)
        case 4: return finite ? Double(Float.greatestFiniteMagnitude) : random.nextGaussian() * Math.pow(10, Double(int(600)) - 300)
        case 5: return Double(Float.greatestFiniteMagnitude) * (finite ? -1 : 1.000001)  // beyond Float's range when not `finite`
        case 6: return int(2) == 0 ? .infinity : -.infinity
        case 7: return .nan
        default: return Double(bitPattern: random.next())
        }
    }

    /// A valid file, then at most one mutation.
    mutating func mutatedArray() -> (String, [UInt8]) {
        var bytes = validArray()
        switch int(11) {
        case 0, 1:
            return ("valid", bytes)
        case 2:
            return ("truncated", Array(bytes.prefix(int(bytes.count))))
        case 3:
            for _ in 0..<1 + int(8) { bytes.append(byte()) }
            return ("extended", bytes)
        case 4:
            for _ in 0..<1 + int(4) {
                let i = int(bytes.count)
                bytes[i] ^= 1 << UInt8(int(8))
            }
            return ("bit flips", bytes)
        case 5:
            bytes[2] = byte()
            return ("type code", bytes)
        case 6:
            bytes[3] = int(4) == 0 ? byte() : UInt8(int(8))
            return ("dimension count", bytes)
        case 7:
            let ndims = Int(bytes[3])
            let huge: [UInt32] = [0xFFFF_FFFF, 0x8000_0000, 0x7FFF_FFFF, 0x0001_0000, 0x0000_FFFF, UInt32(truncatingIfNeeded: random.next())]
            for _ in 0..<1 + int(ndims) {
                let k = int(ndims)
                let value = huge[int(huge.count)]
                for b in 0..<4 { bytes[4 + 4 * k + b] = UInt8(truncatingIfNeeded: value >> (24 - 8 * UInt32(b))) }
            }
            return ("huge dimensions", bytes)
        case 8:
            let n = int(40)
            var garbage = (0..<n).map { _ in byte() }
            if n >= 2 && int(2) == 0 { garbage[0] = 0; garbage[1] = 0 }
            return ("garbage", garbage)
        case 9:
            // A header claiming more or fewer elements than follow.
            let ndims = Int(bytes[3])
            let k = int(ndims)
            let o = 4 + 4 * k + 3
            bytes[o] = bytes[o] &+ (int(2) == 0 ? 1 : 255)
            return ("dimension off by one", bytes)
        default:
            let cut = int(bytes.count + 1)
            return ("header only", Array(bytes.prefix(min(cut, 4 + 4 * Int(bytes[3])))))
        }
    }

    /// 1–3 random changes to compressed bytes: bit flips, a truncation, overwritten or inserted
    /// bytes, a changed trailer, a zeroed run, a repeated or removed slice.
    mutating func corrupt(_ input: [UInt8]) -> [UInt8] {
        var bytes = input
        for _ in 0..<1 + int(3) {
            guard !bytes.isEmpty else { break }
            switch int(8) {
            case 0, 1:
                let i = int(bytes.count)
                bytes[i] ^= 1 << UInt8(int(8))
            case 2:
                bytes = Array(bytes.prefix(int(bytes.count)))
            case 3:
                bytes[int(bytes.count)] = byte()
            case 4:
                let i = int(bytes.count + 1)
                bytes.insert(contentsOf: (0..<1 + int(4)).map { _ in byte() }, at: i)
            case 5:
                if bytes.count >= 8 {
                    let i = bytes.count - 1 - int(8)
                    bytes[i] = byte()
                }
            case 6:
                let i = int(bytes.count), n = min(bytes.count - i, 1 + int(16))
                for k in i..<i + n { bytes[k] = 0 }
            default:
                let i = int(bytes.count), n = min(bytes.count - i, 1 + int(32))
                if int(2) == 0 {
                    bytes.insert(contentsOf: bytes[i..<i + n], at: i)
                } else {
                    bytes.removeSubrange(i..<i + n)
                }
            }
        }
        return bytes
    }

    mutating func compressedCorruption() -> Case {
        let seed = seeds[int(seeds.count)]
        let original = IDXReference.decode(bytes: seed.content)
        if int(20) == 0 {
            return Case(kind: "compressed", contents: seed.compressed, labelContents: [], classes: nil, expectation: .array(original))
        }
        return Case(kind: "compressed+corrupt", contents: corrupt(seed.compressed), labelContents: [], classes: nil, expectation: .refusedOr(original))
    }

    /// An image file and a label file, valid or broken in one of the ways a pair can be.
    mutating func pairCase() -> Case {
        let n = int(10) == 0 ? 0 : 1 + int(12)
        let imageDims = [n] + (0..<1 + int(3)).map { _ in int(12) == 0 ? 0 : 1 + int(5) }
        var images = validArray(dims: imageDims, finiteFloat: int(4) != 0)
        let labelType = int(8) == 0 ? Self.typeCodes[4 + int(2)] : Self.typeCodes[int(4)]
        var labelDims = [int(6) == 0 ? n + (int(2) == 0 ? 1 : -1) : n]
        labelDims[0] = max(0, labelDims[0])
        if int(12) == 0 { labelDims.append(1 + int(2)) }
        var classes: Int? = int(3) == 0 ? nil : 1 + int(12)
        if int(20) == 0 { classes = [0, -1, 1 << 17][int(3)] }
        let labelCount = labelDims.reduce(1, *)
        let top = classes ?? 10
        var payload: [UInt8] = []
        for _ in 0..<labelCount {
            let value = int(15) == 0 ? top + int(3) - (int(2) == 0 ? 0 : top + 3) : int(max(1, top))
            switch labelType {
            case 0x0D: payload += IDXReference.bigEndian(UInt64(Float(value).bitPattern), 4)
            case 0x0E: payload += IDXReference.bigEndian(Double(value).bitPattern, 8)
            default: payload += IDXReference.bigEndian(UInt64(bitPattern: Int64(value)), IDXReference.size(of: labelType)!)
            }
        }
        var labels = IDXReference.header(type: labelType, dims: labelDims) + payload
        if int(15) == 0 { images = Array(images.prefix(int(images.count))) }
        if int(15) == 0 { labels = Array(labels.prefix(int(labels.count))) }
        let expected = IDXReference.dataset(images: images, labels: labels, classes: classes)
        if int(4) == 0 { images = IDXReference.gzipStored(images, members: 1, blockSize: 1 + int(500)) }
        if int(4) == 0 { labels = IDXReference.gzipStored(labels, members: 1 + int(2), blockSize: 1 + int(30)) }
        return Case(kind: "pair", contents: images, labelContents: labels, classes: classes, expectation: .dataset(expected))
    }
}

/// An IDX file as the reference decoder reads it.
public struct IDXReferenceArray: Sendable, Equatable {
    public let typeCode: UInt8
    public let dimensions: [Int]
    public let values: [Double]
}

/// An image+label pair as the reference loads it: features as Float, labels, classes.
public struct IDXReferenceDataset: Sendable, Equatable {
    public let sampleShape: [Int]
    public let features: [Float]
    public let labels: [Int32]
    public let classes: Int

    public init(sampleShape: [Int], features: [Float], labels: [Int32], classes: Int) {
        self.sampleShape = sampleShape
        self.features = features
        self.labels = labels
        self.classes = classes
    }
}

/// A byte-by-byte IDX decoder and a stored-block gzip writer, written from the format
/// descriptions, independent of `Datasets`.
public enum IDXReference {
    public static func size(of type: UInt8) -> Int? {
        switch type {
        case 0x08, 0x09: 1
        case 0x0B: 2
        case 0x0C, 0x0D: 4
        case 0x0E: 8
        default: nil
        }
    }

    public static func header(type: UInt8, dims: [Int]) -> [UInt8] {
        [0, 0, type, UInt8(dims.count)] + dims.flatMap { bigEndian(UInt64($0), 4) }
    }

    public static func bigEndian(_ value: UInt64, _ bytes: Int) -> [UInt8] {
        (0..<bytes).map { UInt8(truncatingIfNeeded: value >> UInt64(8 * (bytes - 1 - $0))) }
    }

    /// The array in `bytes` (plain IDX, not gzip), or nil when they are not a valid IDX file
    /// of at most 2³¹ − 1 finite elements.
    public static func decode(bytes b: [UInt8]) -> IDXReferenceArray? {
        guard b.count >= 4, b[0] == 0, b[1] == 0, let size = size(of: b[2]) else { return nil }
        let ndims = Int(b[3])
        guard ndims >= 1, b.count >= 4 + 4 * ndims else { return nil }
        var dims: [Int] = []
        var count = 1
        for k in 0..<ndims {
            var d = 0
            for j in 0..<4 { d = d * 256 + Int(b[4 + 4 * k + j]) }
            dims.append(d)
            count *= d
            if count > Int(Int32.max) { return nil }
        }
        let start = 4 + 4 * ndims
        guard b.count - start == count * size else { return nil }
        var values: [Double] = []
        for i in 0..<count {
            var u: UInt64 = 0
            for j in 0..<size { u = u << 8 | UInt64(b[start + i * size + j]) }
            let v: Double
            switch b[2] {
            case 0x08: v = Double(u)
            case 0x09: v = Double(Int8(truncatingIfNeeded: u))
            case 0x0B: v = Double(Int16(truncatingIfNeeded: u))
            case 0x0C: v = Double(Int32(truncatingIfNeeded: u))
            case 0x0D: v = Double(Float(bitPattern: UInt32(u)))
            default: v = Double(bitPattern: u)
            }
            guard v.isFinite else { return nil }
            values.append(v)
        }
        return IDXReferenceArray(typeCode: b[2], dimensions: dims, values: values)
    }

    /// The pair as a data set, or nil when it must be refused: either file invalid, labels not
    /// 1-D integers, images not of ≥ 2 dimensions or without pixels, counts differing, no
    /// images, an image value beyond Float's range, a negative label, a label ≥ classes, or
    /// classes outside 1…65536.
    public static func dataset(images: [UInt8], labels: [UInt8], classes: Int?) -> IDXReferenceDataset? {
        guard let x = decode(bytes: images), let y = decode(bytes: labels) else { return nil }
        guard y.dimensions.count == 1, [0x08, 0x09, 0x0B, 0x0C].contains(y.typeCode) else { return nil }
        guard x.dimensions.count >= 2, x.dimensions[0] == y.dimensions[0], x.dimensions[0] > 0, !x.values.isEmpty else { return nil }
        let features = x.values.map { Float($0) }
        guard features.allSatisfy({ $0.isFinite }), y.values.allSatisfy({ $0 >= 0 }) else { return nil }
        let classCount = classes ?? (Int(y.values.max()!) + 1)
        guard classCount >= 1, classCount <= 1 << 16, y.values.allSatisfy({ $0 < Double(classCount) }) else { return nil }
        return IDXReferenceDataset(
            sampleShape: Array(x.dimensions.dropFirst()), features: features, labels: y.values.map { Int32($0) }, classes: classCount)
    }

    /// `bytes` as gzip: `members` members, each of stored deflate blocks of at most
    /// `blockSize` bytes (RFC 1951 §3.2.4), CRC-32 and length in every trailer.
    public static func gzipStored(_ bytes: [UInt8], members: Int, blockSize: Int) -> [UInt8] {
        var out: [UInt8] = []
        let per = (bytes.count + members - 1) / max(1, members)
        var start = 0
        for m in 0..<members {
            let end = m == members - 1 ? bytes.count : min(bytes.count, start + per)
            let part = Array(bytes[start..<end])
            out += [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 255]
            var offset = 0
            repeat {
                let n = min(blockSize, part.count - offset)
                let final: UInt8 = offset + n == part.count ? 1 : 0
                out += [final, UInt8(n & 255), UInt8(n >> 8), UInt8(~n & 255), UInt8((~n >> 8) & 255)]
                out += part[offset..<offset + n]
                offset += n
            } while offset < part.count
            out += littleEndian(crc32(part)) + littleEndian(UInt32(part.count))
            start = end
        }
        return out
    }

    static func littleEndian(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * UInt32($0))) } }

    /// CRC-32 bit by bit: the reflected polynomial 0xEDB88320, initial and final XOR all ones.
    public static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            c ^= UInt32(b)
            for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        }
        return ~c
    }
}

/// What the code under test did with a fuzz case: decoded it, or refused it with a message.
public enum IDXFuzzOutcome<Value> {
    case decoded(Value)
    case refused(String)
}

extension IDXFuzzer.Case {
    /// Nil when the outcomes of decoding the contents as Double and as Float (dimensions and
    /// values) are what the case expects, else what differs. A refusal must name `source`.
    public func mismatch(
        double: IDXFuzzOutcome<([Int], [Double])>, float: IDXFuzzOutcome<([Int], [Float])>, source: String
    ) -> String? {
        let expected: IDXReferenceArray?, strict: Bool
        switch expectation {
        case .array(let a): (expected, strict) = (a, true)
        case .refusedOr(let a): (expected, strict) = (a, false)
        case .dataset: return "a pair case checked as a single file"
        }
        let floatValues = expected.map { $0.values.map { Float($0) } }
        let floatExpected = floatValues.map { $0.allSatisfy { $0.isFinite } } == true ? expected : nil
        if let problem = Self.compare(double, expected.map { ($0.dimensions, $0.values) }, strict: strict, source: source, as: "Double") {
            return problem
        }
        return Self.compare(float, floatExpected.map { ($0.dimensions, floatValues!) }, strict: strict, source: source, as: "Float")
    }

    static func compare<T: Equatable>(
        _ outcome: IDXFuzzOutcome<([Int], [T])>, _ expected: ([Int], [T])?, strict: Bool, source: String, as type: String
    ) -> String? {
        switch (outcome, expected) {
        case (.refused(let message), _):
            if !message.hasPrefix("file \(source): ") { return "as \(type): refusal does not name the file: \(message)" }
            if strict, let e = expected { return "as \(type): refused a valid file (\(e.0), \(e.1.count) values): \(message)" }
            return nil
        case (.decoded(let got), nil):
            return "as \(type): decoded an invalid file to dimensions \(got.0)"
        case (.decoded(let got), let e?):
            if got.0 != e.0 { return "as \(type): dimensions \(got.0), expected \(e.0)" }
            if got.1 != e.1 { return "as \(type): values differ from the reference" }
            return nil
        }
    }

    /// Nil when the outcome of loading the pair is what the case expects, else what differs.
    /// A refusal must name one of the two files.
    public func mismatch(
        dataset outcome: IDXFuzzOutcome<IDXReferenceDataset>, imageSource: String, labelSource: String
    ) -> String? {
        guard case .dataset(let expected) = expectation else { return "a single-file case checked as a pair" }
        switch (outcome, expected) {
        case (.refused(let message), let e):
            if !message.hasPrefix("file \(imageSource): ") && !message.hasPrefix("file \(labelSource): ") {
                return "refusal names neither file: \(message)"
            }
            if let e { return "refused a valid pair (shape \(e.sampleShape), \(e.labels.count) labels, classes \(e.classes)): \(message)" }
            return nil
        case (.decoded(let got), nil):
            return "loaded an invalid pair (shape \(got.sampleShape), \(got.labels.count) labels, classes \(got.classes))"
        case (.decoded(let got), let e?):
            return got == e ? nil : "loaded shape \(got.sampleShape), \(got.labels.count) labels, classes \(got.classes); expected \(e.sampleShape), \(e.labels.count), \(e.classes) (or different values)"
        }
    }
}

