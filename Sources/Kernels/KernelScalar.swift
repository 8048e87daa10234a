/// The element types the kernels run on: `Float` and `Double`.
///
/// Each scalar names the SIMD vector that fills one 512-bit register (`SIMD16<Float>`,
/// `SIMD8<Double>`), so the generic kernels below compile to the same full-width loops for both
/// precisions once specialised. GEMM dispatches through `_gemm`, a requirement each precision
/// implements with a concrete, pre-specialised body: even an unspecialised generic caller then
/// reaches compiled SIMD code rather than a generic loop.
public protocol KernelScalar: BinaryFloatingPoint, SIMDScalar, Sendable, Codable {
    /// The 512-bit SIMD vector of this scalar.
    associatedtype Vector: SIMD where Vector.Scalar == Self

    /// Lanes in `Vector`.
    static var lanes: Int { get }

    /// |v| lane-wise, by clearing the sign bits (compares against a scalar run lane by lane).
    static func magnitude(_ v: Vector) -> Vector

    /// max(m, |x|) lane-wise, NaN-propagating. Non-negative floats order like their bit
    /// patterns, and NaN patterns lie above +∞, so this is an unsigned integer max — written on
    /// the concrete vector type, whose comparisons lower to single instructions (the generic
    /// SIMD comparisons run lane by lane).
    static func maxMagnitude(_ m: Vector, _ x: Vector) -> Vector

    /// max(v, 0) lane-wise (ReLU), on the concrete vector type for the same reason.
    static func positivePart(_ v: Vector) -> Vector

    /// g where s > 0, else 0, lane-wise (ReLU's backward pass).
    static func maskedByPositive(_ g: Vector, _ s: Vector) -> Vector

    /// The precision-specific GEMM entry point behind `gemm(_:_:_:_:_:_:_:_:_:_:_:_:_:threads:)`.
    static func _gemm(
        _ transA: Transpose, _ transB: Transpose, _ m: Int, _ n: Int, _ k: Int, _ alpha: Self,
        _ a: UnsafePointer<Self>, _ lda: Int, _ b: UnsafePointer<Self>, _ ldb: Int, _ beta: Self,
        _ c: UnsafeMutablePointer<Self>, _ ldc: Int, threads: Int)
}

extension Float: KernelScalar {
    public typealias Vector = SIMD16<Float>
    /// max(v, 0) lane-wise. - Complexity: O(1).
    @inlinable @inline(__always)
    public static func positivePart(_ v: SIMD16<Float>) -> SIMD16<Float> { v.replacing(with: 0, where: v .< 0) }
    /// g where s > 0, else 0. - Complexity: O(1).
    @inlinable @inline(__always)
    public static func maskedByPositive(_ g: SIMD16<Float>, _ s: SIMD16<Float>) -> SIMD16<Float> { g.replacing(with: 0, where: s .<= 0) }
    @inlinable public static var lanes: Int { 16 }
    /// |v| lane-wise. - Complexity: O(1).
    @inlinable @inline(__always)
    public static func magnitude(_ v: SIMD16<Float>) -> SIMD16<Float> {
        unsafeBitCast(unsafeBitCast(v, to: SIMD16<UInt32>.self) & 0x7FFF_FFFF, to: SIMD16<Float>.self)
    }
    /// max(m, |x|) lane-wise, NaN-propagating. - Complexity: O(1).
    @inlinable @inline(__always)
    public static func maxMagnitude(_ m: SIMD16<Float>, _ x: SIMD16<Float>) -> SIMD16<Float> {
        let mi = unsafeBitCast(m, to: SIMD16<UInt32>.self)
        let xi = unsafeBitCast(x, to: SIMD16<UInt32>.self) & 0x7FFF_FFFF
        return unsafeBitCast(mi.replacing(with: xi, where: mi .< xi), to: SIMD16<Float>.self)
    }
}

extension Double: KernelScalar {
    public typealias Vector = SIMD8<Double>
    /// max(v, 0) lane-wise. - Complexity: O(1).
    @inlinable @inline(__always)
    public static func positivePart(_ v: SIMD8<Double>) -> SIMD8<Double> { v.replacing(with: 0, where: v .< 0) }
    /// g where s > 0, else 0. - Complexity: O(1).
    @inlinable @inline(__always)
    public static func maskedByPositive(_ g: SIMD8<Double>, _ s: SIMD8<Double>) -> SIMD8<Double> { g.replacing(with: 0, where: s .<= 0) }
    @inlinable public static var lanes: Int { 8 }
    /// |v| lane-wise. - Complexity: O(1).
    @inlinable @inline(__always)
    public static func magnitude(_ v: SIMD8<Double>) -> SIMD8<Double> {
        unsafeBitCast(unsafeBitCast(v, to: SIMD8<UInt64>.self) & 0x7FFF_FFFF_FFFF_FFFF, to: SIMD8<Double>.self)
    }
    /// max(m, |x|) lane-wise, NaN-propagating. - Complexity: O(1).
    @inlinable @inline(__always)
    public static func maxMagnitude(_ m: SIMD8<Double>, _ x: SIMD8<Double>) -> SIMD8<Double> {
        let mi = unsafeBitCast(m, to: SIMD8<UInt64>.self)
        let xi = unsafeBitCast(x, to: SIMD8<UInt64>.self) & 0x7FFF_FFFF_FFFF_FFFF
        return unsafeBitCast(mi.replacing(with: xi, where: mi .< xi), to: SIMD8<Double>.self)
    }
}

/// Whether a matrix operand is used as stored or transposed.
public enum Transpose: Sendable { case none, transposed }

// Unaligned full-width loads and stores: buffers come from Swift arrays and caller views, which
// guarantee only element alignment.
extension UnsafePointer where Pointee: KernelScalar {
    @inlinable @inline(__always)
    func vector(at i: Int) -> Pointee.Vector {
        UnsafeRawPointer(self + i).loadUnaligned(as: Pointee.Vector.self)
    }
}

extension UnsafeMutablePointer where Pointee: KernelScalar {
    @inlinable @inline(__always)
    func vector(at i: Int) -> Pointee.Vector {
        UnsafeRawPointer(self + i).loadUnaligned(as: Pointee.Vector.self)
    }

    @inlinable @inline(__always)
    func store(_ v: Pointee.Vector, at i: Int) {
        UnsafeMutableRawPointer(self + i).storeBytes(of: v, as: Pointee.Vector.self)
    }
}
