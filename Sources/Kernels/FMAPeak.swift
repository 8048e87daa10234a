// A probe of the machine's fused multiply-add peak, the yardstick of the benchmarks' GFLOP/s.

import Dispatch

/// The FMA throughput this machine sustains with `isa`'s vectors (512-bit for `avx512`, 256-bit
/// for `avx2`), in GFLOP/s of `T` (an FMA counts 2 flops per lane): 12 independent chains
/// a ← a + x·y in registers — more than the FMA latency times the FMA units, so the units never
/// wait — on each of `threads` threads at once, the best of `trials` runs of about
/// `seconds` each. A kernel's GFLOP/s over this is the fraction of the peak it reaches on
/// that many threads, comparable between an AVX2 and an AVX-512 machine.
/// - Complexity: O(trials · seconds) of wall time.
public func measureFMAPeak<T: KernelScalar>(_: T.Type, isa: KernelISA = .current, threads: Int = 1,
                                            trials: Int = 5, seconds: Double = 0.02) -> Double {
    // Concrete vector types, so that the probe is specialised here whoever calls it.
    switch (isa, T.self == Float.self) {
    case (.avx512, true): fmaPeak(SIMD16<Float>.self, threads: threads, trials: trials, seconds: seconds)
    case (.avx512, false): fmaPeak(SIMD8<Double>.self, threads: threads, trials: trials, seconds: seconds)
    case (.avx2, true): fmaPeak(SIMD8<Float>.self, threads: threads, trials: trials, seconds: seconds)
    case (.avx2, false): fmaPeak(SIMD4<Double>.self, threads: threads, trials: trials, seconds: seconds)
    }
}

func fmaPeak<V: SIMD>(_: V.Type, threads: Int, trials: Int, seconds: Double) -> Double where V.Scalar: KernelScalar {
    func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) * 1e-9 }
    // Size a run to `seconds` from a short one.
    var iterations = 1 << 14
    while true {
        let t0 = now()
        _ = fmaChains(V.self, iterations)
        let t = now() - t0
        if t > seconds / 4 || iterations > 1 << 30 { iterations = max(1, Int(Double(iterations) * seconds / max(t, 1e-9))); break }
        iterations *= 4
    }
    var best = 0.0
    let flops = 2 * 12 * Double(V.scalarCount) * Double(iterations) * Double(threads)
    for _ in 0..<trials {
        let t0 = now()
        parallelFor(threads) { _ in _ = fmaChains(V.self, iterations) }
        best = max(best, flops / (now() - t0) * 1e-9)
    }
    return best
}

/// Σ of 12 chains a_i ← a_i + x·y run `iterations` times: 12·iterations dependent-in-pairs FMAs.
@inline(never)
func fmaChains<V: SIMD>(_: V.Type, _ iterations: Int) -> V.Scalar where V.Scalar: KernelScalar {
    let x = V(repeating: 1e-3), y = V(repeating: 1e-4)
    var a0 = V(repeating: 0), a1 = V(repeating: 1), a2 = V(repeating: 2), a3 = V(repeating: 3)
    var a4 = V(repeating: 4), a5 = V(repeating: 5), a6 = V(repeating: 6), a7 = V(repeating: 7)
    var a8 = V(repeating: 8), a9 = V(repeating: 9), a10 = V(repeating: 10), a11 = V(repeating: 11)
    for _ in 0..<iterations {
        a0 = a0.addingProduct(x, y); a1 = a1.addingProduct(x, y); a2 = a2.addingProduct(x, y); a3 = a3.addingProduct(x, y)
        a4 = a4.addingProduct(x, y); a5 = a5.addingProduct(x, y); a6 = a6.addingProduct(x, y); a7 = a7.addingProduct(x, y)
        a8 = a8.addingProduct(x, y); a9 = a9.addingProduct(x, y); a10 = a10.addingProduct(x, y); a11 = a11.addingProduct(x, y)
    }
    return (a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11).sum()
}
