import Foundation
import OptBenchKernels

/// One GEMM of an MLP step: C (m×n) ← op(A)·op(B), row-major, as `Dense` calls it.
struct GEMMShape {
    let name: String, ta: Transpose, tb: Transpose, m: Int, n: Int, k: Int
    /// torch's expression for the same product on contiguous `a` and `b` stored as ours are.
    var torchExpression: String {
        "torch.mm(\(ta == .none ? "a" : "a.t()"), \(tb == .none ? "b" : "b.t()"))"
    }
}

/// The GEMMs of one MLP step at batch B: forward S = XWᵀ, weight gradient ∂W = GᵀX, and input
/// gradient ∂X = GW for every dense layer but the first.
func mlpStepShapes(widths: [Int], batch: Int) -> [GEMMShape] {
    var shapes: [GEMMShape] = []
    for l in 1..<widths.count {
        let i = widths[l - 1], o = widths[l]
        shapes.append(GEMMShape(name: "fwd \(i)→\(o)", ta: .none, tb: .transposed, m: batch, n: o, k: i))
        shapes.append(GEMMShape(name: "dW \(i)→\(o)", ta: .transposed, tb: .none, m: o, n: i, k: batch))
        if l > 1 { shapes.append(GEMMShape(name: "dX \(i)→\(o)", ta: .none, tb: .none, m: batch, n: i, k: o)) }
    }
    return shapes
}

/// torch side of the report, driven line by line: `shape TA TB M N K` allocates the operands
/// (stored as ours are) and compiles the product; `time CALLS` answers CALLS per-call seconds.
let torchGEMMScript = #"""
import sys, time
import torch
torch.set_num_threads(int(sys.argv[1]))
fn = None
print("ready", flush=True)
for line in sys.stdin:
    w = line.split()
    if not w:
        continue
    if w[0] == "shape":
        ta, tb, m, n, k = w[1] == "t", w[2] == "t", int(w[3]), int(w[4]), int(w[5])
        g = torch.Generator().manual_seed(0)
        a = torch.rand((k, m) if ta else (m, k), generator=g)
        b = torch.rand((n, k) if tb else (k, n), generator=g)
        x, y = (a.t() if ta else a), (b.t() if tb else b)
        fn = lambda: torch.mm(x, y)
        fn()
        print("ok", flush=True)
    elif w[0] == "time":
        out = []
        for _ in range(int(w[1])):
            t0 = time.perf_counter()
            fn()
            out.append(time.perf_counter() - t0)
        print(" ".join(repr(t) for t in out), flush=True)
    elif w[0] == "quit":
        break
"""#

/// A python3 running `torchGEMMScript`, or nil when torch cannot be imported.
final class TorchGEMMBridge {
    let worker: PythonWorker

    init?(threads: Int) {
        guard let worker = PythonWorker(["-c", torchGEMMScript, String(threads)], threads: threads) else { return nil }
        self.worker = worker
    }

    func request(_ command: String) -> String? { worker.request(command) }

    func prepare(_ s: GEMMShape) -> Bool {
        request("shape \(s.ta == .none ? "n" : "t") \(s.tb == .none ? "n" : "t") \(s.m) \(s.n) \(s.k)") == "ok"
    }

    /// Seconds of each of `calls` consecutive calls.
    func time(calls: Int) -> [Double] {
        request("time \(calls)")?.split(separator: " ").compactMap { Double($0) } ?? []
    }

    func close() { worker.close() }
}

/// Each GEMM of one MLP 784-256-256-10 step timed alone, next to torch.mm on the same shape
/// and thread count: rounds alternate a block of our calls and a block of torch's, so the load
/// of the shared machine hits both alike. Prints per-shape medians and the ratio ours/torch of
/// the per-round medians (below 1: ours faster).
func gemmShapeReport(batch: Int, threads: Int, rounds: Int = 15, calls: Int = 40) {
    let shapes = mlpStepShapes(widths: [784, 256, 256, 10], batch: batch)
    let torch = TorchGEMMBridge(threads: threads)
    print("GEMMs of one MLP step (batch \(batch); ours on gemm's automatic thread count, as Dense calls it; torch.mm on \(threads) threads):")
    print("  \(rounds) rounds, each \(calls) calls of ours then \(calls) of torch (after 5 untimed); medians")
    if torch == nil { print("  torch is not importable here: our figures alone") }
    print("  shape           m×n×k             ours µs  GFLOP/s   torch µs  GFLOP/s   ours/torch (min–max)")
    var ourTotal = 0.0, torchTotal = 0.0
    for s in shapes {
        var rng = Xoshiro256(seed: UInt64(s.m * s.n + s.k))
        let a = (0..<(s.m * s.k)).map { _ in Float(rng.nextUniform()) }
        let b = (0..<(s.k * s.n)).map { _ in Float(rng.nextUniform()) }
        var c = [Float](repeating: 0, count: s.m * s.n)
        let lda = s.ta == .none ? s.k : s.m, ldb = s.tb == .none ? s.n : s.k
        let ready = torch?.prepare(s) ?? false
        var ours: [Double] = [], theirs: [Double] = [], ratios: [Double] = []
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { cp in
                    for _ in 0..<rounds {
                        var times: [Double] = []
                        for call in 0..<(calls + 5) {
                            let t0 = DispatchTime.now().uptimeNanoseconds
                            gemm(s.ta, s.tb, s.m, s.n, s.k, 1, ap.baseAddress!, lda, bp.baseAddress!, ldb, 0, cp.baseAddress!, s.n)
                            if call >= 5 { times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9) }
                        }
                        let mine = median(times)
                        ours.append(mine)
                        guard ready, let torch else { continue }
                        // Our pool workers spin 2 ms after a product, torch's OpenMP workers
                        // longer: let each side's threads settle before timing the other.
                        usleep(5_000)
                        let t = torch.time(calls: calls + 5).dropFirst(5)
                        usleep(50_000)
                        if t.isEmpty { continue }
                        let other = median(Array(t))
                        theirs.append(other)
                        ratios.append(mine / other)
                    }
                }
            }
        }
        let flop = 2 * Double(s.m * s.n * s.k)
        let mine = median(ours)
        ourTotal += mine
        var line = String(format: "  %-14@ %4d×%4d×%4d  %8.1f  %7.1f", s.name as NSString, s.m, s.n, s.k, mine * 1e6, flop / mine / 1e9)
        if !theirs.isEmpty {
            let other = median(theirs)
            torchTotal += other
            line += String(format: "   %8.1f  %7.1f   %5.2f (%.2f–%.2f)", other * 1e6, flop / other / 1e9, median(ratios),
                           ratios.min()!, ratios.max()!)
        }
        print(line)
    }
    var line = String(format: "  all GEMMs of a step              %8.1f", ourTotal * 1e6)
    if torchTotal > 0 { line += String(format: "            %8.1f             %5.2f", torchTotal * 1e6, ourTotal / torchTotal) }
    print(line)
    torch?.close()
}
