// General matrix–matrix product, after BLIS: cache blocking and threading here, packing in
// GEMMPacking.swift, the register tile in GEMMMicroKernel.swift.

/// C ← α·op(A)·op(B) + βC, all row-major: C is m×n (leading dimension `ldc` ≥ n), op(A) is m×k
/// and op(B) is k×n. A is stored m×k (`lda` ≥ k) when `transA == .none` and k×m (`lda` ≥ m)
/// when transposed; likewise B is k×n (`ldb` ≥ n) or n×k (`ldb` ≥ k).
///
/// β = 0 overwrites C without reading it (NaNs in C do not survive); α = 0 or k = 0 only scales C.
/// `threads`: 0 (the default) picks one thread for products with m·n·k < 2²⁰ and all active
/// cores above; an explicit count is honoured up to one thread per register tile. A mini-batch
/// layer such as 64×784×128 (≈ 60–100 µs) is split in one dispatch to the spinning worker pool,
/// each thread packing its own operands; from m·n·k = 2²⁷ on the threads share each packed
/// panel of B. Threads split C into disjoint tiles and every entry is one fixed-order fused
/// multiply-add chain per k-block of `KC`, so the result is bit-identical for every thread count.
/// - Complexity: O(mnk) arithmetic; O(mk + kn) packing and O(mn) for C.
@inlinable
public func gemm<T: KernelScalar>(
    _ transA: Transpose, _ transB: Transpose, _ m: Int, _ n: Int, _ k: Int, _ alpha: T,
    _ a: UnsafePointer<T>, _ lda: Int, _ b: UnsafePointer<T>, _ ldb: Int, _ beta: T,
    _ c: UnsafeMutablePointer<T>, _ ldc: Int, threads: Int = 0
) {
    T._gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads: threads)
}

extension Float {
    /// `gemm` for Float, compiled here once: `gemm(.none, .none, m, n, k, α, A, lda, B, ldb, β,
    /// C, ldc)` computes C ← α·op(A)·op(B) + βC.
    /// - Complexity: O(mnk).
    public static func _gemm(
        _ transA: Transpose, _ transB: Transpose, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
        _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int, _ beta: Float,
        _ c: UnsafeMutablePointer<Float>, _ ldc: Int, threads: Int
    ) {
        gemmDriver(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads: threads)
    }
}

extension Double {
    /// `gemm` for Double, compiled here once: C ← α·op(A)·op(B) + βC.
    /// - Complexity: O(mnk).
    public static func _gemm(
        _ transA: Transpose, _ transB: Transpose, _ m: Int, _ n: Int, _ k: Int, _ alpha: Double,
        _ a: UnsafePointer<Double>, _ lda: Int, _ b: UnsafePointer<Double>, _ ldb: Int, _ beta: Double,
        _ c: UnsafeMutablePointer<Double>, _ ldc: Int, threads: Int
    ) {
        gemmDriver(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads: threads)
    }
}

/// Cache-blocking sizes, in elements: MC × KC of packed A (384 KB f32, 384 KB f64) stays in the
/// 1 MB L2 of a core, KC × NC of packed B (4 MB) in the shared L3, packed once and read by
/// every thread when they split the rows of C (`gemmSharedB`). KC = 512 was measured best
/// on this Zen 4 (256: −10 %; 768: −5 %): deep blocks amortise the C tile's loads and stores.
struct GEMMBlocking {
    var kc: Int, mc: Int, nc: Int

    static func of<T: KernelScalar>(_: T.Type) -> GEMMBlocking {
        MemoryLayout<T>.size == 4
            ? GEMMBlocking(kc: 512, mc: 192, nc: 2048)
            : GEMMBlocking(kc: 512, mc: 96, nc: 1024)
    }
}

/// Products below this m·n·k run on one thread unless a count is given.
let gemmParallelThreshold = 1 << 20
/// From this m·n·k on, threads share packed panels of B (two dispatches per KC × NC block).
let gemmSharedPanelThreshold = 1 << 27

func gemmDriver<T: KernelScalar>(
    _ transA: Transpose, _ transB: Transpose, _ m: Int, _ n: Int, _ k: Int, _ alpha: T,
    _ a: UnsafePointer<T>, _ lda: Int, _ b: UnsafePointer<T>, _ ldb: Int, _ beta: T,
    _ c: UnsafeMutablePointer<T>, _ ldc: Int, threads: Int
) {
    if m <= 0 || n <= 0 { return }
    if k <= 0 || alpha == 0 {
        for i in 0..<m {
            if beta == 0 { fill(n, 0, c + i * ldc) } else if beta != 1 { scal(n, beta, c + i * ldc) }
        }
        return
    }
    let mr = gemmMR, nr = T.gemmNR
    let rowTiles = (m + mr - 1) / mr, colTiles = (n + nr - 1) / nr
    var t = threads > 0 ? threads : (m * n * k < gemmParallelThreshold ? 1 : availableThreads)
    // Large products split the rows of C and share each packed panel of B. Small ones take a
    // single dispatch, each thread packing its own operands: they split the columns, and
    // pack all of A twice, when A (m×k) is the smaller operand to duplicate — as in a
    // mini-batch layer — else the rows. Chunk edges fall on tile edges.
    let large = m * n * k >= gemmSharedPanelThreshold
    let splitRows = large ? rowTiles >= colTiles : (m > n ? rowTiles >= t : colTiles < t && rowTiles > colTiles)
    t = max(1, min(t, splitRows ? rowTiles : colTiles))
    if t == 1 {
        gemmSerial(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    } else if splitRows && large {
        gemmSharedB(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads: t)
    } else if splitRows {
        parallelFor(t) { part in
            let i0 = rowTiles * part / t * mr, i1 = min(m, rowTiles * (part + 1) / t * mr)
            gemmSerial(transA, transB, i1 - i0, n, k, alpha, transA == .none ? a + i0 * lda : a + i0, lda,
                       b, ldb, beta, c + i0 * ldc, ldc)
        }
    } else {
        parallelFor(t) { part in
            let j0 = colTiles * part / t * nr, j1 = min(n, colTiles * (part + 1) / t * nr)
            gemmSerial(transA, transB, m, j1 - j0, k, alpha, a, lda,
                       transB == .none ? b + j0 : b + j0 * ldb, ldb, beta, c + j0, ldc)
        }
    }
}

/// Equal k-blocks of at most KC: they depend on k alone, never on the thread split.
func gemmDepthBlock(_ k: Int, _ blocking: GEMMBlocking) -> Int {
    let kBlocks = (k + blocking.kc - 1) / blocking.kc
    return (k + kBlocks - 1) / kBlocks
}

/// The row split on `threads` cores: each KC × NC panel of B is packed once, its micro-panels
/// shared out between the threads, and then every thread multiplies its own rows of A (packed
/// into its own buffer) by the whole panel — as OpenBLAS does, so the panel is read from the
/// shared L3 once per use, not packed and cached once per thread.
func gemmSharedB<T: KernelScalar>(
    _ transA: Transpose, _ transB: Transpose, _ m: Int, _ n: Int, _ k: Int, _ alpha: T,
    _ a: UnsafePointer<T>, _ lda: Int, _ b: UnsafePointer<T>, _ ldb: Int, _ beta: T,
    _ c: UnsafeMutablePointer<T>, _ ldc: Int, threads t: Int
) {
    let mr = gemmMR, nr = T.gemmNR
    let blocking = GEMMBlocking.of(T.self)
    let kcMax = gemmDepthBlock(k, blocking)
    let rowTiles = (m + mr - 1) / mr
    let mcMax = min(blocking.mc, (rowTiles + t - 1) / t * mr)
    let ncMax = min(blocking.nc, (n + nr - 1) / nr * nr)
    let aSize = mcMax * kcMax + mr * nr, bSize = ncMax * kcMax
    ScratchPool.shared.with(bSize + t * aSize, of: T.self) { scratch in
        let packedB = scratch
        var jc = 0
        while jc < n {
            let nc = min(ncMax, n - jc)
            let panels = (nc + nr - 1) / nr
            var pc = 0
            while pc < k {
                let kc = min(kcMax, k - pc)
                let betaBlock: T = pc == 0 ? beta : 1
                parallelFor(t) { part in
                    let q0 = panels * part / t, q1 = panels * (part + 1) / t
                    if q0 < q1 {
                        gemmPackB(transB, b, ldb, pc, jc + q0 * nr, kc, min(nc, q1 * nr) - q0 * nr, packedB + q0 * nr * kc)
                    }
                }
                parallelFor(t) { part in
                    let packedA = scratch + bSize + part * aSize, edge = packedA + mcMax * kcMax
                    var ic = rowTiles * part / t * mr
                    let end = min(m, rowTiles * (part + 1) / t * mr)
                    while ic < end {
                        let mc = min(mcMax, end - ic)
                        gemmPackA(transA, a, lda, ic, pc, mc, kc, packedA)
                        gemmMacroKernel(mc, nc, kc, packedA, packedB, alpha, betaBlock, c + ic * ldc + jc, ldc, edge: edge)
                        ic += mc
                    }
                }
                pc += kc
            }
            jc += nc
        }
    }
}

/// One thread's share: the five BLIS loops over its own block of C, with its own buffers.
func gemmSerial<T: KernelScalar>(
    _ transA: Transpose, _ transB: Transpose, _ m: Int, _ n: Int, _ k: Int, _ alpha: T,
    _ a: UnsafePointer<T>, _ lda: Int, _ b: UnsafePointer<T>, _ ldb: Int, _ beta: T,
    _ c: UnsafeMutablePointer<T>, _ ldc: Int
) {
    let mr = gemmMR, nr = T.gemmNR
    let blocking = GEMMBlocking.of(T.self)
    let kcMax = gemmDepthBlock(k, blocking)
    let mcMax = min(blocking.mc, (m + mr - 1) / mr * mr)
    let ncMax = min(blocking.nc, (n + nr - 1) / nr * nr)
    let aSize = mcMax * kcMax, bSize = ncMax * kcMax
    ScratchPool.shared.with(aSize + bSize + mr * nr, of: T.self) { scratch in
        let packedA = scratch, packedB = scratch + aSize, edge = scratch + aSize + bSize
        // LOOP 5: split n into NC-wide column panels.
        var jc = 0
        while jc < n {
            let nc = min(ncMax, n - jc)
            // LOOP 4: split k into KC-deep blocks; only the first applies β.
            var pc = 0
            while pc < k {
                let kc = min(kcMax, k - pc)
                let betaBlock: T = pc == 0 ? beta : 1
                gemmPackB(transB, b, ldb, pc, jc, kc, nc, packedB)
                // LOOP 3: split m into MC-tall row blocks.
                var ic = 0
                while ic < m {
                    let mc = min(mcMax, m - ic)
                    gemmPackA(transA, a, lda, ic, pc, mc, kc, packedA)
                    gemmMacroKernel(mc, nc, kc, packedA, packedB, alpha, betaBlock, c + ic * ldc + jc, ldc, edge: edge)
                    ic += mc
                }
                pc += kc
            }
            jc += nc
        }
    }
}

/// Loops 2 and 1 of BLIS: C[0..<mc, 0..<nc] ← α·ÃB̃ + β·C for a packed block Ã (mc × kc) and
/// panel B̃ (kc × nc), one register tile at a time; edge tiles go through `edge` (MR × NR).
@inline(__always)
func gemmMacroKernel<T: KernelScalar>(
    _ mc: Int, _ nc: Int, _ kc: Int, _ packedA: UnsafeMutablePointer<T>, _ packedB: UnsafeMutablePointer<T>,
    _ alpha: T, _ betaBlock: T, _ c: UnsafeMutablePointer<T>, _ ldc: Int, edge: UnsafeMutablePointer<T>
) {
    let mr = gemmMR, nr = T.gemmNR
    // LOOP 2: NR-wide micro-panels of B.
    var jr = 0
    while jr < nc {
        let cols = min(nr, nc - jr)
        let bPanel = UnsafePointer(packedB + jr * kc)
        // LOOP 1: MR-tall micro-panels of A.
        var ir = 0
        while ir < mc {
            let rows = min(mr, mc - ir)
            let aPanel = UnsafePointer(packedA + ir * kc)
            let cTile = c + ir * ldc + jr
            if rows == mr && cols == nr {
                gemmMicroKernel(kc, aPanel, bPanel, alpha, betaBlock, cTile, ldc)
            } else {
                // Edge tile: the full kernel into scratch, then the valid part.
                gemmMicroKernel(kc, aPanel, bPanel, alpha, 0, edge, nr)
                for r in 0..<rows {
                    let src = edge + r * nr, dst = cTile + r * ldc
                    if betaBlock == 0 {
                        for q in 0..<cols { dst[q] = src[q] }
                    } else {
                        for q in 0..<cols { dst[q] = src[q].addingProduct(betaBlock, dst[q]) }
                    }
                }
            }
            ir += mr
        }
        jr += nr
    }
}
