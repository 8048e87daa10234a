// classical-bench: per-epoch cost of the classical optimizers next to numpy, scikit-learn
// and scipy, measured in the same run on the same data.
//
//   classical-bench [--quick] [--no-python]
//
// Least squares n = 20000, d = 500, float64 (80 MB): GD, SVRG and SAGA epochs as the harness
// times them (median over epochs, trace evaluation excluded), beside numpy's GD epoch
// X.T @ (X @ w - y) / n and scikit-learn's Ridge(solver='saga'/'sag') time per epoch.
// Logistic regression, same sizes, λ = 1e-3, on two instances — isotropic Gaussian features,
// and features whose column scales fall geometrically from 1 to 1/100 (Hessian condition
// ≈ 10⁴, where L-BFGS needs ~90 iterations): L-BFGS (m = 10) from w = 0 to ‖∇F‖∞ ≤ 1e-8,
// time and iterations, beside scipy's L-BFGS-B with the same tolerance and memory.
// Swift runs before and after the Python side; its figure is the mean of both.

import OptBenchReports
import OptBenchCatalog
import OptBenchHarness
import OptBenchCore
import Dispatch
import Foundation
import OptBenchHarness
import OptBenchKernels
import OptBenchOptimizers
import OptBenchProblems

let arguments = Set(CommandLine.arguments.dropFirst())
if arguments.contains("--help") {
    print("usage: classical-bench [--quick (n = 5000)] [--no-python]")
    exit(0)
}
let quick = arguments.contains("--quick")
let n = quick ? 5000 : 20000, d = 500
let epochs = quick ? 6 : 12
let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("classical-bench-\(getpid())")
try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: scratch) }

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) * 1e-9 }
func log(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }
func median(_ v: [Double]) -> Double { OptBenchHarness.median(v) }

func writeRaw(_ values: UnsafeBufferPointer<Double>, _ name: String) throws {
    try Data(buffer: values).write(to: scratch.appendingPathComponent(name))
}

// MARK: data
log("building least squares \(n)×\(d) and logistic \(n)×\(d) …")
let lsData = LeastSquaresData.synthetic(n: n, spectrum: prescribedSpectrum(d: d, kappa: 100, lambdaMax: 1, layout: .geometric),
                                        noise: 0.1, seed: 0)
let ls = LeastSquares<Double>(lsData)
// The same data rounded to float32: the float32 epochs run the same generic code.
let ls32 = LeastSquares<Float>(lsData)
try writeRaw(UnsafeBufferPointer(ls.design.storage), "ls_x.f64")
try ls.targets.withUnsafeBufferPointer { try writeRaw($0, "ls_y.f64") }
/// The logistic instances: a name, its `feature_scale` and the problem.
let logisticCases: [(name: String, scale: Double, problem: LogisticRegression<Double>)] = try [1.0, 100].enumerated().map { k, c in
    let instance = try LogisticRegression<Double>.entry.make(["n=\(n)", "d=\(d)", "lambda=0.001", "feature_scale=\(c)", "reference=false"])
    guard case .float64(let erased) = instance, let problem = erased.base as? LogisticRegression<Double> else {
        fatalError("logistic: expected a float64 LogisticRegression")
    }
    try writeRaw(UnsafeBufferPointer(problem.design.storage), "lr\(k)_x.f64")
    try problem.labels.withUnsafeBufferPointer { try writeRaw($0, "lr\(k)_y.f64") }
    return (c == 1 ? "isotropic features" : "feature scales 1…1/\(Int(c))", c, problem)
}

// MARK: Swift side
let lsProblem = AnyProblem(ls), ls32Problem = AnyProblem(ls32)

/// Median seconds per epoch of `optimizer` over `epochs` epochs (the first, warm-up, dropped),
/// on the float64 instance or its float32 copy.
@MainActor func secondsPerEpoch(_ name: String, _ hp: [String], float32: Bool = false) throws -> Double {
    let optimizer = try Catalog.standard.optimizer(named: name).make(hp)
    let rule = StoppingRule(target: 0, maxEpochs: Double(epochs))
    let r = float32 ? Runner.run(optimizer.float32, on: ls32Problem, seed: 1, rule: rule)
        : Runner.run(optimizer.float64, on: lsProblem, seed: 1, rule: rule)
    var perEpoch: [Double] = []
    for k in 2..<r.records.count {
        perEpoch.append((r.records[k].seconds - r.records[k - 1].seconds) / (r.records[k].epoch - r.records[k - 1].epoch))
    }
    return median(perEpoch)
}

/// L-BFGS iterations and optimizer seconds from w = 0 until ‖∇F‖∞ ≤ 1e-8.
func lbfgsToTolerance(_ logistic: LogisticRegression<Double>) throws -> (iterations: Int, seconds: Double) {
    let optimizer = try Catalog.standard.optimizer(named: "lbfgs").make(["history_size=10", "tolerance_grad=0"])
    let d = logistic.dimension
    let run = optimizer.float64.start(on: GradientOracle(objective: logistic), seed: 0)
    var w = [Double](repeating: 0, count: d), g = w
    var seconds = 0.0, iterations = 0
    func gradientMax() -> Double {
        w.withUnsafeBufferPointer { wp in g.withUnsafeMutableBufferPointer { _ = logistic.lossAndGradient(at: wp, into: $0) } }
        return g.withUnsafeBufferPointer { amax(d, $0.baseAddress!) }
    }
    while gradientMax() > 1e-8, iterations < 1000 {
        let t = now()
        w.withUnsafeMutableBufferPointer { run.step($0) }
        seconds += now() - t
        iterations += 1
    }
    return (iterations, seconds)
}

/// Median seconds of one logistic loss-and-gradient evaluation, at a fixed nonzero w.
func logisticEvaluation(_ logistic: LogisticRegression<Double>) -> Double {
    let d = logistic.dimension
    let w = (0..<d).map { 0.01 * Double($0 % 7 - 3) }
    var g = [Double](repeating: 0, count: d), times: [Double] = []
    for _ in 0..<(evaluationRounds + 1) {
        let t = now()
        w.withUnsafeBufferPointer { wp in g.withUnsafeMutableBufferPointer { _ = logistic.lossAndGradient(at: wp, into: $0) } }
        times.append(now() - t)
    }
    return median(Array(times.dropFirst()))
}
let evaluationRounds = 15

struct SwiftFigures {
    var logistic = 0.0
    var gd = 0.0, svrg = 0.0, saga = 0.0, lbfgsSeconds: [Double] = [], lbfgsIterations: [Int] = []
    var gd32 = 0.0, svrg32 = 0.0, saga32 = 0.0
}

@MainActor func measureSwift() throws -> SwiftFigures {
    var f = SwiftFigures()
    f.logistic = logisticEvaluation(logisticCases[0].problem)
    f.gd = try secondsPerEpoch("gd", ["lr=0.5"])
    f.svrg = try secondsPerEpoch("svrg", ["lr=0.0001"])
    f.saga = try secondsPerEpoch("saga", ["lr=0.0001"])
    f.gd32 = try secondsPerEpoch("gd", ["lr=0.5"], float32: true)
    f.svrg32 = try secondsPerEpoch("svrg", ["lr=0.0001"], float32: true)
    f.saga32 = try secondsPerEpoch("saga", ["lr=0.0001"], float32: true)
    for c in logisticCases {
        let (iterations, seconds) = try lbfgsToTolerance(c.problem)
        f.lbfgsIterations.append(iterations)
        f.lbfgsSeconds.append(seconds)
    }
    return f
}

// MARK: Python side
let pythonScript = #"""
import json, sys, time, warnings
import numpy as np
n, d, epochs, folder, cases = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
load = lambda name, shape: np.fromfile(f"{folder}/{name}", dtype=np.float64).reshape(shape)
X, y = load("ls_x.f64", (n, d)), load("ls_y.f64", (n,))
out = {"numpy": np.__version__}
try:
    from threadpoolctl import threadpool_info
    out["blas"] = "; ".join(f'{p.get("internal_api")} {p.get("version")} {p.get("architecture")} {p.get("num_threads")} threads'
                            for p in threadpool_info() if p.get("user_api") == "blas")
except Exception:
    out["blas"] = "unknown"
w = np.zeros(d); times = []
for _ in range(epochs + 1):
    t = time.perf_counter(); g = X.T @ (X @ w - y) / n; w -= 0.5 * g; times.append(time.perf_counter() - t)
out["numpy_gd"] = float(np.median(times[1:]))
try:
    import sklearn
    from sklearn.linear_model import Ridge
    from sklearn.exceptions import ConvergenceWarning
    out["sklearn"] = sklearn.__version__
    for solver in ("saga", "sag"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            m = Ridge(alpha=1e-8, solver=solver, max_iter=epochs, tol=0, fit_intercept=False, random_state=0)
            t = time.perf_counter(); m.fit(X, y); el = time.perf_counter() - t
        out[f"sklearn_{solver}"] = el / int(np.max(m.n_iter_))
except ImportError:
    pass
try:
    import scipy
    from scipy.optimize import minimize
    from scipy.special import expit
    lam = 1e-3
    for k in range(cases):
        Z, lab = load(f"lr{k}_x.f64", (n, d)), load(f"lr{k}_y.f64", (n,))
        def fg(w):
            m = lab * (Z @ w)
            f = np.mean(np.logaddexp(0, -m)) + 0.5 * lam * w @ w
            g = Z.T @ (-lab * expit(-m)) / n + lam * w
            return f, g
        if k == 0:
            w = 0.01 * (np.arange(d) % 7 - 3.0); times = []
            for _ in range(16):
                t = time.perf_counter(); fg(w); times.append(time.perf_counter() - t)
            out["numpy_logistic"] = float(np.median(times[1:]))
        t = time.perf_counter()
        r = minimize(fg, np.zeros(d), jac=True, method="L-BFGS-B", options=dict(gtol=1e-8, ftol=0, maxcor=10, maxiter=1000))
        out[f"scipy_lbfgs{k}_seconds"] = time.perf_counter() - t
        out[f"scipy_lbfgs{k}_iterations"] = int(r.nit)
        out[f"scipy_lbfgs{k}_gradmax"] = float(np.max(np.abs(fg(r.x)[1])))
    out["scipy"] = scipy.__version__
except ImportError:
    pass
print(json.dumps(out))
"""#

@MainActor func runPython() -> [String: Any]? {
    guard !arguments.contains("--no-python") else { return nil }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", "-c", pythonScript, String(n), String(d), String(epochs), scratch.path, String(logisticCases.count)]
    var env = ProcessInfo.processInfo.environment
    // Older-CPU OpenBLAS overrides slow a current numpy; the comparison wants its best kernel.
    env["OPENBLAS_CORETYPE"] = nil
    env["OPENBLAS_L2_SIZE"] = nil
    p.environment = env
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = FileHandle.nullDevice
    do { try p.run() } catch { return nil }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    guard p.terminationStatus == 0 else { return nil }
    return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
}

log("measuring Swift …")
let before = try measureSwift()
log("measuring Python …")
let python = runPython()
log("measuring Swift again …")
let after = try measureSwift()

func mid(_ a: Double, _ b: Double) -> Double { (a + b) / 2 }
let ms = { (s: Double) in String(format: "%.2f ms", s * 1e3) }
var rows = [["case", "Swift (OptBench)", "reference", "reference figure", "Swift ÷ reference"]]
@MainActor func row(_ name: String, _ swift: Double, _ refName: String, _ key: String) {
    let ref = python?[key] as? Double
    rows.append([name, ms(swift), refName, ref.map(ms) ?? "—", ref.map { String(format: "%.2f", swift / $0) } ?? "—"])
}
row("logistic loss and gradient, \(n)×\(d)", mid(before.logistic, after.logistic), "numpy (fg of the L-BFGS-B runs)", "numpy_logistic")
row("GD epoch, least squares \(n)×\(d)", mid(before.gd, after.gd), "numpy X.T@(X@w−y)/n", "numpy_gd")
row("SVRG epoch", mid(before.svrg, after.svrg), "sklearn Ridge sag", "sklearn_sag")
row("SAGA epoch", mid(before.saga, after.saga), "sklearn Ridge saga", "sklearn_saga")
// float32 against our own float64 epoch: the same generic code, specialised per precision.
@MainActor func precisionRow(_ name: String, _ f32: Double, _ f64: Double) {
    rows.append([name, ms(f32), "OptBench float64", ms(f64), String(format: "%.2f", f32 / f64)])
}
precisionRow("GD epoch, float32", mid(before.gd32, after.gd32), mid(before.gd, after.gd))
precisionRow("SVRG epoch, float32", mid(before.svrg32, after.svrg32), mid(before.svrg, after.svrg))
precisionRow("SAGA epoch, float32", mid(before.saga32, after.saga32), mid(before.saga, after.saga))
for (k, c) in logisticCases.enumerated() {
    row("L-BFGS to ‖∇F‖∞ ≤ 1e-8, logistic \(n)×\(d), \(c.name)", mid(before.lbfgsSeconds[k], after.lbfgsSeconds[k]),
        "scipy L-BFGS-B", "scipy_lbfgs\(k)_seconds")
}
print("# classical-bench (\(quick ? "quick" : "full"); Swift: mean of the runs before and after Python; "
      + "full passes on \(ProcessInfo.processInfo.activeProcessorCount) threads, sample steps on 1)")
print("")
print(markdownTable(rows, rightAligned: [1, 3, 4]).joined(separator: "\n"))
print("")
for (k, c) in logisticCases.enumerated() {
    let scipyIterations = (python?["scipy_lbfgs\(k)_iterations"] as? Int).map(String.init) ?? "—"
    let scipyGradient = (python?["scipy_lbfgs\(k)_gradmax"] as? Double).map { String(format: "%.2g", $0) } ?? "—"
    print("L-BFGS iterations, \(c.name): Swift \(before.lbfgsIterations[k]) (then \(after.lbfgsIterations[k])); "
          + "scipy \(scipyIterations) (its final ‖∇F‖∞ \(scipyGradient))")
}
print("Swift runs: GD \(ms(before.gd)) / \(ms(after.gd)), SVRG \(ms(before.svrg)) / \(ms(after.svrg)), SAGA \(ms(before.saga)) / \(ms(after.saga)), "
      + "L-BFGS " + zip(before.lbfgsSeconds, after.lbfgsSeconds).map { "\(ms($0)) / \(ms($1))" }.joined(separator: "; "))
if let python {
    print("Python: numpy \(python["numpy"] ?? "?"), BLAS \(python["blas"] ?? "?"), scikit-learn \(python["sklearn"] ?? "absent"), scipy \(python["scipy"] ?? "absent")")
} else {
    print("Python with numpy not available (or --no-python): Swift figures only.")
}
