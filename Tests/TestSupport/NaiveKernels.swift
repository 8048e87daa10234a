// Reference loops for the kernels in Kernels: the textbook definition, one scalar at a time,
// so that every optimised kernel can be checked against an obviously correct version.

import OptBenchKernels

/// xᵀy by a single left-to-right loop.
public func naiveDot<T: KernelScalar>(_ x: [T], _ y: [T]) -> T {
    var s: T = 0
    for i in x.indices { s += x[i] * y[i] }
    return s
}

/// Σ|xᵢ||yᵢ|: the scale of the rounding error of any summation order of xᵀy.
public func naiveAbsDot<T: KernelScalar>(_ x: [T], _ y: [T]) -> T {
    var s: T = 0
    for i in x.indices { s += abs(x[i] * y[i]) }
    return s
}

/// y ← αx + y.
public func naiveAxpy<T: KernelScalar>(_ alpha: T, _ x: [T], _ y: inout [T]) {
    for i in x.indices { y[i] = alpha * x[i] + y[i] }
}

/// y ← αx + βy.
public func naiveAxpby<T: KernelScalar>(_ alpha: T, _ x: [T], _ beta: T, _ y: inout [T]) {
    for i in x.indices { y[i] = alpha * x[i] + (beta == 0 ? 0 : beta * y[i]) }
}

/// ‖x‖₂ computed in Double precision (exact enough to judge Float and Double results).
public func naiveNrm2<T: KernelScalar>(_ x: [T]) -> Double {
    let scale = x.reduce(0.0) { max($0, abs(Double($1))) }
    if scale == 0 { return 0 }
    return scale * x.reduce(0.0) { $0 + (Double($1) / scale) * (Double($1) / scale) }.squareRoot()
}

/// ‖x‖₁.
public func naiveAsum<T: KernelScalar>(_ x: [T]) -> T { x.reduce(0) { $0 + abs($1) } }

/// ‖x‖∞ (NaN if any entry is NaN).
public func naiveAmax<T: KernelScalar>(_ x: [T]) -> T {
    if x.contains(where: \.isNaN) { return .nan }
    return x.reduce(0) { max($0, abs($1)) }
}

/// Entry (i, j) of op(M) for a row-major matrix M with leading dimension ld.
@inline(__always)
public func naiveEntry<T>(_ m: [T], _ ld: Int, _ trans: Transpose, _ i: Int, _ j: Int) -> T {
    trans == .none ? m[i * ld + j] : m[j * ld + i]
}

/// y ← α·op(A)·x + βy for row-major A (m×n, leading dimension lda); β = 0 ignores y.
public func naiveGemv<T: KernelScalar>(
    _ trans: Transpose, _ m: Int, _ n: Int, _ alpha: T, _ a: [T], _ lda: Int, _ x: [T],
    _ beta: T, _ y: inout [T]
) {
    let rows = trans == .none ? m : n, cols = trans == .none ? n : m
    for i in 0..<rows {
        var s: T = 0
        for j in 0..<cols { s += (trans == .none ? a[i * lda + j] : a[j * lda + i]) * x[j] }
        y[i] = alpha * s + (beta == 0 ? 0 : beta * y[i])
    }
}

/// Per-entry error scale of `naiveGemv`: |α|·Σⱼ|op(A)ᵢⱼ||xⱼ| + |β||yᵢ|.
public func naiveGemvBound<T: KernelScalar>(
    _ trans: Transpose, _ m: Int, _ n: Int, _ alpha: T, _ a: [T], _ lda: Int, _ x: [T],
    _ beta: T, _ y: [T]
) -> [T] {
    let rows = trans == .none ? m : n, cols = trans == .none ? n : m
    return (0..<rows).map { i in
        var s: T = 0
        for j in 0..<cols { s += abs((trans == .none ? a[i * lda + j] : a[j * lda + i]) * x[j]) }
        return abs(alpha) * s + (beta == 0 ? 0 : abs(beta * y[i]))
    }
}

/// C ← α·op(A)·op(B) + βC, row-major, by the triple loop; β = 0 ignores C.
/// Also returns, per entry of C, the error scale |α|·Σₚ|op(A)ᵢₚ||op(B)ₚⱼ| + |β||cᵢⱼ|.
@discardableResult
public func naiveGemm<T: KernelScalar>(
    _ transA: Transpose, _ transB: Transpose, _ m: Int, _ n: Int, _ k: Int, _ alpha: T,
    _ a: [T], _ lda: Int, _ b: [T], _ ldb: Int, _ beta: T, _ c: inout [T], _ ldc: Int
) -> [T] {
    var bound = [T](repeating: 0, count: m * n)
    for i in 0..<m {
        for j in 0..<n {
            var s: T = 0, e: T = 0
            for p in 0..<k {
                let t = naiveEntry(a, lda, transA, i, p) * naiveEntry(b, ldb, transB, p, j)
                s += t
                e += abs(t)
            }
            let old = c[i * ldc + j]
            c[i * ldc + j] = alpha * s + (beta == 0 ? 0 : beta * old)
            bound[i * n + j] = abs(alpha) * e + (beta == 0 ? 0 : abs(beta * old))
        }
    }
    return bound
}

/// A ← A + α x yᵀ, row-major with leading dimension lda.
public func naiveGer<T: KernelScalar>(
    _ m: Int, _ n: Int, _ alpha: T, _ x: [T], _ y: [T], _ a: inout [T], _ lda: Int
) {
    for i in 0..<m { for j in 0..<n { a[i * lda + j] += alpha * x[i] * y[j] } }
}

/// Σₖ valuesₖ · y[indicesₖ].
public func naiveSparseDot<T: KernelScalar>(_ indices: [Int32], _ values: [T], _ y: [T]) -> T {
    var s: T = 0
    for k in indices.indices { s += values[k] * y[Int(indices[k])] }
    return s
}

/// y[indicesₖ] += α · valuesₖ, in order.
public func naiveSparseAXPY<T: KernelScalar>(_ alpha: T, _ indices: [Int32], _ values: [T], _ y: inout [T]) {
    for k in indices.indices { y[Int(indices[k])] += alpha * values[k] }
}

/// `count` uniform draws in [-1, 1) from a seeded generator.
public func uniformArray<T: KernelScalar>(_ count: Int, of _: T.Type = T.self, seed: UInt64) -> [T] {
    var rng = Xoshiro256(seed: seed)
    return (0..<count).map { _ in T(2 * rng.nextUniform() - 1) }
}
