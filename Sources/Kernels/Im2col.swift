// Lowering a 2-D convolution to a matrix product: im2col lays out every k×k input patch as a
// column, so that a convolution is W·col; col2im scatters the columns back, summing overlaps.

/// The shape of a 2-D convolution over one sample x ∈ ℝ^{C×H×W} (row-major) with a k×k kernel,
/// stride s and zero padding p on every side: the output is H_o × W_o with
/// H_o = ⌊(H + 2p − k)/s⌋ + 1 and W_o = ⌊(W + 2p − k)/s⌋ + 1.
public struct ConvolutionGeometry: Sendable, Hashable {
    public let channels: Int
    public let height: Int
    public let width: Int
    public let kernel: Int
    public let stride: Int
    public let padding: Int

    public init(channels: Int, height: Int, width: Int, kernel: Int, stride: Int = 1, padding: Int = 0) {
        self.channels = channels
        self.height = height
        self.width = width
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
    }

    public var outputHeight: Int { (height + 2 * padding - kernel) / stride + 1 }
    public var outputWidth: Int { (width + 2 * padding - kernel) / stride + 1 }
    /// H_o·W_o, the columns of one sample's col matrix.
    public var outputPixels: Int { outputHeight * outputWidth }
    /// C·k·k, the rows of the col matrix (the fan-in of one output).
    public var patchSize: Int { channels * kernel * kernel }
    /// Whether the geometry is valid: positive sizes, p < k and a non-empty output.
    public var isValid: Bool {
        channels > 0 && height > 0 && width > 0 && kernel > 0 && stride > 0 && padding >= 0 && padding < kernel
            && height + 2 * padding >= kernel && width + 2 * padding >= kernel
    }
    /// Stride 1 and "same" padding 2p = k − 1: each row of col is the input plane shifted by
    /// (i − p, j − p), copied in one contiguous run with the wrapped columns fixed up.
    @inlinable var isShiftedCopy: Bool { stride == 1 && 2 * padding == kernel - 1 }

    /// For kernel offset i (0..<k) along an axis of `size` inputs and `outputs` outputs: the
    /// range of outputs o whose input o·s − p + i lies inside 0..<size.
    @inlinable func validOutputs(_ i: Int, size: Int, outputs: Int) -> Range<Int> {
        // o·s ≥ p − i  and  o·s ≤ size − 1 + p − i.
        let low = padding - i <= 0 ? 0 : min(outputs, (padding - i + stride - 1) / stride)
        let top = size - 1 + padding - i
        let high = top < 0 ? 0 : min(outputs, top / stride + 1)
        return low..<max(low, high)
    }
}

/// col ← im2col(x) for one sample: col[(c·k + i)·k + j, o_h·W_o + o_w] = x[c, o_h·s − p + i, o_w·s − p + j],
/// 0 where that falls in the padding. col has C·k·k rows of H_o·W_o entries with leading
/// dimension `ldcol` ≥ H_o·W_o, so several samples can sit side by side.
/// Stride 1 with 2p = k − 1 (3×3 pad 1, 1×1 pad 0) copies each row as one shifted run of the
/// plane; other geometries go row by row.
/// - Complexity: O(C·k²·H_o·W_o).
@inlinable
public func im2col<T: KernelScalar>(_ g: ConvolutionGeometry, _ x: UnsafePointer<T>, _ col: UnsafeMutablePointer<T>, ldcol: Int) {
    let k = g.kernel, ho = g.outputHeight, wo = g.outputWidth, plane = g.height * g.width
    for c in 0..<g.channels {
        let xc = x + c * plane
        for i in 0..<k {
            let rows = g.validOutputs(i, size: g.height, outputs: ho)
            for j in 0..<k {
                let dst = col + ((c * k + i) * k + j) * ldcol
                let columns = g.validOutputs(j, size: g.width, outputs: wo)
                if g.isShiftedCopy {
                    // Output (o_h, o_w) reads input index o_h·W + o_w + shift.
                    let di = i - g.padding, dj = j - g.padding, w = g.width, total = ho * wo
                    let start = min(total, rows.lowerBound * w + max(0, -dj))
                    let end = max(start, rows.upperBound * w - max(0, dj))
                    fill(start, 0, dst)
                    if end > start { copyRow(end - start, xc + start + di * w + dj, dst + start) }
                    fill(total - end, 0, dst + end)
                    // The runs wrap from one row into the next: clear the columns that fell in the padding.
                    if dj != 0 {
                        for oh in rows {
                            let row = dst + oh * w
                            for ow in 0..<columns.lowerBound { row[ow] = 0 }
                            for ow in columns.upperBound..<wo { row[ow] = 0 }
                        }
                    }
                    continue
                }
                for oh in 0..<ho {
                    let row = dst + oh * wo
                    guard rows.contains(oh) else { fill(wo, 0, row); continue }
                    let src = xc + (oh * g.stride - g.padding + i) * g.width - g.padding + j
                    for ow in 0..<columns.lowerBound { row[ow] = 0 }
                    if g.stride == 1 {
                        if !columns.isEmpty { copyRow(columns.count, src + columns.lowerBound, row + columns.lowerBound) }
                    } else {
                        for ow in columns { row[ow] = src[ow * g.stride] }
                    }
                    for ow in columns.upperBound..<wo { row[ow] = 0 }
                }
            }
        }
    }
}

/// x ← x + col2im(col) for one sample: the adjoint of `im2col`, each entry of col added to the
/// input it was read from (entries that fell in the padding are dropped). On the shifted-copy
/// geometries those padding entries of col are first overwritten with 0, so that each row is
/// one contiguous run; col is scratch to the caller either way.
/// - Complexity: O(C·k²·H_o·W_o).
@inlinable
public func col2im<T: KernelScalar>(_ g: ConvolutionGeometry, _ col: UnsafeMutablePointer<T>, ldcol: Int, _ x: UnsafeMutablePointer<T>) {
    let k = g.kernel, ho = g.outputHeight, wo = g.outputWidth, plane = g.height * g.width
    for c in 0..<g.channels {
        let xc = x + c * plane
        for i in 0..<k {
            let rows = g.validOutputs(i, size: g.height, outputs: ho)
            for j in 0..<k {
                let src = col + ((c * k + i) * k + j) * ldcol
                let columns = g.validOutputs(j, size: g.width, outputs: wo)
                if g.isShiftedCopy {
                    let di = i - g.padding, dj = j - g.padding, w = g.width
                    let start = min(ho * wo, rows.lowerBound * w + max(0, -dj))
                    let end = max(start, rows.upperBound * w - max(0, dj))
                    if dj != 0 {
                        for oh in rows {
                            let row = src + oh * w
                            for ow in 0..<columns.lowerBound { row[ow] = 0 }
                            for ow in columns.upperBound..<wo { row[ow] = 0 }
                        }
                    }
                    if end > start { addVector(end - start, UnsafePointer(src + start), xc + start + di * w + dj) }
                    continue
                }
                for oh in rows {
                    let row = src + oh * wo
                    let dst = xc + (oh * g.stride - g.padding + i) * g.width - g.padding + j
                    if g.stride == 1 {
                        if !columns.isEmpty { addVector(columns.count, UnsafePointer(row + columns.lowerBound), dst + columns.lowerBound) }
                    } else {
                        for ow in columns { dst[ow * g.stride] += row[ow] }
                    }
                }
            }
        }
    }
}

/// y ← y + x for n entries, on full vectors with a scalar tail.
@inlinable @inline(__always)
func addVector<T: KernelScalar>(_ n: Int, _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>) {
    let w = T.lanes
    var i = 0
    while i + 2 * w <= n {
        y.store(y.vector(at: i) + x.vector(at: i), at: i)
        y.store(y.vector(at: i + w) + x.vector(at: i + w), at: i + w)
        i += 2 * w
    }
    if i + w <= n {
        y.store(y.vector(at: i) + x.vector(at: i), at: i)
        i += w
    }
    while i < n {
        y[i] += x[i]
        i += 1
    }
}
