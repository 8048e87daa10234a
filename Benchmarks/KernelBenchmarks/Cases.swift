// The named benchmark cases: what each one runs in Swift, the matching numpy command, and the
// work per call that turns a time into GFLOP/s or GB/s.

import OptBenchKernels
import OptBenchOptimizers

/// Keeps results observable so the optimiser cannot drop a benchmarked call.
nonisolated(unsafe) var blackHole: Double = 0

enum Unit: String { case gflops = "GFLOP/s", gbps = "GB/s" }

struct BenchCase {
    let kernel: String
    let dtype: String
    let size: String
    let threads: Int
    let unit: Unit
    /// Floating-point operations or bytes moved per call.
    let work: Double
    /// numpy's "KERNEL DTYPE DIMS" for the bridge.
    let numpyCommand: String
    /// Allocates the operands and returns the call to time plus the release of the operands.
    let setUp: () -> (run: () -> Void, tearDown: () -> Void)
}

/// Fresh buffers of `count` values in [-1, 1).
func buffer<T: KernelScalar>(_ count: Int, of _: T.Type, seed: UInt64) -> UnsafeMutablePointer<T> {
    let p = UnsafeMutablePointer<T>.allocate(capacity: count)
    var rng = Xoshiro256(seed: seed)
    for i in 0..<count { p[i] = T(2 * rng.nextUniform() - 1) }
    return p
}

func dtypeName<T: KernelScalar>(_: T.Type) -> String { T.self == Float.self ? "f32" : "f64" }

func gemmCase<T: KernelScalar>(_: T.Type, kernel: String = "gemm", _ m: Int, _ n: Int, _ k: Int, threads: Int) -> BenchCase {
    let dims = m == n && n == k ? "\(n)" : "\(m)x\(k)x\(n)"
    // threads 0 is gemm's automatic choice: one thread below m·n·k = 2²⁰.
    let shown = threads > 0 ? threads : (m * n * k < 1 << 20 ? 1 : availableCores())
    return BenchCase(
        kernel: kernel, dtype: dtypeName(T.self), size: dims, threads: shown, unit: .gflops,
        work: 2 * Double(m) * Double(n) * Double(k), numpyCommand: "gemm \(dtypeName(T.self)) \(m)x\(n)x\(k)"
    ) {
        let a = buffer(m * k, of: T.self, seed: 1), b = buffer(k * n, of: T.self, seed: 2)
        let c = buffer(m * n, of: T.self, seed: 3)
        return ({
            gemm(.none, .none, m, n, k, 1, a, k, b, n, 0, c, n, threads: threads)
            blackHole += Double(c[0])
        }, { a.deallocate(); b.deallocate(); c.deallocate() })
    }
}

func gemvCase<T: KernelScalar>(_: T.Type, _ trans: Transpose, _ n: Int) -> BenchCase {
    let kernel = trans == .none ? "gemv" : "gemvT"
    return BenchCase(
        kernel: kernel, dtype: dtypeName(T.self), size: "\(n)x\(n)", threads: availableCores(), unit: .gbps,
        work: Double(n * n * MemoryLayout<T>.size), numpyCommand: "\(kernel) \(dtypeName(T.self)) \(n)x\(n)"
    ) {
        let a = buffer(n * n, of: T.self, seed: 4), x = buffer(n, of: T.self, seed: 5), y = buffer(n, of: T.self, seed: 6)
        return ({
            gemv(trans, n, n, 1, a, n, x, 0, y)
            blackHole += Double(y[0])
        }, { a.deallocate(); x.deallocate(); y.deallocate() })
    }
}

/// Streaming kernels over vectors of `n` entries; `streams` counts the vectors read or written
/// (`adam` is the `adam` optimizer's fused step on its own m and v).
func streamCase<T: KernelScalar>(_: T.Type, _ kernel: String, _ n: Int) -> BenchCase {
    let streams: Int = ["read": 1, "amax": 1, "nrm2": 1, "dot": 2, "axpy": 3, "adam": 7, "copy": 2][kernel]!
    return BenchCase(
        // Past 2²⁰ entries every streaming kernel but the copy runs on all cores.
        kernel: kernel, dtype: dtypeName(T.self), size: "2^\(n.trailingZeroBitCount)",
        threads: kernel == "copy" ? 1 : availableCores(), unit: .gbps,
        work: Double(streams * n * MemoryLayout<T>.size), numpyCommand: "\(kernel) \(dtypeName(T.self)) \(n)"
    ) {
        let x = buffer(n, of: T.self, seed: 7), y = buffer(n, of: T.self, seed: 8), z = buffer(n, of: T.self, seed: 9)
        let run: () -> Void
        switch kernel {
        case "read": run = { blackHole += Double(asum(n, x)) }
        case "amax": run = { blackHole += Double(amax(n, x)) }
        case "nrm2": run = { blackHole += Double(nrm2(n, x)) }
        case "dot": run = { blackHole += Double(dot(n, x, y)) }
        case "axpy": run = { axpy(n, 0.5, x, y); blackHole += Double(y[0]) }
        case "adam":
            // One step of the `adam` optimizer's update (θ, m, v read and written, g read).
            let rule = AdamRule<T>()
            var state = rule.makeState(count: n), t = 0
            let w = UnsafeMutableBufferPointer(start: y, count: n), g = UnsafeMutableBufferPointer(start: x, count: n)
            run = {
                t += 1
                rule.update(w, gradient: g, state: &state, context: StepContext(scale: 1, iteration: t))
                blackHole += Double(y[0])
            }
        default: run = { y.update(from: x, count: n); blackHole += Double(y[0]) }
        }
        return (run, { x.deallocate(); y.deallocate(); z.deallocate() })
    }
}

/// The case list; `quick` keeps one size per family.
func benchCases(quick: Bool, threads: Int) -> [BenchCase] {
    let sizes = quick ? [256, 1024] : [256, 512, 1024, 2048]
    let vector = 1 << 24, matrix = 4096
    // Bandwidth anchors: a read-only stream (‖x‖₁) and a copy (write-allocate traffic uncounted).
    var cases: [BenchCase] = [streamCase(Float.self, "read", vector), streamCase(Float.self, "amax", vector), streamCase(Double.self, "nrm2", vector), streamCase(Float.self, "copy", vector)]
    for n in sizes {
        cases.append(gemmCase(Float.self, n, n, n, threads: threads))
        cases.append(gemmCase(Double.self, n, n, n, threads: threads))
    }
    // A mini-batch MLP layer under automatic threading: one dispatch, each thread reading A in place and packing its own columns of B.
    cases.append(gemmCase(Float.self, kernel: "gemm-mlp", 64, 128, 784, threads: 0))
    cases.append(gemmCase(Double.self, kernel: "gemm-mlp", 64, 128, 784, threads: 0))
    for trans in [Transpose.none, .transposed] {
        cases.append(gemvCase(Float.self, trans, matrix))
        if !quick { cases.append(gemvCase(Double.self, trans, matrix)) }
    }
    for kernel in ["dot", "axpy", "adam"] {
        cases.append(streamCase(Float.self, kernel, vector))
        if !quick { cases.append(streamCase(Double.self, kernel, vector)) }
    }
    return cases
}
