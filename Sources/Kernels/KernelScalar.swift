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

    /// The precision-specific GEMM entry point behind `gemm(_:_:_:_:_:_:_:_:_:_:_:_:_:threads:)`.
    static func _gemm(
        _ transA: Transpose, _ transB: Transpose, _ m: Int, _ n: Int, _ k: Int, _ alpha: Self,
        _ a: UnsafePointer<Self>, _ lda: Int, _ b: UnsafePointer<Self>, _ ldb: Int, _ beta: Self,
        _ c: UnsafeMutablePointer<Self>, _ ldc: Int, threads: Int)
}

extension Float: KernelScalar {
    public typealias Vector = SIMD16<Float>
    @inlinable public static var lanes: Int { 16 }
}

extension Double: KernelScalar {
    public typealias Vector = SIMD8<Double>
    @inlinable public static var lanes: Int { 8 }
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
