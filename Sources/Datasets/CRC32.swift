/// The CRC-32 of gzip (RFC 1952 §8) and zlib's `crc32`: the IEEE 802.3 polynomial in reflected
/// form (0xEDB88320), initial value and final XOR 0xFFFFFFFF; `CRC32.checksum("123456789")` is
/// 0xCBF43926.
///
/// Feed bytes with `update` as they arrive and read `value` at any point.
public struct CRC32: Sendable, Hashable {
    // Kept inverted between updates, so `update` needs no pre- and post-XOR per call.
    private var state: UInt32

    /// A checksum of no bytes (value 0).
    public init() { state = 0xFFFF_FFFF }

    /// Continues from the checksum `value` of earlier bytes, as zlib's `crc32(value, …)` does.
    public init(continuing value: UInt32) { state = ~value }

    /// The CRC-32 of all bytes fed so far.
    public var value: UInt32 { ~state }

    /// Adds `bytes` to the checksum.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        state = CRC32.advance(state, bytes)
    }

    /// Adds `bytes` to the checksum.
    public mutating func update(_ bytes: some Collection<UInt8>) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        if done == nil { Array(bytes).withUnsafeBytes { update($0) } }
    }

    /// The CRC-32 of `bytes`.
    public static func checksum(_ bytes: some Collection<UInt8>) -> UInt32 {
        var crc = CRC32()
        crc.update(bytes)
        return crc.value
    }

    /// Slicing-by-8: table k maps a byte to its CRC contribution when k zero bytes follow it, so
    /// eight input bytes cost eight independent lookups instead of a chain of eight.
    private static let tables: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 8 * 256)
        for i in 0..<256 {
            var c = UInt32(i)
            for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
            t[i] = c
        }
        for k in 1..<8 {
            for i in 0..<256 {
                let previous = t[(k - 1) * 256 + i]
                t[k * 256 + i] = (previous >> 8) ^ t[Int(previous & 0xFF)]
            }
        }
        return t
    }()

    private static func advance(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard var p = bytes.baseAddress, !bytes.isEmpty else { return crc }
        var remaining = bytes.count
        var c = crc
        tables.withUnsafeBufferPointer { tables in
            let t = tables.baseAddress!
            while remaining >= 8 {
                let low = UInt32(littleEndian: p.loadUnaligned(as: UInt32.self)) ^ c
                let high = UInt32(littleEndian: (p + 4).loadUnaligned(as: UInt32.self))
                c = t[7 * 256 + Int(low & 0xFF)] ^ t[6 * 256 + Int(low >> 8 & 0xFF)]
                    ^ t[5 * 256 + Int(low >> 16 & 0xFF)] ^ t[4 * 256 + Int(low >> 24)]
                    ^ t[3 * 256 + Int(high & 0xFF)] ^ t[2 * 256 + Int(high >> 8 & 0xFF)]
                    ^ t[1 * 256 + Int(high >> 16 & 0xFF)] ^ t[Int(high >> 24)]
                p += 8
                remaining -= 8
            }
            while remaining > 0 {
                c = t[Int((c ^ UInt32(p.load(as: UInt8.self))) & 0xFF)] ^ (c >> 8)
                p += 1
                remaining -= 1
            }
        }
        return c
    }
}
