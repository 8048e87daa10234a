// General matrix–matrix product, after BLIS: cache blocking and threading here, packing in
// GEMMPacking.swift, the register tile in GEMMMicroKernel.swift.

/// C ← α·op(A)·op(B) + βC, all row-major: C is m×n (leading dimension `ldc` ≥ n), op(A) is m×k
/// and op(B) is k×n. A is stored m×k (`lda` ≥ k) when `transA == .none` and k×m (`lda` ≥ m)
/// when transposed; likewise B is k×n (`ldb` ≥ n) or n×k (`ldb` ≥ k).
///
/// β = 0 overwrites C without reading it (NaNs in C do not survive); α = 0 or k = 0 only scales C.
/// `threads`: 0 (the default) picks one thread for products with m·n·k < 2²⁰ (2¹⁸ when k ≥ 128)
/// and all active cores above; an explicit count is honoured up to one thread per register tile. A mini-batch
/// layer such as 128×256×784 is split in one dispatch to the spinning worker pool: each thread
/// takes a block of columns of C, reads a plain A where it is stored and packs only its own
/// columns of B (and a transposed A). From m·n·k = 2²⁷ on, both operands are packed and the
/// threads share each packed panel of B. Threads split C into disjoint tiles and every entry
/// is one fixed-order fused multiply-add chain per k-block of `KC`, whichever path computes
/// it, so the result is bit-identical for every thread count.
///
/// `epilogue` folds a network layer's element-wise work into the register tiles' reads and
/// writes of C (see `GEMMEpilogue`).
///
/// `isa` picks the register tile (`KernelISA`; by default the process's). Both tiles sum every
/// entry in the same order, so the result does not depend on it either.
///
/// `rowsOfA` (with `transA == .none`) gathers A's rows: row i of A is the stored row
/// `rowsOfA[i]`, at `a + rowsOfA[i]·lda` — a mini-batch's samples read where the data set
/// holds them, never copied; A is then read in place whatever `lda`. `rowsOfB` (with
/// `transB == .none`) does the same for B's k rows, which are packed from where they are.
/// The arithmetic is that of the gathered matrix stored densely, bit for bit.
/// - Precondition: a gathered operand is not transposed; every index is a row of the operand.
/// - Complexity: O(mnk) arithmetic; O(mk + kn) packing and O(mn) for C.
@inlinable
public func gemm<T: KernelScalar>(
    _ transA: Transpose, _ transB: Transpose, _ m: Int, _ n: Int, _ k: Int, _ alpha: T,
    _ a: UnsafePointer<T>, _ lda: Int, _ b: UnsafePointer<T>, _ ldb: Int, _ beta: T,
    _ c: UnsafeMutablePointer<T>, _ ldc: Int, threads: Int = 0, epilogue: GEMMEpilogue<T> = .none,
    rowsOfA: UnsafePointer<Int>? = nil, rowsOfB: UnsafePointer<Int>? = nil, isa: KernelISA = .current
) {
    precondition(rowsOfA == nil || transA == .none, "gemm: a gathered A must not be transposed")
    precondition(rowsOfB == nil || transB == .none, "gemm: a gathered B must not be transposed")
    T._gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads: threads, epilogue: epilogue,
            rowsOfA: rowsOfA, rowsOfB: rowsOfB, isa: isa)
}

/// Element-wise work on C that `gemm` does in the register tile, as it reads and writes C:
/// `rowInit` (n entries) stands for every row of C in the first k-block's β-term, so that
/// β = 1 gives C = 1·rowInitᵀ + α·op(A)·op(B) — a layer's bias; after the last k-block,
/// `relu` (when given, leading dimension `reluStride`) receives max(C, 0), and `mask`
/// (leading dimension `maskStride`) zeroes C where mask ≤ 0 — ReLU's backward pass. C's
/// values are the ones separate passes (C set to rowInit, the product, then the ReLU) would
/// give, bit for bit; ReLU(C) and the mask follow the vector rules `positivePart` and
/// `maskedByPositive` at every entry (a −0 or NaN in C is kept by the ReLU). No pass over C
/// is added, which would read back from L2 a block the tiles have evicted from L1.
public struct GEMMEpilogue<T: KernelScalar> {
    public var rowInit: UnsafePointer<T>?
    public var relu: UnsafeMutablePointer<T>?
    public var reluStride: Int
    public var mask: UnsafePointer<T>?
    public var maskStride: Int

    @inlinable
    public init(rowInit: UnsafePointer<T>? = nil, relu: UnsafeMutablePointer<T>? = nil, reluStride: Int = 0,
                mask: UnsafePointer<T>? = nil, maskStride: Int = 0) {
        self.rowInit = rowInit
        self.relu = relu
        self.reluStride = reluStride
        self.mask = mask
        self.maskStride = maskStride
    }

    @inlinable public static var none: GEMMEpilogue<T> { GEMMEpilogue() }

    /// The epilogue of the block of C from row i0, column j0.
    @inlinable func block(row i0: Int, column j0: Int) -> GEMMEpilogue<T> {
        GEMMEpilogue(rowInit: rowInit.map { $0 + j0 }, relu: relu.map { $0 + i0 * reluStride + j0 }, reluStride: reluStride,
                     mask: mask.map { $0 + i0 * maskStride + j0 }, maskStride: maskStride)
    }

    /// What the register tiles of C's block from row i0, column j0 read and write besides C, at
    /// the first and last k-block or neither: the bias row as β-term before the first, the
    /// ReLU's mask and output after the last.
    @inline(__always) func tiles(_ c: UnsafeMutablePointer<T>, _ ldc: Int, row i0: Int, column j0: Int, first: Bool, last: Bool)
        -> GEMMTileIO<T> {
        let at = block(row: i0, column: j0)
        var io = GEMMTileIO.plain(c + i0 * ldc + j0, ldc)
        if first, let rowInit = at.rowInit { io.input = rowInit; io.inputStride = 0 }
        if last { (io.relu, io.reluStride, io.mask, io.maskStride) = (at.relu, reluStride, at.mask, maskStride) }
        return io
    }
}

extension Float {
    /// `gemm` for Float, compiled here once: `gemm(.none, .none, m, n, k, α, A, lda, B, ldb, β,
    /// C, ldc)` computes C ← α·op(A)·op(B) + βC.
    /// - Complexity: O(mnk).
    public static func _gemm(
        _ transA: Transpose, _ transB: Transpose, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
        _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int, _ beta: Float,
        _ c: UnsafeMutablePointer<Float>, _ ldc: Int, threads: Int, epilogue: GEMMEpilogue<Float>,
        rowsOfA: UnsafePointer<Int>?, rowsOfB: UnsafePointer<Int>?, isa: KernelISA
    ) {
        switch isa {
        case .avx512:
            gemmDriver(GEMMTile512<Float>.self, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads: threads,
                       epilogue: epilogue, aIndex: rowsOfA, bIndex: rowsOfB)
        case .avx2:
            gemmDriver(GEMMTile256<Float>.self, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads: threads,
                       epilogue: epilogue, aIndex: rowsOfA, bIndex: rowsOfB)
        }
    }
}

extension Double {
    /// `gemm` for Double, compiled here once: C ← α·op(A)·op(B) + βC.
    /// - Complexity: O(mnk).
    public static func _gemm(
        _ transA: Transpose, _ transB: Transpose, _ m: Int, _ n: Int, _ k: Int, _ alpha: Double,
        _ a: UnsafePointer<Double>, _ lda: Int, _ b: UnsafePointer<Double>, _ ldb: Int, _ beta: Double,
        _ c: UnsafeMutablePointer<Double>, _ ldc: Int, threads: Int, epilogue: GEMMEpilogue<Double>,
        rowsOfA: UnsafePointer<Int>?, rowsOfB: UnsafePointer<Int>?, isa: KernelISA
    ) {
        switch isa {
        case .avx512:
            gemmDriver(GEMMTile512<Double>.self, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads: threads,
                       epilogue: epilogue, aIndex: rowsOfA, bIndex: rowsOfB)
        case .avx2:
            gemmDriver(GEMMTile256<Double>.self, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads: threads,
                       epilogue: epilogue, aIndex: rowsOfA, bIndex: rowsOfB)
        }
    }
}

/// Cache-blocking sizes, in elements: MC × KC of packed A (384 KB f32, 384 KB f64) stays in the
/// 1 MB L2 of a core, KC × NC of packed B (4 MB) in the shared L3, packed once and read by
/// every thread when they split the rows of C (`gemmSharedB`). KC = 512 beat 256 and 768 in
/// `make bench-kernels`: deep blocks amortise the C tile's loads and stores. MC and NC are
/// multiples of both tiles' MR and NR. KC is the same for every tile: the k-blocks are the
/// only thing that orders an entry's sum, so the tiles give the same bits.
struct GEMMBlocking {
    var kc: Int, mc: Int, nc: Int

    static func of<Tile: GEMMTile>(_: Tile.Type) -> GEMMBlocking {
        MemoryLayout<Tile.Scalar>.size == 4
            ? GEMMBlocking(kc: 512, mc: 192, nc: 2048)
            : GEMMBlocking(kc: 512, mc: 96, nc: 1024)
    }
}

/// Products below this m·n·k run on one thread unless a count is given.
let gemmParallelThreshold = 1 << 20
/// The same for products at least 128 deep, whose arithmetic per packed entry repays a split
/// sooner (a network's 128 × 10 × 256 output layer).
let gemmDeepParallelThreshold = 1 << 18
/// From this m·n·k on, operands are packed and threads share packed panels of B (two
/// dispatches per KC × NC block); below it, operands stored the way the micro-kernel reads
/// them are read in place.
let gemmSharedPanelThreshold = 1 << 27

func gemmDriver<T: KernelScalar, Tile: GEMMTile>(
    _: Tile.Type, _ transA: Transpose, _ transB: Transpose, _ m: Int, _ n: Int, _ k: Int, _ alpha: T,
    _ a: UnsafePointer<T>, _ lda: Int, _ b: UnsafePointer<T>, _ ldb: Int, _ beta: T,
    _ c: UnsafeMutablePointer<T>, _ ldc: Int, threads: Int, epilogue: GEMMEpilogue<T> = .none,
    aIndex: UnsafePointer<Int>? = nil, bIndex: UnsafePointer<Int>? = nil
) where Tile.Scalar == T {
    if m <= 0 || n <= 0 { return }
    if k <= 0 || alpha == 0 {
        let io = epilogue.tiles(c, ldc, row: 0, column: 0, first: true, last: true)
        for i in 0..<m {
            let row = c + i * ldc, input = io.input + i * io.inputStride
            if beta == 0 {
                fill(n, 0, row)
            } else {
                if input != UnsafePointer(row) { row.update(from: input, count: n) }
                if beta != 1 { scal(n, beta, row) }
            }
            io.finish(row: i, count: n, c, ldc)
        }
        return
    }
    let mr = Tile.mr, nr = Tile.nr
    let rowTiles = (m + mr - 1) / mr, colTiles = (n + nr - 1) / nr
    let small = m * n * k < (k >= 128 ? gemmDeepParallelThreshold : gemmParallelThreshold)
    var t = threads > 0 ? threads : (small ? 1 : availableThreads)
    if m * n * k >= gemmSharedPanelThreshold {
        // Large products split the rows of C and share each packed panel of B.
        let splitRows = rowTiles >= colTiles
        t = max(1, min(t, splitRows ? rowTiles : colTiles))
        if t == 1 {
            gemmPacked(Tile.self, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, epilogue: epilogue, aIndex: aIndex, bIndex: bIndex)
        } else if splitRows {
            gemmSharedB(Tile.self, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads: t, epilogue: epilogue,
                        aIndex: aIndex, bIndex: bIndex)
        } else {
            parallelFor(t) { part in
                let j0 = colTiles * part / t * nr, j1 = min(n, colTiles * (part + 1) / t * nr)
                gemmPacked(Tile.self, transA, transB, m, j1 - j0, k, alpha, a, lda,
                           transB == .none ? b + j0 : b + j0 * ldb, ldb, beta, c + j0, ldc, epilogue: epilogue.block(row: 0, column: j0),
                           aIndex: aIndex, bIndex: bIndex)
            }
        }
        return
    }
    // Smaller ones take a single dispatch and read a plain A in place — unless its rows are a
    // multiple of 4 KB apart, when the twelve rows of a micro-panel share one set of the L1
    // cache. Splitting the columns then packs nothing twice but a transposed A (each thread
    // packs its own: read from another core's cache just after being written, a shared copy
    // costs more than a second one); only a product too narrow to give each thread a column
    // of tiles splits the rows, each thread then packing all of B.
    let aInPlace = transA == .none && (aIndex != nil || (lda * MemoryLayout<T>.size) % 4096 != 0)
    let splitRows = colTiles < t && rowTiles > colTiles
    t = max(1, min(t, splitRows ? rowTiles : colTiles))
    if t == 1 {
        gemmPacked(Tile.self, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, aInPlace: aInPlace, epilogue: epilogue,
                   aIndex: aIndex, bIndex: bIndex)
    } else if splitRows {
        parallelFor(t) { part in
            let i0 = rowTiles * part / t * mr, i1 = min(m, rowTiles * (part + 1) / t * mr)
            let rowsA = aIndex.map { $0 + i0 }
            gemmPacked(Tile.self, transA, transB, i1 - i0, n, k, alpha, rowsA != nil ? a : transA == .none ? a + i0 * lda : a + i0, lda,
                       b, ldb, beta, c + i0 * ldc, ldc, aInPlace: aInPlace, epilogue: epilogue.block(row: i0, column: 0),
                       aIndex: rowsA, bIndex: bIndex)
        }
    } else {
        parallelFor(t) { part in
            let j0 = colTiles * part / t * nr, j1 = min(n, colTiles * (part + 1) / t * nr)
            gemmPacked(Tile.self, transA, transB, m, j1 - j0, k, alpha, a, lda,
                       transB == .none ? b + j0 : b + j0 * ldb, ldb, beta, c + j0, ldc, aInPlace: aInPlace,
                       epilogue: epilogue.block(row: 0, column: j0), aIndex: aIndex, bIndex: bIndex)
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
func gemmSharedB<T: KernelScalar, Tile: GEMMTile>(
    _: Tile.Type, _ transA: Transpose, _ transB: Transpose, _ m: Int, _ n: Int, _ k: Int, _ alpha: T,
    _ a: UnsafePointer<T>, _ lda: Int, _ b: UnsafePointer<T>, _ ldb: Int, _ beta: T,
    _ c: UnsafeMutablePointer<T>, _ ldc: Int, threads t: Int, epilogue: GEMMEpilogue<T>,
    aIndex: UnsafePointer<Int>?, bIndex: UnsafePointer<Int>?
) where Tile.Scalar == T {
    let mr = Tile.mr, nr = Tile.nr
    let blocking = GEMMBlocking.of(Tile.self)
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
                        gemmPackB(Tile.self, transB, b, ldb, pc, jc + q0 * nr, kc, min(nc, q1 * nr) - q0 * nr, packedB + q0 * nr * kc, rows: bIndex)
                    }
                }
                parallelFor(t) { part in
                    let packedA = scratch + bSize + part * aSize, edge = packedA + mcMax * kcMax
                    var ic = rowTiles * part / t * mr
                    let end = min(m, rowTiles * (part + 1) / t * mr)
                    while ic < end {
                        let mc = min(mcMax, end - ic)
                        let panelsA: GEMMPanels<T>
                        if let aIndex {
                            panelsA = .gathered(a + pc, lda, aIndex + ic)
                        } else {
                            gemmPackA(Tile.self, transA, a, lda, ic, pc, mc, kc, packedA)
                            panelsA = .packed(packedA, mr, kc)
                        }
                        gemmMacroKernel(Tile.self, mc, nc, kc, panelsA, .packed(packedB, nr, kc), alpha, betaBlock,
                                        c + ic * ldc + jc, ldc,
                                        io: epilogue.tiles(c, ldc, row: ic, column: jc, first: pc == 0, last: pc + kc >= k), edge: edge)
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
///
/// B is packed — a plain B by vector copies, a transposed one by 4 × 4 register transposes —
/// so that its micro-panel stays in L1 across the row panels of A whatever `ldb` (rows of B
/// read in place thrash L1 when `ldb` is a multiple of 256 floats); only a B met by at most
/// two row panels is read in place. A transposed A is packed by copies. A plain A is read in
/// place when `aInPlace` — twelve rows side by side — since packing it would transpose every
/// 12 × k block, costing at k ≈ 128 as much as a good part of the arithmetic; only its ragged
/// last micro-panel is packed then.
func gemmPacked<T: KernelScalar, Tile: GEMMTile>(
    _: Tile.Type, _ transA: Transpose, _ transB: Transpose, _ m: Int, _ n: Int, _ k: Int, _ alpha: T,
    _ a: UnsafePointer<T>, _ lda: Int, _ b: UnsafePointer<T>, _ ldb: Int, _ beta: T,
    _ c: UnsafeMutablePointer<T>, _ ldc: Int, aInPlace: Bool = false, epilogue: GEMMEpilogue<T> = .none,
    aIndex: UnsafePointer<Int>? = nil, bIndex: UnsafePointer<Int>? = nil
) where Tile.Scalar == T {
    let mr = Tile.mr, nr = Tile.nr
    let blocking = GEMMBlocking.of(Tile.self)
    let kcMax = gemmDepthBlock(k, blocking)
    let mcMax = min(blocking.mc, (m + mr - 1) / mr * mr)
    let ncMax = min(blocking.nc, (n + nr - 1) / nr * nr)
    // Gathered rows of A are all read in place, a ragged last micro-panel too.
    let inPlace = aIndex != nil || (aInPlace && transA == .none)
    let fullRows = aIndex != nil ? m : inPlace ? m / mr * mr : 0
    // A B panel that meets at most two micro-panels of A is read in place (but its ragged
    // last micro-panel): packing it would cost as much as reading it.
    let bInPlace = transB == .none && bIndex == nil && m <= 2 * mr
    let fullCols = bInPlace ? n / nr * nr : 0
    let aSize = inPlace ? mr * kcMax : mcMax * kcMax, bSize = bInPlace ? nr * kcMax : ncMax * kcMax
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
                let panelsB: GEMMPanels<T>
                if bInPlace {
                    let full = (min(jc + nc, fullCols) - jc) / nr
                    if full * nr < nc { gemmPackB(Tile.self, transB, b, ldb, pc, jc + full * nr, kc, nc - full * nr, packedB) }
                    panelsB = GEMMPanels(b + pc * ldb + jc, count: full, panelStride: nr, rowStride: 1, depthStride: ldb,
                                         edge: packedB, edgeDepthStride: nr)
                } else {
                    gemmPackB(Tile.self, transB, b, ldb, pc, jc, kc, nc, packedB, rows: bIndex)
                    panelsB = .packed(packedB, nr, kc)
                }
                if inPlace && fullRows < m { gemmPackA(Tile.self, transA, a, lda, fullRows, pc, m - fullRows, kc, packedA) }
                // LOOP 3: split m into MC-tall row blocks.
                var ic = 0
                while ic < m {
                    let mc = min(mcMax, m - ic)
                    let panelsA: GEMMPanels<T>
                    if let aIndex {
                        panelsA = .gathered(a + pc, lda, aIndex + ic)
                    } else if inPlace {
                        panelsA = GEMMPanels(a + ic * lda + pc, count: (min(ic + mc, fullRows) - ic) / mr, panelStride: mr * lda,
                                             rowStride: lda, depthStride: 1, edge: packedA, edgeDepthStride: mr)
                    } else {
                        gemmPackA(Tile.self, transA, a, lda, ic, pc, mc, kc, packedA)
                        panelsA = .packed(packedA, mr, kc)
                    }
                    gemmMacroKernel(Tile.self, mc, nc, kc, panelsA, panelsB, alpha, betaBlock, c + ic * ldc + jc, ldc,
                                    io: epilogue.tiles(c, ldc, row: ic, column: jc, first: pc == 0, last: pc + kc >= k), edge: edge)
                    ic += mc
                }
                pc += kc
            }
            jc += nc
        }
    }
}

/// Micro-panels of one operand block as the micro-kernel reads them: the first `count` in
/// place, panel q's entry (r, p) at `base + q·panelStride + r·rowStride + p·depthStride`, then
/// one packed panel at `edge` (entry (r, p) at `edge + r + p·edgeDepthStride`) for the rest —
/// or, with `index`, gathered rows: entry (r, p) of panel q at `base + index[MR·q + r]·rowStride + p`,
/// every panel in place.
struct GEMMPanels<T: KernelScalar> {
    var base: UnsafePointer<T>
    var count: Int
    var panelStride: Int, rowStride: Int, depthStride: Int
    var edge: UnsafePointer<T>
    var edgeDepthStride: Int
    var index: UnsafePointer<Int>? = nil

    init(_ base: UnsafePointer<T>, count: Int, panelStride: Int, rowStride: Int, depthStride: Int,
         edge: UnsafeMutablePointer<T>, edgeDepthStride: Int) {
        self.base = base
        self.count = count
        self.panelStride = panelStride
        self.rowStride = rowStride
        self.depthStride = depthStride
        self.edge = UnsafePointer(edge)
        self.edgeDepthStride = edgeDepthStride
    }

    /// Rows `index[0...]` of the matrix at `base` (leading dimension `ld`), read where they are.
    static func gathered(_ base: UnsafePointer<T>, _ ld: Int, _ index: UnsafePointer<Int>) -> GEMMPanels {
        var panels = GEMMPanels(base, count: Int.max, panelStride: 0, rowStride: ld, depthStride: 1,
                                edge: UnsafeMutablePointer(mutating: base), edgeDepthStride: 0)
        panels.index = index
        return panels
    }

    /// A block packed by `gemmPackA`/`gemmPackB`: panels of `width` × kc, one after another.
    static func packed(_ p: UnsafeMutablePointer<T>, _ width: Int, _ kc: Int) -> GEMMPanels {
        GEMMPanels(UnsafePointer(p), count: Int.max, panelStride: width * kc, rowStride: 1, depthStride: width,
                   edge: p, edgeDepthStride: width)
    }
}

/// Loops 2 and 1 of BLIS: C[0..<mc, 0..<nc] ← α·ÃB̃ + β·C for a block Ã (mc × kc) and panel
/// B̃ (kc × nc), one register tile at a time. A micro-panel of B at most one vector wide runs
/// the half-width kernel; tiles cut by the edge of C go through `edge` (MR × NR), whose valid
/// part is then copied out. Each call site below names its kernel's row count as one of the
/// tile's literals (`rowCounts`), so that the inlined kernel is specialised for it.
@inline(__always)
func gemmMacroKernel<T: KernelScalar, Tile: GEMMTile>(
    _: Tile.Type, _ mc: Int, _ nc: Int, _ kc: Int, _ pa: GEMMPanels<T>, _ pb: GEMMPanels<T>,
    _ alpha: T, _ betaBlock: T, _ c: UnsafeMutablePointer<T>, _ ldc: Int, io block: GEMMTileIO<T>,
    edge: UnsafeMutablePointer<T>
) where Tile.Scalar == T {
    let mr = Tile.mr, nr = Tile.nr, w = Tile.lanes
    let (short, medium, _) = Tile.rowCounts
    // LOOP 2: NR-wide micro-panels of B.
    var jr = 0
    while jr < nc {
        let cols = min(nr, nc - jr)
        let q = jr / nr
        let bPanel = q < pb.count ? pb.base + q * pb.panelStride : pb.edge
        let ldb = q < pb.count ? pb.depthStride : pb.edgeDepthStride
        let half = cols <= w
        // LOOP 1: MR-tall micro-panels of A.
        var ir = 0
        while ir < mc {
            let rows = min(mr, mc - ir)
            let cTile = c + ir * ldc + jr
            let inPlace = ir / mr < pa.count
            let aPanel = inPlace ? pa.base + ir / mr * pa.panelStride : pa.edge
            let kernelRows = Tile.kernelRows(rows)
            let direct = rows == kernelRows && cols == (half ? w : nr)
            let tile = block.offset(row: ir, column: jr)
            let (dst, ldd, beta) = direct ? (cTile, ldc, betaBlock) : (edge, nr, 0)
            let io = direct ? tile : .plain(edge, nr)
            if let index = pa.index {
                // Gathered rows, a ragged panel's too: rows past `rows` repeat its first.
                let g = GEMMGatheredPanel(pa.base, pa.rowStride, index: index + ir, rows: rows, column: 0)
                switch (kernelRows, half) {
                case (short, true): Tile.kernelHalf(short, kc, g, bPanel, ldb, alpha, beta, dst, ldd, io)
                case (short, false): Tile.kernel(short, kc, g, bPanel, ldb, alpha, beta, dst, ldd, io)
                case (medium, true): Tile.kernelHalf(medium, kc, g, bPanel, ldb, alpha, beta, dst, ldd, io)
                case (medium, false): Tile.kernel(medium, kc, g, bPanel, ldb, alpha, beta, dst, ldd, io)
                case (_, true): Tile.kernelHalf(mr, kc, g, bPanel, ldb, alpha, beta, dst, ldd, io)
                case (_, false): Tile.kernel(mr, kc, g, bPanel, ldb, alpha, beta, dst, ldd, io)
                }
            } else if inPlace && pa.rowStride != 1 {
                // A ragged micro-panel of a strided A is packed; its rows past `rows` are zero padding.
                let panel = GEMMStridedPanel(aPanel, rowStride: pa.rowStride, depthStride: 1)
                if half {
                    Tile.kernelHalf(mr, kc, panel, bPanel, ldb, alpha, beta, dst, ldd, io)
                } else {
                    Tile.kernel(mr, kc, panel, bPanel, ldb, alpha, beta, dst, ldd, io)
                }
            } else {
                let panel = GEMMStridedPanel(aPanel, rowStride: 1, depthStride: inPlace ? pa.depthStride : pa.edgeDepthStride)
                switch (kernelRows, half) {
                case (short, true): Tile.kernelHalf(short, kc, panel, bPanel, ldb, alpha, beta, dst, ldd, io)
                case (short, false): Tile.kernel(short, kc, panel, bPanel, ldb, alpha, beta, dst, ldd, io)
                case (medium, true): Tile.kernelHalf(medium, kc, panel, bPanel, ldb, alpha, beta, dst, ldd, io)
                case (medium, false): Tile.kernel(medium, kc, panel, bPanel, ldb, alpha, beta, dst, ldd, io)
                case (_, true): Tile.kernelHalf(mr, kc, panel, bPanel, ldb, alpha, beta, dst, ldd, io)
                case (_, false): Tile.kernel(mr, kc, panel, bPanel, ldb, alpha, beta, dst, ldd, io)
                }
            }
            if !direct {
                for r in 0..<rows {
                    let src = edge + r * nr, out = cTile + r * ldc
                    if betaBlock == 0 {
                        for q in 0..<cols { out[q] = src[q] }
                    } else {
                        let input = tile.input + r * tile.inputStride
                        for q in 0..<cols { out[q] = src[q].addingProduct(betaBlock, input[q]) }
                    }
                    tile.finish(row: r, count: cols, cTile, ldc)
                }
            }
            ir += mr
        }
        jr += nr
    }
}
