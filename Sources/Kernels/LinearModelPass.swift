// Loss and gradient of a linear model in one streamed pass over its data matrix.

/// For a model whose loss is a sum of terms of the margins z = Xw,
///
///     z_i = x_iᵀw,   (ℓ_i, c_i) = term(i, z_i),   returns Σᵢ ℓ_i,   g ← g + Σᵢ c_i x_i,
///
/// with X row-major n×d. ∇ of Σᵢ φᵢ(x_iᵀw) is Σᵢ φᵢ′(z_i) x_i, so `term` returns
/// (φᵢ(z_i), φᵢ′(z_i)) scaled as the caller needs (least squares: ((z − y)²/2n, (z − y)/n)).
/// The gradient is accumulated in `T`; the losses in `Double` for both precisions, since a
/// reported F − F* near 10⁻⁶ would drown in a float32 sum's rounding.
///
/// Each row is read once from memory: its dot product and its AXPY into a partial gradient run
/// while it sits in L1 — half the traffic of Xᵀ(φ′(Xw)) by two GEMVs. Rows go in fixed blocks
/// of `linearModelBlockRows(n)`, a function of n alone; each block has its own partial gradient
/// and loss, blocks are spread over the cores, and the partials are added in block order, so
/// the result is bit-identical for any thread count, in either precision.
/// `threads` 1 runs the blocks on the caller alone; 0 (automatic) on all cores from 64K
/// multiply-adds on. Rows four ahead are prefetched, so the memory stream keeps going while a
/// row's `term` (an exponential, say) is computed.
/// - Complexity: O(n·d), one pass over X; scratch of (blocks)·d scalars and (blocks) doubles
///   from a pool.
@inlinable
public func linearModelGradient<T: KernelScalar>(
    rows n: Int, columns d: Int, _ x: UnsafePointer<T>, _ w: UnsafePointer<T>,
    addingTo g: UnsafeMutablePointer<T>, threads: Int = 0,
    _ term: (_ row: Int, _ margin: T) -> (loss: Double, slope: T)
) -> Double {
    guard n > 0 else { return 0 }
    let blockRows = linearModelBlockRows(n)
    let blocks = (n + blockRows - 1) / blockRows
    return ScratchPool.shared.with(blocks * d, of: T.self) { scratch in
        ScratchPool.shared.with(blocks, of: Double.self) { losses in
            func block(_ b: Int) {
                let partial = scratch + b * d
                partial.update(repeating: 0, count: d)
                var loss = 0.0
                let end = min(n, (b + 1) * blockRows)
                for i in (b * blockRows)..<end {
                    let row = x + i * d
                    if i + 4 < end { prefetch(row + 4 * d, bytes: d * MemoryLayout<T>.stride) }
                    let (l, c) = term(i, dotSerial(d, row, w))
                    loss += l
                    axpySerial(d, c, row, partial)
                }
                losses[b] = loss
            }
            // Below ~64K multiply-adds a thread's wake-up costs more than it saves.
            if threads != 1 && n * d >= 1 << 16 {
                parallelFor(blocks, block)
            } else {
                for b in 0..<blocks { block(b) }
            }
            var loss = 0.0
            for b in 0..<blocks {
                axpySerial(d, 1, scratch + b * d, g)
                loss += losses[b]
            }
            return loss
        }
    }
}

/// Rows per block of `linearModelGradient`: at least 64, and at most 64 blocks.
@inlinable
public func linearModelBlockRows(_ n: Int) -> Int { max(64, (n + 63) / 64) }
