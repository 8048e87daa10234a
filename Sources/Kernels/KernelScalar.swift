/// The element types the kernels run on: `Float` and `Double`.
///
/// Each scalar names the SIMD vector that fills one 512-bit register (`SIMD16<Float>`,
/// `SIMD8<Double>`), so the generic kernels below compile to the same full-width loops for both
/// precisions once specialised, and its 256-bit half (`SIMD8<Float>`, `SIMD4<Double>`), the
/// vector of the AVX2 register tiles (`KernelISA`). GEMM dispatches through `_gemm`, a requirement each precision
/// implements with a concrete, pre-specialised body: even an unspecialised generic caller then
/// reaches compiled SIMD code rather than a generic loop.
public protocol KernelScalar: BinaryFloatingPoint, SIMDScalar, Sendable, Codable {
    /// The 512-bit SIMD vector of this scalar.
    associatedtype Vector: SIMD where Vector.Scalar == Self

    /// Lanes in `Vector`.
    static var lanes: Int { get }

    /// The 256-bit SIMD vector of this scalar, half of `Vector`: one AVX2 register.
    associatedtype HalfVector: SIMD where HalfVector.Scalar == Self

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

    /// The same two rules on a 256-bit vector.
    static func positivePart(_ v: HalfVector) -> HalfVector
    static func maskedByPositive(_ g: HalfVector, _ s: HalfVector) -> HalfVector

    /// dst[q·ldd + l] = src[l·ld + q] for q, l < L = `lanes`: an L × L block transposed in
    /// registers (L vector loads and stores).
    static func transposeBlock(_ src: UnsafePointer<Self>, _ ld: Int, _ dst: UnsafeMutablePointer<Self>, _ ldd: Int)

    /// The precision-specific GEMM entry point behind `gemm(_:_:_:_:_:_:_:_:_:_:_:_:_:threads:)`.
    static func _gemm(
        _ transA: Transpose, _ transB: Transpose, _ m: Int, _ n: Int, _ k: Int, _ alpha: Self,
        _ a: UnsafePointer<Self>, _ lda: Int, _ b: UnsafePointer<Self>, _ ldb: Int, _ beta: Self,
        _ c: UnsafeMutablePointer<Self>, _ ldc: Int, threads: Int, epilogue: GEMMEpilogue<Self>,
        rowsOfA: UnsafePointer<Int>?, rowsOfB: UnsafePointer<Int>?, isa: KernelISA)
}

extension Float: KernelScalar {
    public typealias Vector = SIMD16<Float>
    public typealias HalfVector = SIMD8<Float>
    /// max(v, 0) lane-wise. - Complexity: O(1).
    @inlinable @inline(__always)
    public static func positivePart(_ v: SIMD8<Float>) -> SIMD8<Float> { v.replacing(with: 0, where: v .< 0) }
    /// g where s > 0, else 0. - Complexity: O(1).
    @inlinable @inline(__always)
    public static func maskedByPositive(_ g: SIMD8<Float>, _ s: SIMD8<Float>) -> SIMD8<Float> { g.replacing(with: 0, where: s .<= 0) }
    /// max(v, 0) lane-wise. - Complexity: O(1).
    @inlinable @inline(__always)
    public static func positivePart(_ v: SIMD16<Float>) -> SIMD16<Float> { v.replacing(with: 0, where: v .< 0) }
    /// g where s > 0, else 0. - Complexity: O(1).
    @inlinable @inline(__always)
    public static func maskedByPositive(_ g: SIMD16<Float>, _ s: SIMD16<Float>) -> SIMD16<Float> { g.replacing(with: 0, where: s .<= 0) }
    @inlinable public static var lanes: Int { 16 }
    /// The 16 × 16 block transposed by four rounds of r′_i = evens(r_2i, r_2i+1),
    /// r′_{8+i} = odds(r_2i, r_2i+1), each round rotating the 8 bits of (row, column) by one.
    /// - Complexity: O(1).
    @inlinable @inline(__always)
    public static func transposeBlock(_ src: UnsafePointer<Float>, _ ld: Int, _ dst: UnsafeMutablePointer<Float>, _ ldd: Int) {
        typealias V = SIMD16<Float>
        @inline(__always) func e(_ a: V, _ b: V) -> V { V(lowHalf: a.evenHalf, highHalf: b.evenHalf) }
        @inline(__always) func o(_ a: V, _ b: V) -> V { V(lowHalf: a.oddHalf, highHalf: b.oddHalf) }
        @inline(__always) func l(_ i: Int) -> V { (src + i * ld).vector(at: 0) }
        var (r0, r1, r2, r3, r4, r5, r6, r7) = (l(0), l(1), l(2), l(3), l(4), l(5), l(6), l(7))
        var (r8, r9, r10, r11, r12, r13, r14, r15) = (l(8), l(9), l(10), l(11), l(12), l(13), l(14), l(15))
        for _ in 0..<4 {
            (r0, r1, r2, r3, r4, r5, r6, r7, r8, r9, r10, r11, r12, r13, r14, r15) =
                (e(r0, r1), e(r2, r3), e(r4, r5), e(r6, r7), e(r8, r9), e(r10, r11), e(r12, r13), e(r14, r15),
                 o(r0, r1), o(r2, r3), o(r4, r5), o(r6, r7), o(r8, r9), o(r10, r11), o(r12, r13), o(r14, r15))
        }
        dst.store(r0, at: 0 * ldd); dst.store(r1, at: 1 * ldd); dst.store(r2, at: 2 * ldd); dst.store(r3, at: 3 * ldd)
        dst.store(r4, at: 4 * ldd); dst.store(r5, at: 5 * ldd); dst.store(r6, at: 6 * ldd); dst.store(r7, at: 7 * ldd)
        dst.store(r8, at: 8 * ldd); dst.store(r9, at: 9 * ldd); dst.store(r10, at: 10 * ldd); dst.store(r11, at: 11 * ldd)
        dst.store(r12, at: 12 * ldd); dst.store(r13, at: 13 * ldd); dst.store(r14, at: 14 * ldd); dst.store(r15, at: 15 * ldd)
    }
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
    public typealias HalfVector = SIMD4<Double>
    /// max(v, 0) lane-wise. - Complexity: O(1).
    @inlinable @inline(__always)
    public static func positivePart(_ v: SIMD4<Double>) -> SIMD4<Double> { v.replacing(with: 0, where: v .< 0) }
    /// g where s > 0, else 0. - Complexity: O(1).
    @inlinable @inline(__always)
    public static func maskedByPositive(_ g: SIMD4<Double>, _ s: SIMD4<Double>) -> SIMD4<Double> { g.replacing(with: 0, where: s .<= 0) }
    /// max(v, 0) lane-wise. - Complexity: O(1).
    @inlinable @inline(__always)
    public static func positivePart(_ v: SIMD8<Double>) -> SIMD8<Double> { v.replacing(with: 0, where: v .< 0) }
    /// g where s > 0, else 0. - Complexity: O(1).
    @inlinable @inline(__always)
    public static func maskedByPositive(_ g: SIMD8<Double>, _ s: SIMD8<Double>) -> SIMD8<Double> { g.replacing(with: 0, where: s .<= 0) }
    @inlinable public static var lanes: Int { 8 }
    /// The 8 × 8 block transposed by three rounds of r′_i = evens(r_2i, r_2i+1),
    /// r′_{4+i} = odds(r_2i, r_2i+1), each round rotating the 6 bits of (row, column) by one.
    /// - Complexity: O(1).
    @inlinable @inline(__always)
    public static func transposeBlock(_ src: UnsafePointer<Double>, _ ld: Int, _ dst: UnsafeMutablePointer<Double>, _ ldd: Int) {
        typealias V = SIMD8<Double>
        @inline(__always) func e(_ a: V, _ b: V) -> V { V(lowHalf: a.evenHalf, highHalf: b.evenHalf) }
        @inline(__always) func o(_ a: V, _ b: V) -> V { V(lowHalf: a.oddHalf, highHalf: b.oddHalf) }
        @inline(__always) func l(_ i: Int) -> V { (src + i * ld).vector(at: 0) }
        var (r0, r1, r2, r3, r4, r5, r6, r7) = (l(0), l(1), l(2), l(3), l(4), l(5), l(6), l(7))
        for _ in 0..<3 {
            (r0, r1, r2, r3, r4, r5, r6, r7) = (e(r0, r1), e(r2, r3), e(r4, r5), e(r6, r7), o(r0, r1), o(r2, r3), o(r4, r5), o(r6, r7))
        }
        dst.store(r0, at: 0 * ldd); dst.store(r1, at: 1 * ldd); dst.store(r2, at: 2 * ldd); dst.store(r3, at: 3 * ldd)
        dst.store(r4, at: 4 * ldd); dst.store(r5, at: 5 * ldd); dst.store(r6, at: 6 * ldd); dst.store(r7, at: 7 * ldd)
    }
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

extension KernelScalar {
    /// dst[q·L + l] = src[l·ld + q] for q, l < L = `lanes`: an L × L block transposed into a
    /// contiguous one. - Complexity: O(1).
    @inlinable @inline(__always)
    public static func transposeBlock(_ src: UnsafePointer<Self>, _ ld: Int, _ dst: UnsafeMutablePointer<Self>) {
        transposeBlock(src, ld, dst, lanes)
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

    /// The vector of type V from entry i: a register tile's own width.
    @inlinable @inline(__always)
    func load<V: SIMD>(_: V.Type, at i: Int) -> V where V.Scalar == Pointee {
        UnsafeRawPointer(self + i).loadUnaligned(as: V.self)
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

    @inlinable @inline(__always)
    func load<V: SIMD>(_: V.Type, at i: Int) -> V where V.Scalar == Pointee {
        UnsafeRawPointer(self + i).loadUnaligned(as: V.self)
    }

    @inlinable @inline(__always)
    func store<V: SIMD>(_ v: V, at i: Int) where V.Scalar == Pointee {
        UnsafeMutableRawPointer(self + i).storeBytes(of: v, as: V.self)
    }
}

extension KernelScalar {
    /// The 512-bit vector whose lanes are lo's then hi's (`SIMD16(lowHalf:highHalf:)`): an AVX2
    /// tile's pair of halves as the AVX-512 tile's vector, for reductions that must see the
    /// same lanes in the same order on both. - Complexity: O(1).
    @inlinable @inline(__always)
    static func joined(_ lo: HalfVector, _ hi: HalfVector) -> Vector {
        unsafeBitCast((lo, hi), to: Vector.self)
    }
}
