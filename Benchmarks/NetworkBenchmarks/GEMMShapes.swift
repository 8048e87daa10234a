import Foundation
import Kernels

/// The GEMMs of one MLP 784-256-256-10 step at batch B (forward S = XWᵀ, weight gradient
/// ∂W = GᵀX, input gradient ∂X = GW), each timed alone: where an epoch's time goes.
func gemmShapeReport(batch: Int, threads: Int) {
    struct Shape { let name: String; let ta: Transpose; let tb: Transpose; let m: Int; let n: Int; let k: Int }
    var shapes: [Shape] = []
    let widths = [784, 256, 256, 10]
    for l in 1..<widths.count {
        let i = widths[l - 1], o = widths[l]
        shapes.append(Shape(name: "fwd \(i)→\(o)", ta: .none, tb: .transposed, m: batch, n: o, k: i))
        shapes.append(Shape(name: "dW \(i)→\(o)", ta: .transposed, tb: .none, m: o, n: i, k: batch))
        if l > 1 { shapes.append(Shape(name: "dX \(i)→\(o)", ta: .none, tb: .none, m: batch, n: i, k: o)) }
    }
    print("GEMMs of one step (batch \(batch)), median of 200 calls:")
    var total = 0.0
    for s in shapes {
        let a = [Float](repeating: 0.5, count: s.m * s.k), b = [Float](repeating: 0.25, count: s.k * s.n)
        var c = [Float](repeating: 0, count: s.m * s.n)
        let lda = s.ta == .none ? s.k : s.m, ldb = s.tb == .none ? s.n : s.k
        var times: [Double] = []
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { cp in
                    for _ in 0..<200 {
                        let t0 = DispatchTime.now().uptimeNanoseconds
                        gemm(s.ta, s.tb, s.m, s.n, s.k, 1, ap.baseAddress!, lda, bp.baseAddress!, ldb, 0, cp.baseAddress!, s.n)
                        times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9)
                    }
                }
            }
        }
        let t = median(times)
        total += t
        print(String(format: "  %-14@ %4d×%4d×%4d  %7.1f µs  %6.1f GFLOP/s", s.name as NSString, s.m, s.n, s.k, t * 1e6,
                     2 * Double(s.m * s.n * s.k) / t / 1e9))
    }
    print(String(format: "  all GEMMs of a step: %.1f µs", total * 1e6))
}
