import Foundation
import OptBenchHarness
import OptBenchKernels
import OptBenchLinearAlgebra
import OptBenchReports

/// SGD's speed-up over GD on realizable least squares (survey §5.2).
///
/// Claim: for F(w) = (1/2n)‖Xw − y‖² with y = Xw* (realizable) and unit-norm rows, GD with
/// lr = 1/λmax(XᵀX/n) needs about (λmax/λmin)·ln(1/ε)/2 epochs, while one-sample SGD with
/// lr 1 (w ← w − (xᵢᵀw − yᵢ)xᵢ, the randomized Kaczmarz projection) contracts the error by
/// about 1 − λmin per step, n steps an epoch; so SGD is faster by about n·λmax =
/// (n/d)·λmax/λavg, λavg = tr(XᵀX/n)/d = 1/d. Rows all alike (λmax/λavg ≈ d) give the largest
/// speed-up, spread rows (λmax/λavg ≈ (1 + √(d/n))²) the least.
/// Verdicts: measured speed-up (GD epochs ÷ SGD epochs) within a factor 2 of the predicted
/// one for every instance; and the instances ordered by measured speed-up as by predicted.
///
/// Data: w* ~ N(0, I), start w = 0; `spread` rows are independent N(0, I) draws, `alike` rows
/// g + 0.3ξᵢ for one common g ~ N(0, I) and independent ξᵢ ~ N(0, I), each row normalised.
/// Target F/F(0) ≤ `target` 1e-4, read after every GD epoch and every n/50 SGD steps (epochs
/// = steps/n, exact); SGD: a fresh random permutation each epoch, median over `seeds` 5
/// orders. Grid (`--set`): `n` 400, `d_small` 40, `d_large` 200 (quick: 200, 20, 100),
/// `budget` 1 000 000 epochs. Instances: (n, d_small, alike), (n, d_small, spread),
/// (n, d_large, spread). `result.json`: `sgd_vs_gd`, a list of {n, d, data, lmax_over_lavg,
/// predicted_speedup, measured_speedup, gd_epochs, sgd_epochs}.
extension ExperimentEntry {
    public static let sgdVsGd = ExperimentEntry(
        name: "sgd-vs-gd", summary: "realizable least squares: SGD (lr 1) beats GD (lr 1/λmax) by about (n/d)·λmax/λavg epochs",
        claim: "Survey §5.2: on realizable least squares with unit-norm rows, one-sample SGD with lr 1 reaches a relative loss ε in about "
            + "(n/d)·λmax/λavg times fewer epochs than GD with lr 1/λmax — large when the rows are alike, small when they are spread.",
        run: SGDVersusGD.run)
}

/// The measurements of `ExperimentEntry.sgdVsGd`.
public enum SGDVersusGD {
    /// A realizable least-squares instance: X (n×d row-major, unit rows) and y = Xw*.
    public struct Instance: Sendable {
        public var n: Int
        public var d: Int
        public var x: [Double]
        public var y: [Double]

        public init(n: Int, d: Int, x: [Double], y: [Double]) {
            self.n = n
            self.d = d
            self.x = x
            self.y = y
        }

        /// `alike` or `spread` rows and w* drawn from `seed`.
        public init(n: Int, d: Int, alike: Bool, seed: UInt64) {
            var rng = Xoshiro256(seed: seed, stream: 0x5347)
            let common = (0..<d).map { _ in rng.nextGaussian() }
            var x = [Double](repeating: 0, count: n * d)
            for i in 0..<n {
                var norm = 0.0
                for j in 0..<d {
                    let v = alike ? common[j] + 0.3 * rng.nextGaussian() : rng.nextGaussian()
                    x[i * d + j] = v
                    norm += v * v
                }
                let s = 1 / norm.squareRoot()
                for j in 0..<d { x[i * d + j] *= s }
            }
            let wStar = (0..<d).map { _ in rng.nextGaussian() }
            let y = (0..<n).map { i in (0..<d).reduce(0.0) { $0 + x[i * d + $1] * wStar[$1] } }
            self.init(n: n, d: d, x: x, y: y)
        }

        /// F(w) = (1/2n)‖Xw − y‖².
        public func loss(_ w: [Double]) -> Double {
            var s = 0.0
            for i in 0..<n {
                var r = -y[i]
                for j in 0..<d { r += x[i * d + j] * w[j] }
                s += r * r
            }
            return s / Double(2 * n)
        }

        /// (λmax, λavg) of XᵀX/n.
        public func spectrum() -> (lmax: Double, lavg: Double) {
            var a = [Double](repeating: 0, count: d * d)
            for i in 0..<n {
                for j in 0..<d where x[i * d + j] != 0 {
                    for k in j..<d { a[j * d + k] += x[i * d + j] * x[i * d + k] }
                }
            }
            for k in a.indices { a[k] /= Double(n) }
            let trace = (0..<d).reduce(0.0) { $0 + a[$1 * d + $1] }
            return (SymmetricEigen(symmetric: a, dimension: d).eigenvalues[0], trace / Double(d))
        }

        /// (n/d)·λmax/λavg.
        public func predictedSpeedup() -> Double {
            let s = spectrum()
            return Double(n) / Double(d) * s.lmax / s.lavg
        }
    }

    /// Epochs of GD with lr 1/λmax from w = 0 until F/F(0) ≤ target (one full gradient an
    /// epoch), nil past `budget`.
    public static func gdEpochs(_ p: Instance, lr: Double, target: Double, budget: Int) -> Int? {
        let (n, d) = (p.n, p.d)
        var w = [Double](repeating: 0, count: d), g = w, r = [Double](repeating: 0, count: n)
        let f0 = p.loss(w)
        for epoch in 0...budget {
            var f = 0.0
            for i in 0..<n {
                var s = -p.y[i]
                for j in 0..<d { s += p.x[i * d + j] * w[j] }
                r[i] = s
                f += s * s
            }
            f /= Double(2 * n)
            if f <= target * f0 { return epoch }
            guard f.isFinite, epoch < budget else { return nil }
            for j in 0..<d { g[j] = 0 }
            for i in 0..<n { for j in 0..<d { g[j] += r[i] * p.x[i * d + j] } }
            for j in 0..<d { w[j] -= lr * g[j] / Double(n) }
        }
        return nil
    }

    /// Epochs (steps/n) of one-sample SGD with lr 1 over a fresh permutation each epoch from
    /// w = 0 until F/F(0) ≤ target, F read every `check` steps; nil past `budget` epochs.
    public static func sgdEpochs(_ p: Instance, seed: UInt64, target: Double, budget: Int, check: Int) -> Double? {
        let (n, d) = (p.n, p.d)
        var w = [Double](repeating: 0, count: d)
        var order = Array(0..<n)
        var rng = Xoshiro256(seed: seed, stream: 0x5347_0001)
        let f0 = p.loss(w)
        if f0 <= 0 { return 0 }
        var steps = 0
        for _ in 0..<budget {
            order.withUnsafeMutableBufferPointer { rng.shuffle($0) }
            for i in order {
                var r = -p.y[i]
                for j in 0..<d { r += p.x[i * d + j] * w[j] }
                for j in 0..<d { w[j] -= r * p.x[i * d + j] }
                steps += 1
                if steps % check == 0 || steps % n == 0 {
                    let f = p.loss(w)
                    guard f.isFinite else { return nil }
                    if f <= target * f0 { return Double(steps) / Double(n) }
                }
            }
        }
        return nil
    }

    static func run(_ options: ExperimentOptions) throws -> ExperimentOutcome {
        let name = "sgd-vs-gd"
        try options.check(keys: ["n", "d_small", "d_large", "seeds", "target", "budget"], experiment: name)
        let n = try options.integer("n", standard: 400, quick: 200, range: 2...1_000_000, experiment: name)
        let dSmall = try options.integer("d_small", standard: 40, quick: 20, range: 1...10_000, experiment: name)
        let dLarge = try options.integer("d_large", standard: 200, quick: 100, range: 1...10_000, experiment: name)
        let seeds = try options.integer("seeds", standard: 5, quick: 3, range: 1...1000, experiment: name)
        let target = try options.real("target", standard: 1e-4, quick: 1e-4, range: 1e-300...1, experiment: name)
        let budget = try options.integer("budget", standard: 1_000_000, quick: 1_000_000, range: 1...1_000_000_000, experiment: name)
        let cases: [(d: Int, alike: Bool)] = [(dSmall, true), (dSmall, false), (dLarge, false)]
        let check = max(1, n / 50)
        // One task per (instance, SGD seed) and one per GD run: SGD seeds run in parallel too.
        let instances = cases.enumerated().map { Instance(n: n, d: $0.element.d, alike: $0.element.alike, seed: UInt64(17 + $0.offset)) }
        let spectra = try options.map(instances.count) { instances[$0].spectrum() }
        let tasks = instances.count * (seeds + 1)
        let counts = try options.map(tasks) { t -> Double? in
            let k = t / (seeds + 1), s = t % (seeds + 1)
            if s == seeds { return gdEpochs(instances[k], lr: 1 / spectra[k].lmax, target: target, budget: budget).map(Double.init) }
            return sgdEpochs(instances[k], seed: UInt64(1000 * k + s), target: target, budget: budget, check: check)
        }
        var rows: [[String]] = [], list: [JSONValue] = [], ratios: [Double] = [], predictedAll: [Double] = [], measuredAll: [Double] = []
        for (k, c) in cases.enumerated() {
            let sgdRuns = (0..<seeds).compactMap { counts[k * (seeds + 1) + $0] }
            let gd = counts[k * (seeds + 1) + seeds]
            let sgd = sgdRuns.count == seeds ? median(sgdRuns) : nil
            let ratio = spectra[k].lmax / spectra[k].lavg
            let predicted = Double(n) / Double(c.d) * ratio
            let measured = gd.flatMap { g in sgd.map { g / $0 } } ?? .nan
            ratios.append(measured / predicted)
            predictedAll.append(predicted)
            measuredAll.append(measured)
            let data = c.alike ? "alike" : "spread"
            rows.append([String(n), String(c.d), data, cell(ratio), cell(predicted), gd.map(cell) ?? "—", sgd.map(cell) ?? "—", cell(measured),
                         cell(measured / predicted)])
            list.append(.object(["n": .number(Double(n)), "d": .number(Double(c.d)), "data": .string(data), "lmax_over_lavg": .finite(ratio),
                                 "predicted_speedup": .finite(predicted), "measured_speedup": .finite(measured),
                                 "gd_epochs": .finite(gd), "sgd_epochs": .finite(sgd)]))
        }
        let worst = ratios.map { abs(Foundation.log2($0)) }.max() ?? .nan
        let byPredicted = predictedAll.indices.sorted { predictedAll[$0] < predictedAll[$1] }
        let byMeasured = measuredAll.indices.sorted { measuredAll[$0] < measuredAll[$1] }
        let verdicts = [
            Verdict(test: "measured speed-up within a factor 2 of (n/d)·λmax/λavg for every instance (|log₂(measured/predicted)| ≤ 1)",
                    measured: "measured/predicted " + ratios.map { String(format: "%.2f", $0) }.joined(separator: ", "), holds: worst <= 1),
            Verdict(test: "instances ordered by measured speed-up as by predicted speed-up",
                    measured: byMeasured == byPredicted ? "same order" : "order differs", holds: byMeasured == byPredicted),
        ]
        let labels = cases.map { "\($0.alike ? "alike" : "spread"), d = \($0.d)" }
        let plot = ExperimentPlot(
            title: "SGD speed-up over GD (n = \(n)): measured against predicted", xTitle: "predicted speed-up (n/d)·λmax/λavg",
            yTitle: "measured speed-up GD ÷ SGD epochs", logX: true, logY: true,
            lines: cases.indices.map { .init(labels[$0], x: [predictedAll[$0]], y: [measuredAll[$0]]) }
                + [.init("measured = predicted", x: [1, predictedAll.max()! * 2], y: [1, predictedAll.max()! * 2]),
                   .init("×2", x: [1, predictedAll.max()! * 2], y: [2, predictedAll.max()! * 4]),
                   .init("÷2", x: [1, predictedAll.max()! * 2], y: [0.5, predictedAll.max()!])])
        return ExperimentOutcome(
            columns: ["n", "d", "data", "λmax/λavg", "predicted", "GD epochs", "SGD epochs", "measured", "measured/predicted"], rows: rows,
            notes: ["GD: lr 1/λmax, one full gradient an epoch; SGD: lr 1, one sample a step, n steps an epoch (median over \(seeds) permutation seeds, F read every \(check) steps); target F/F(0) ≤ \(formatNumber(target))."],
            figures: [plot.figure("speedup", caption: "Measured speed-up (GD epochs ÷ SGD epochs to F/F(0) ≤ \(formatNumber(target))) of each instance against the predicted (n/d)·λmax/λavg, with the lines measured = predicted and a factor 2 either side.")],
            result: .object(["sgd_vs_gd": .array(list)]), verdicts: verdicts)
    }
}
