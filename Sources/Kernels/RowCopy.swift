// Copies of rows, most of them short (a few to a few dozen entries: the rows of an image
// plane, of a convolution's output grid), some a whole shifted plane (im2col): whole 64-, 32-,
// 16- or 8-byte moves, the last one overlapping the one before it instead of a scalar tail,
// and no call.

/// y ← x for n ≥ 0 entries; x and y must not overlap. Bits are moved, not values (a NaN's
/// payload is kept).
/// - Complexity: O(n).
@inlinable @inline(__always)
public func copyRow<T: KernelScalar>(_ n: Int, _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>) {
    let bytes = n * MemoryLayout<T>.stride
    let s = UnsafeRawPointer(x), d = UnsafeMutableRawPointer(y)
    @inline(__always) func move<V>(_ offset: Int, _: V.Type) {
        d.storeBytes(of: s.loadUnaligned(fromByteOffset: offset, as: V.self), toByteOffset: offset, as: V.self)
    }
    if bytes >= 64 {
        var i = 0
        while i + 64 < bytes { move(i, SIMD16<UInt32>.self); i += 64 }
        move(bytes - 64, SIMD16<UInt32>.self)
    } else if bytes >= 32 {
        move(0, SIMD8<UInt32>.self); move(bytes - 32, SIMD8<UInt32>.self)
    } else if bytes >= 16 {
        move(0, SIMD4<UInt32>.self); move(bytes - 16, SIMD4<UInt32>.self)
    } else if bytes >= 8 {
        move(0, UInt64.self); move(bytes - 8, UInt64.self)
    } else if bytes > 0 {
        move(0, UInt32.self)
    }
}
