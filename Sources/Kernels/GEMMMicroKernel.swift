// The GEMM micro-kernels: the only code that knows the register tiles (`KernelISA`).
//
// A tile of MR × NR entries of C lives in 2·MR vector accumulators (NR is two vectors); each
// step of k loads the two vectors of a row of the B micro-panel and broadcasts the MR entries
// of a column of the A micro-panel against them. One tile per instruction set:
//
// - `GEMMTile512` (AVX-512): MR = 12, NR = 2w, w = lanes of a 512-bit vector (12×32 Float,
//   12×16 Double). 24 accumulators + 2 B vectors + a broadcast fill 27 of the 32 registers.
// - `GEMMTile256` (AVX2 + FMA): MR = 6, NR = 2h, h = lanes of a 256-bit vector (6×16 Float,
//   6×8 Double). 12 accumulators + 2 + 1 fill 15 of the 16 registers. The 12 × 2w tile built
//   for such a CPU would need 48 accumulators of 256 bits and spill.
//
// Neither operand has to be packed: the kernel reads the A micro-panel through a
// `GEMMPanelReader` — strided (`a + r·rowStride + p·depthStride`) or gathered (MR rows
// from anywhere) — and row p of the B micro-panel at `b + p·ldb`, so a packed panel
// (rowStride 1, depthStride MR; ldb = NR), a plain A read in place (rowStride lda, depthStride
// 1), a mini-batch's rows read where the data set holds them, and a plain B read in place
// (ldb) all run the same arithmetic. The last row panel of A may be shorter: each tile also
// runs two shorter row counts (`rowCounts`: 4 and 8 of 12, 2 and 4 of 6 — m = 128 = 10·12 + 8
// = 21·6 + 2 rows, m = 64 = 5·12 + 4 = 10·6 + 4), a literal at each call, and runs only those rows.
//
// Every entry of C is one fused multiply-add chain over k = 0..<kc in increasing order, finished
// by `(α·s).addingProduct(β, c)`, in both tiles: the tile decides which entries share
// registers, never the order of any entry's sum.

/// A register tile of the GEMM micro-kernel: its shape and its kernels. The cache-blocking loops
/// and the packing read MR and NR from here and know nothing else of it.
protocol GEMMTile {
    associatedtype Scalar: KernelScalar
    /// The vector of one accumulator: NR is two of them.
    associatedtype V: SIMD where V.Scalar == Scalar
    /// Rows MR.
    static var mr: Int { get }
    /// Columns NR = 2·`lanes`.
    static var nr: Int { get }
    /// Lanes of V.
    static var lanes: Int { get }
    /// The row counts the kernels run, shortest first, the last MR: a ragged last row panel
    /// runs the shortest that covers it.
    static var rowCounts: (Int, Int, Int) { get }
    /// ReLU's forward and backward rules on V (`KernelScalar.positivePart`, `maskedByPositive`).
    static func positivePart(_ v: V) -> V
    static func maskedByPositive(_ g: V, _ s: V) -> V
    /// C[0..<rows, 0..<NR] ← α·ÃB̃ + β·C, `rows` one of `rowCounts` (see `gemmMicroKernel`).
    static func kernel<A: GEMMPanelReader>(
        _ rows: Int, _ kc: Int, _ panel: A, _ b: UnsafePointer<Scalar>, _ ldb: Int,
        _ alpha: Scalar, _ beta: Scalar, _ c: UnsafeMutablePointer<Scalar>, _ ldc: Int, _ io: GEMMTileIO<Scalar>
    ) where A.Scalar == Scalar
    /// The same on the first `lanes` columns only, for B panels at most one vector wide.
    static func kernelHalf<A: GEMMPanelReader>(
        _ rows: Int, _ kc: Int, _ panel: A, _ b: UnsafePointer<Scalar>, _ ldb: Int,
        _ alpha: Scalar, _ beta: Scalar, _ c: UnsafeMutablePointer<Scalar>, _ ldc: Int, _ io: GEMMTileIO<Scalar>
    ) where A.Scalar == Scalar
}

extension GEMMTile {
    /// The row count of the kernel a panel of `rows` rows runs: the shortest that covers it.
    @inline(__always)
    static func kernelRows(_ rows: Int) -> Int {
        rows <= rowCounts.0 ? rowCounts.0 : rows <= rowCounts.1 ? rowCounts.1 : mr
    }
}

/// The AVX-512 tile: 12 × 2w in 24 accumulators of `Scalar.Vector` (512 bits).
enum GEMMTile512<Scalar: KernelScalar>: GEMMTile {
    typealias V = Scalar.Vector
    @inline(__always) static var mr: Int { 12 }
    @inline(__always) static var lanes: Int { Scalar.lanes }
    @inline(__always) static var nr: Int { 2 * Scalar.lanes }
    @inline(__always) static var rowCounts: (Int, Int, Int) { (4, 8, 12) }
    @inline(__always) static func positivePart(_ v: V) -> V { Scalar.positivePart(v) }
    @inline(__always) static func maskedByPositive(_ g: V, _ s: V) -> V { Scalar.maskedByPositive(g, s) }

    @inline(__always)
    static func kernel<A: GEMMPanelReader>(
        _ rows: Int, _ kc: Int, _ panel: A, _ b: UnsafePointer<Scalar>, _ ldb: Int,
        _ alpha: Scalar, _ beta: Scalar, _ c: UnsafeMutablePointer<Scalar>, _ ldc: Int, _ io: GEMMTileIO<Scalar>
    ) where A.Scalar == Scalar {
        gemmMicroKernel12(rows, kc, panel, b, ldb, alpha, beta, c, ldc, io)
    }

    @inline(__always)
    static func kernelHalf<A: GEMMPanelReader>(
        _ rows: Int, _ kc: Int, _ panel: A, _ b: UnsafePointer<Scalar>, _ ldb: Int,
        _ alpha: Scalar, _ beta: Scalar, _ c: UnsafeMutablePointer<Scalar>, _ ldc: Int, _ io: GEMMTileIO<Scalar>
    ) where A.Scalar == Scalar {
        gemmMicroKernel12Half(rows, kc, panel, b, ldb, alpha, beta, c, ldc, io)
    }
}

/// The AVX2 tile: 6 × 2h in 12 accumulators of `Scalar.HalfVector` (256 bits).
enum GEMMTile256<Scalar: KernelScalar>: GEMMTile {
    typealias V = Scalar.HalfVector
    @inline(__always) static var mr: Int { 6 }
    @inline(__always) static var lanes: Int { Scalar.lanes / 2 }
    @inline(__always) static var nr: Int { Scalar.lanes }
    @inline(__always) static var rowCounts: (Int, Int, Int) { (2, 4, 6) }
    @inline(__always) static func positivePart(_ v: V) -> V { Scalar.positivePart(v) }
    @inline(__always) static func maskedByPositive(_ g: V, _ s: V) -> V { Scalar.maskedByPositive(g, s) }

    @inline(__always)
    static func kernel<A: GEMMPanelReader>(
        _ rows: Int, _ kc: Int, _ panel: A, _ b: UnsafePointer<Scalar>, _ ldb: Int,
        _ alpha: Scalar, _ beta: Scalar, _ c: UnsafeMutablePointer<Scalar>, _ ldc: Int, _ io: GEMMTileIO<Scalar>
    ) where A.Scalar == Scalar {
        gemmMicroKernel6(rows, kc, panel, b, ldb, alpha, beta, c, ldc, io)
    }

    @inline(__always)
    static func kernelHalf<A: GEMMPanelReader>(
        _ rows: Int, _ kc: Int, _ panel: A, _ b: UnsafePointer<Scalar>, _ ldb: Int,
        _ alpha: Scalar, _ beta: Scalar, _ c: UnsafeMutablePointer<Scalar>, _ ldc: Int, _ io: GEMMTileIO<Scalar>
    ) where A.Scalar == Scalar {
        gemmMicroKernel6Half(rows, kc, panel, b, ldb, alpha, beta, c, ldc, io)
    }
}

/// What a register tile reads besides Ã and B̃, and writes besides C: its β-term `input`
/// (C itself, stride ldc, or a bias row read with stride 0), and, after the last k-block, the
/// ReLU's outputs — C masked where `mask` ≤ 0, and max(C, 0) into `relu` (`GEMMEpilogue`).
struct GEMMTileIO<T: KernelScalar> {
    var input: UnsafePointer<T>
    var inputStride: Int
    var relu: UnsafeMutablePointer<T>?
    var reluStride: Int
    var mask: UnsafePointer<T>?
    var maskStride: Int

    /// A tile whose β-term is C and that has no epilogue.
    @inline(__always)
    static func plain(_ c: UnsafeMutablePointer<T>, _ ldc: Int) -> GEMMTileIO {
        GEMMTileIO(input: UnsafePointer(c), inputStride: ldc, relu: nil, reluStride: 0, mask: nil, maskStride: 0)
    }

    /// The same for the sub-tile from row r, column j.
    @inline(__always)
    func offset(row r: Int, column j: Int) -> GEMMTileIO {
        GEMMTileIO(input: input + r * inputStride + j, inputStride: inputStride,
                   relu: relu.map { $0 + r * reluStride + j }, reluStride: reluStride,
                   mask: mask.map { $0 + r * maskStride + j }, maskStride: maskStride)
    }

    /// Row r of the tile's result, C's row set to `x` (one vector of the tile at column j):
    /// masked, stored, and its ReLU written — `GEMMEpilogue`'s vector rules.
    @inline(__always)
    func store<Tile: GEMMTile>(_: Tile.Type, _ x: Tile.V, row r: Int, column j: Int, _ c: UnsafeMutablePointer<T>, _ ldc: Int)
        where Tile.Scalar == T {
        var x = x
        if let mask { x = Tile.maskedByPositive(x, (mask + r * maskStride).load(Tile.V.self, at: j)) }
        (c + r * ldc).store(x, at: j)
        if let relu { (relu + r * reluStride).store(Tile.positivePart(x), at: j) }
    }

    /// The same rules entry by entry on columns 0..<count of row r, already holding C: for a
    /// tile cut by the edge of C and for an empty product.
    @inline(__always)
    func finish(row r: Int, count: Int, _ c: UnsafeMutablePointer<T>, _ ldc: Int) {
        let out = c + r * ldc
        if let mask {
            let m = mask + r * maskStride
            for q in 0..<count { out[q] = T.maskedByPositive(T.Vector(repeating: out[q]), T.Vector(repeating: m[q]))[0] }
        }
        if let relu {
            let o = relu + r * reluStride
            for q in 0..<count { o[q] = T.positivePart(T.Vector(repeating: out[q]))[0] }
        }
    }
}

/// How a register tile reads its A micro-panel: `entry(r)` is entry (r, p) of the panel at the
/// current step p of k, `advance()` moves to p + 1. `rows` is a literal at every call, so
/// the inlined kernel reads only the rows it runs.
protocol GEMMPanelReader {
    associatedtype Scalar: KernelScalar
    func entry(_ r: Int) -> Scalar
    mutating func advance()
}

/// A micro-panel with entry (r, p) at `a + r·rowStride + p·depthStride`: packed (rowStride 1,
/// depthStride MR) or a plain A read in place (rowStride lda, depthStride 1). Rows 0, 3, 6, 9
/// advance; the others sit at one or two row strides from them, which x86 addressing
/// reaches without more pointer registers. A 6-row tile reads rows 0…5 only; the pointers it
/// never reads are dropped once the kernel is inlined.
struct GEMMStridedPanel<Scalar: KernelScalar>: GEMMPanelReader {
    var a0: UnsafePointer<Scalar>, a3: UnsafePointer<Scalar>, a6: UnsafePointer<Scalar>, a9: UnsafePointer<Scalar>
    let rs: Int, rs2: Int, ks: Int

    @inline(__always)
    init(_ a: UnsafePointer<Scalar>, rowStride rs: Int, depthStride ks: Int) {
        (a0, a3, a6, a9) = (a, a + 3 * rs, a + 6 * rs, a + 9 * rs)
        (self.rs, rs2, self.ks) = (rs, 2 * rs, ks)
    }

    @inline(__always)
    func entry(_ r: Int) -> Scalar {
        switch r {
        case 0: a0[0]
        case 1: a0[rs]
        case 2: a0[rs2]
        case 3: a3[0]
        case 4: a3[rs]
        case 5: a3[rs2]
        case 6: a6[0]
        case 7: a6[rs]
        case 8: a6[rs2]
        case 9: a9[0]
        case 10: a9[rs]
        default: a9[rs2]
        }
    }

    @inline(__always)
    mutating func advance() { a0 += ks; a3 += ks; a6 += ks; a9 += ks }
}

/// A micro-panel of up to 12 rows gathered from anywhere, each contiguous along k: entry (r, p)
/// at `row_r[p]` — a mini-batch's rows read where the data set stores them.
struct GEMMGatheredPanel<Scalar: KernelScalar>: GEMMPanelReader {
    let r0: UnsafePointer<Scalar>, r1: UnsafePointer<Scalar>, r2: UnsafePointer<Scalar>, r3: UnsafePointer<Scalar>
    let r4: UnsafePointer<Scalar>, r5: UnsafePointer<Scalar>, r6: UnsafePointer<Scalar>, r7: UnsafePointer<Scalar>
    let r8: UnsafePointer<Scalar>, r9: UnsafePointer<Scalar>, r10: UnsafePointer<Scalar>, r11: UnsafePointer<Scalar>
    var p = 0

    /// Rows `index[0..<rows]` of the matrix at `base` (leading dimension `ld`), from column p0;
    /// rows past `rows` repeat the first, for accumulators that are never stored.
    @inline(__always)
    init(_ base: UnsafePointer<Scalar>, _ ld: Int, index: UnsafePointer<Int>, rows: Int, column p0: Int) {
        @inline(__always) func row(_ r: Int) -> UnsafePointer<Scalar> { base + index[r < rows ? r : 0] * ld + p0 }
        (r0, r1, r2, r3) = (row(0), row(1), row(2), row(3))
        (r4, r5, r6, r7) = (row(4), row(5), row(6), row(7))
        (r8, r9, r10, r11) = (row(8), row(9), row(10), row(11))
    }

    @inline(__always)
    func entry(_ r: Int) -> Scalar {
        switch r {
        case 0: r0[p]
        case 1: r1[p]
        case 2: r2[p]
        case 3: r3[p]
        case 4: r4[p]
        case 5: r5[p]
        case 6: r6[p]
        case 7: r7[p]
        case 8: r8[p]
        case 9: r9[p]
        case 10: r10[p]
        default: r11[p]
        }
    }

    @inline(__always)
    mutating func advance() { p += 1 }
}

/// The AVX-512 tile's kernel: C[0..<rows, 0..<NR] ← α · Ã B̃ + β C for micro-panels Ã (rows × kc,
/// read by `panel`) and B̃ (kc × NR, row p at `b + p·ldb`), C row-major with leading dimension
/// `ldc`; `rows` is 12, 8 or 4, NR = 2w.
///
/// The β-term is read from `io.input` (C itself, or a bias row), and `io` also takes the
/// ReLU's mask and output (`GEMMTileIO`). β = 0 stores α·ÃB̃ without reading the β-term.
/// Every entry is one fused multiply-add chain over k = 0..<kc in increasing order, finished
/// by `(α·s).addingProduct(β, c)` — the same arithmetic whatever the strides, the row count,
/// the tile and wherever the tile falls, so a result never depends on the path. Call it with a
/// literal row count, and a strided panel's literal stride where one is 1: the inlined copy is
/// then specialised.
/// - Complexity: O(kc).
@inline(__always)
func gemmMicroKernel12<T: KernelScalar, A: GEMMPanelReader>(
    _ rows: Int, _ kc: Int, _ panel: A, _ b: UnsafePointer<T>, _ ldb: Int,
    _ alpha: T, _ beta: T, _ c: UnsafeMutablePointer<T>, _ ldc: Int, _ io: GEMMTileIO<T>
) where A.Scalar == T {
    typealias Tile = GEMMTile512<T>
    let w = T.lanes
    var c0a = T.Vector(), c0b = T.Vector(), c1a = T.Vector(), c1b = T.Vector()
    var c2a = T.Vector(), c2b = T.Vector(), c3a = T.Vector(), c3b = T.Vector()
    var c4a = T.Vector(), c4b = T.Vector(), c5a = T.Vector(), c5b = T.Vector()
    var c6a = T.Vector(), c6b = T.Vector(), c7a = T.Vector(), c7b = T.Vector()
    var c8a = T.Vector(), c8b = T.Vector(), c9a = T.Vector(), c9b = T.Vector()
    var c10a = T.Vector(), c10b = T.Vector(), c11a = T.Vector(), c11b = T.Vector()
    // The C tile is read (β ≠ 0) or written only after the kc steps; request its lines now so a
    // product larger than the caches does not wait for them then (each row 2·64 bytes).
    for r in 0..<rows {
        let row = UnsafeRawPointer(c + r * ldc)
        _llvmPrefetch(row, 1, 2, 1)
        _llvmPrefetch(row + 64, 1, 2, 1)
    }
    var a = panel
    var pb = b
    for _ in 0..<kc {
        let b0 = pb.vector(at: 0), b1 = pb.vector(at: w)
        do { let x = T.Vector(repeating: a.entry(0)); c0a = c0a.addingProduct(x, b0); c0b = c0b.addingProduct(x, b1) }
        do { let x = T.Vector(repeating: a.entry(1)); c1a = c1a.addingProduct(x, b0); c1b = c1b.addingProduct(x, b1) }
        do { let x = T.Vector(repeating: a.entry(2)); c2a = c2a.addingProduct(x, b0); c2b = c2b.addingProduct(x, b1) }
        do { let x = T.Vector(repeating: a.entry(3)); c3a = c3a.addingProduct(x, b0); c3b = c3b.addingProduct(x, b1) }
        if rows > 4 { let x = T.Vector(repeating: a.entry(4)); c4a = c4a.addingProduct(x, b0); c4b = c4b.addingProduct(x, b1) }
        if rows > 4 { let x = T.Vector(repeating: a.entry(5)); c5a = c5a.addingProduct(x, b0); c5b = c5b.addingProduct(x, b1) }
        if rows > 4 { let x = T.Vector(repeating: a.entry(6)); c6a = c6a.addingProduct(x, b0); c6b = c6b.addingProduct(x, b1) }
        if rows > 4 { let x = T.Vector(repeating: a.entry(7)); c7a = c7a.addingProduct(x, b0); c7b = c7b.addingProduct(x, b1) }
        if rows > 8 { let x = T.Vector(repeating: a.entry(8)); c8a = c8a.addingProduct(x, b0); c8b = c8b.addingProduct(x, b1) }
        if rows > 8 { let x = T.Vector(repeating: a.entry(9)); c9a = c9a.addingProduct(x, b0); c9b = c9b.addingProduct(x, b1) }
        if rows > 8 { let x = T.Vector(repeating: a.entry(10)); c10a = c10a.addingProduct(x, b0); c10b = c10b.addingProduct(x, b1) }
        if rows > 8 { let x = T.Vector(repeating: a.entry(11)); c11a = c11a.addingProduct(x, b0); c11b = c11b.addingProduct(x, b1) }
        a.advance()
        pb += ldb
    }
    @inline(__always) func put(_ r: Int, _ u: T.Vector, _ v: T.Vector) {
        var x = alpha * u, y = alpha * v
        if beta != 0 {
            let input = io.input + r * io.inputStride
            x = x.addingProduct(beta, input.vector(at: 0))
            y = y.addingProduct(beta, input.vector(at: w))
        }
        io.store(Tile.self, x, row: r, column: 0, c, ldc)
        io.store(Tile.self, y, row: r, column: w, c, ldc)
    }
    put(0, c0a, c0b); put(1, c1a, c1b); put(2, c2a, c2b); put(3, c3a, c3b)
    if rows > 4 { put(4, c4a, c4b); put(5, c5a, c5b); put(6, c6a, c6b); put(7, c7a, c7b) }
    if rows > 8 { put(8, c8a, c8b); put(9, c9a, c9b); put(10, c10a, c10b); put(11, c11a, c11b) }
}

/// The AVX-512 tile on a B micro-panel at most one vector wide: C[0..<rows, 0..<w] from the first
/// vector of each row of B̃, for narrow products (n ≤ w, such as a 10-class output layer) and
/// the last panel of n ≡ 1…w (mod NR), which would otherwise pay for two. Twelve accumulators
/// still cover the FMA latency. Same arithmetic, entry for entry, as `gemmMicroKernel12`.
/// - Complexity: O(kc).
@inline(__always)
func gemmMicroKernel12Half<T: KernelScalar, A: GEMMPanelReader>(
    _ rows: Int, _ kc: Int, _ panel: A, _ b: UnsafePointer<T>, _ ldb: Int,
    _ alpha: T, _ beta: T, _ c: UnsafeMutablePointer<T>, _ ldc: Int, _ io: GEMMTileIO<T>
) where A.Scalar == T {
    typealias Tile = GEMMTile512<T>
    var c0 = T.Vector(), c1 = T.Vector(), c2 = T.Vector(), c3 = T.Vector()
    var c4 = T.Vector(), c5 = T.Vector(), c6 = T.Vector(), c7 = T.Vector()
    var c8 = T.Vector(), c9 = T.Vector(), c10 = T.Vector(), c11 = T.Vector()
    var a = panel
    var pb = b
    for _ in 0..<kc {
        let b0 = pb.vector(at: 0)
        do { c0 = c0.addingProduct(T.Vector(repeating: a.entry(0)), b0) }
        do { c1 = c1.addingProduct(T.Vector(repeating: a.entry(1)), b0) }
        do { c2 = c2.addingProduct(T.Vector(repeating: a.entry(2)), b0) }
        do { c3 = c3.addingProduct(T.Vector(repeating: a.entry(3)), b0) }
        if rows > 4 { c4 = c4.addingProduct(T.Vector(repeating: a.entry(4)), b0) }
        if rows > 4 { c5 = c5.addingProduct(T.Vector(repeating: a.entry(5)), b0) }
        if rows > 4 { c6 = c6.addingProduct(T.Vector(repeating: a.entry(6)), b0) }
        if rows > 4 { c7 = c7.addingProduct(T.Vector(repeating: a.entry(7)), b0) }
        if rows > 8 { c8 = c8.addingProduct(T.Vector(repeating: a.entry(8)), b0) }
        if rows > 8 { c9 = c9.addingProduct(T.Vector(repeating: a.entry(9)), b0) }
        if rows > 8 { c10 = c10.addingProduct(T.Vector(repeating: a.entry(10)), b0) }
        if rows > 8 { c11 = c11.addingProduct(T.Vector(repeating: a.entry(11)), b0) }
        a.advance()
        pb += ldb
    }
    @inline(__always) func put(_ r: Int, _ u: T.Vector) {
        io.store(Tile.self, beta == 0 ? alpha * u : (alpha * u).addingProduct(beta, (io.input + r * io.inputStride).vector(at: 0)),
                 row: r, column: 0, c, ldc)
    }
    put(0, c0); put(1, c1); put(2, c2); put(3, c3)
    if rows > 4 { put(4, c4); put(5, c5); put(6, c6); put(7, c7) }
    if rows > 8 { put(8, c8); put(9, c9); put(10, c10); put(11, c11) }
}

/// The AVX2 tile's kernel: C[0..<rows, 0..<NR] ← α · Ã B̃ + β C as `gemmMicroKernel12` computes
/// it, on 6 × 2h entries (h = lanes of a 256-bit vector); `rows` is 6, 4 or 2.
/// - Complexity: O(kc).
@inline(__always)
func gemmMicroKernel6<T: KernelScalar, A: GEMMPanelReader>(
    _ rows: Int, _ kc: Int, _ panel: A, _ b: UnsafePointer<T>, _ ldb: Int,
    _ alpha: T, _ beta: T, _ c: UnsafeMutablePointer<T>, _ ldc: Int, _ io: GEMMTileIO<T>
) where A.Scalar == T {
    typealias Tile = GEMMTile256<T>
    typealias V = T.HalfVector
    let h = Tile.lanes
    var c0a = V(), c0b = V(), c1a = V(), c1b = V(), c2a = V(), c2b = V()
    var c3a = V(), c3b = V(), c4a = V(), c4b = V(), c5a = V(), c5b = V()
    // Each row of the tile is 64 bytes, on one cache line or across two.
    for r in 0..<rows {
        let row = UnsafeRawPointer(c + r * ldc)
        _llvmPrefetch(row, 1, 2, 1)
        _llvmPrefetch(row + 63, 1, 2, 1)
    }
    var a = panel
    var pb = b
    for _ in 0..<kc {
        let b0 = pb.load(V.self, at: 0), b1 = pb.load(V.self, at: h)
        do { let x = V(repeating: a.entry(0)); c0a = c0a.addingProduct(x, b0); c0b = c0b.addingProduct(x, b1) }
        do { let x = V(repeating: a.entry(1)); c1a = c1a.addingProduct(x, b0); c1b = c1b.addingProduct(x, b1) }
        if rows > 2 { let x = V(repeating: a.entry(2)); c2a = c2a.addingProduct(x, b0); c2b = c2b.addingProduct(x, b1) }
        if rows > 2 { let x = V(repeating: a.entry(3)); c3a = c3a.addingProduct(x, b0); c3b = c3b.addingProduct(x, b1) }
        if rows > 4 { let x = V(repeating: a.entry(4)); c4a = c4a.addingProduct(x, b0); c4b = c4b.addingProduct(x, b1) }
        if rows > 4 { let x = V(repeating: a.entry(5)); c5a = c5a.addingProduct(x, b0); c5b = c5b.addingProduct(x, b1) }
        a.advance()
        pb += ldb
    }
    @inline(__always) func put(_ r: Int, _ u: V, _ v: V) {
        var x = alpha * u, y = alpha * v
        if beta != 0 {
            let input = io.input + r * io.inputStride
            x = x.addingProduct(beta, input.load(V.self, at: 0))
            y = y.addingProduct(beta, input.load(V.self, at: h))
        }
        io.store(Tile.self, x, row: r, column: 0, c, ldc)
        io.store(Tile.self, y, row: r, column: h, c, ldc)
    }
    put(0, c0a, c0b); put(1, c1a, c1b)
    if rows > 2 { put(2, c2a, c2b); put(3, c3a, c3b) }
    if rows > 4 { put(4, c4a, c4b); put(5, c5a, c5b) }
}

/// The AVX2 tile on a B micro-panel at most one vector (h entries) wide, as
/// `gemmMicroKernel12Half` for the AVX-512 tile: six accumulators.
/// - Complexity: O(kc).
@inline(__always)
func gemmMicroKernel6Half<T: KernelScalar, A: GEMMPanelReader>(
    _ rows: Int, _ kc: Int, _ panel: A, _ b: UnsafePointer<T>, _ ldb: Int,
    _ alpha: T, _ beta: T, _ c: UnsafeMutablePointer<T>, _ ldc: Int, _ io: GEMMTileIO<T>
) where A.Scalar == T {
    typealias Tile = GEMMTile256<T>
    typealias V = T.HalfVector
    var c0 = V(), c1 = V(), c2 = V(), c3 = V(), c4 = V(), c5 = V()
    var a = panel
    var pb = b
    for _ in 0..<kc {
        let b0 = pb.load(V.self, at: 0)
        do { c0 = c0.addingProduct(V(repeating: a.entry(0)), b0) }
        do { c1 = c1.addingProduct(V(repeating: a.entry(1)), b0) }
        if rows > 2 { c2 = c2.addingProduct(V(repeating: a.entry(2)), b0) }
        if rows > 2 { c3 = c3.addingProduct(V(repeating: a.entry(3)), b0) }
        if rows > 4 { c4 = c4.addingProduct(V(repeating: a.entry(4)), b0) }
        if rows > 4 { c5 = c5.addingProduct(V(repeating: a.entry(5)), b0) }
        a.advance()
        pb += ldb
    }
    @inline(__always) func put(_ r: Int, _ u: V) {
        io.store(Tile.self, beta == 0 ? alpha * u : (alpha * u).addingProduct(beta, (io.input + r * io.inputStride).load(V.self, at: 0)),
                 row: r, column: 0, c, ldc)
    }
    put(0, c0); put(1, c1)
    if rows > 2 { put(2, c2); put(3, c3) }
    if rows > 4 { put(4, c4); put(5, c5) }
}
