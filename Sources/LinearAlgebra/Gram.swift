import Dispatch
import OptBenchKernels

/// G = s·Σᵢ cᵢ·xᵢxᵢᵀ = s·XᵀCX for the n×d row-major X with rows xᵢ and optional weights cᵢ
/// (all 1 when nil): the Hessian XᵀX/n of least squares and XᵀDX/n of logistic regression.
///
/// Writes the full symmetric d×d row-major matrix into `g` (overwritten). Only the upper
/// triangle is accumulated, by rank-1 `axpy` updates, one panel of 32 rows of G at a time so the
/// panel stays in cache while X streams past once per panel, panels spread over the cores;
/// the lower triangle is mirrored.
///
/// - Complexity: n·d²/2 multiply-adds; X is read ⌈d/32⌉ times.
public func weightedGram(
    rows n: Int, columns d: Int, _ x: UnsafePointer<Double>, weights: UnsafePointer<Double>?, scale s: Double,
    into g: UnsafeMutablePointer<Double>
) {
    for k in 0..<(d * d) { g[k] = 0 }
    let panel = 32
    let panels = (d + panel - 1) / panel
    // Raw pointers are not Sendable; the panels below touch disjoint rows of G.
    nonisolated(unsafe) let x = x, weights = weights, g = g
    let work: @Sendable (Int) -> Void = { p in
        let start = p * panel, end = min(d, start + panel)
        for i in 0..<n {
            let row = x + i * d
            let c = s * (weights?[i] ?? 1)
            for j in start..<end {
                let a = c * row[j]
                if a != 0 { axpy(d - j, a, row + j, g + j * d + j) }
            }
        }
    }
    // Panels write disjoint rows of G; below ~10⁷ multiply-adds a thread hand-off costs more.
    if n * d * d < 20_000_000 {
        for p in 0..<panels { work(p) }
    } else {
        DispatchQueue.concurrentPerform(iterations: panels) { work($0) }
    }
    for j in 0..<d {
        for k in 0..<j { g[j * d + k] = g[k * d + j] }
    }
}
