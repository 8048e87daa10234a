import Foundation
import OptBenchHarness
import OptBenchKernels
import OptBenchReports

/// Lazy training of wide networks under the NTK scaling (survey §6.4; Jacot et al., 2018;
/// Du et al., 2019; Chizat, Oyallon & Bach, 2019).
///
/// Claim: for the two-layer network f(x) = m^{-1/2} Σᵢ aᵢ φ(wᵢ·x) (φ = ReLU, aᵢ = ±1 fixed,
/// wᵢ ~ N(0, I_d)), each ∇_{wᵢ}f is O(m^{-1/2}), so full-batch GD at a fixed lr for a fixed
/// number of steps moves the weights by ‖W_T − W₀‖_F = O(1) while ‖W₀‖_F ≈ √(md): the relative
/// change ‖W_T − W₀‖_F/‖W₀‖_F falls like m^{-1/2}, and the network stays near its
/// linearisation (the neural tangent kernel regime).
/// Verdict: the least-squares slope of ln(relative change) against ln m within 0.15 of −0.5.
///
/// Data: n = `n` 20 points uniform on the unit sphere of ℝ^d (d = `d` 10), targets
/// y = sin(2·u·x) for a fixed unit u; loss (1/2n)Σ(f(xⱼ) − yⱼ)², GD on W only, lr `lr` 1 for
/// `steps` 200 steps (quick: 100); median over `seeds` 3 initialisations. Grid (`--set`):
/// `widths` 16,64,256,1024,4096 (quick: 16,64,256,1024). `result.json`: `lazy_training`, a
/// list of {width, relative_change, initial_loss, final_loss}.
extension ExperimentEntry {
    public static let lazyTraining = ExperimentEntry(
        name: "lazy-training", summary: "2-layer NTK-scaled ReLU net: relative weight change after fixed GD falls like m^{-1/2}",
        claim: "Survey §6.4 (NTK, Jacot et al. 2018; Chizat et al. 2019): for f(x) = m^{-1/2} Σ aᵢ φ(wᵢ·x) trained by full-batch GD at a fixed lr "
            + "for a fixed number of steps, the relative weight change ‖W_T − W₀‖_F/‖W₀‖_F falls like m^{-1/2} with the width m (lazy training).",
        run: LazyTraining.run)
}

/// The measurements of `ExperimentEntry.lazyTraining`.
public enum LazyTraining {
    /// The data set and a network of width m: W (m×d row-major), a, inputs X (n×d), targets y.
    public struct Network: Sendable {
        public var m: Int, d: Int, n: Int
        public var w: [Double]
        public var a: [Double]
        public var x: [Double]
        public var y: [Double]

        public init(m: Int, d: Int, n: Int, w: [Double], a: [Double], x: [Double], y: [Double]) {
            (self.m, self.d, self.n, self.w, self.a, self.x, self.y) = (m, d, n, w, a, x, y)
        }

        /// The data from `dataSeed` (shared by every width) and the weights from `seed`.
        public init(m: Int, d: Int, n: Int, dataSeed: UInt64, seed: UInt64) {
            var data = Xoshiro256(seed: dataSeed, stream: 0x4C41_5A59)
            var u = (0..<d).map { _ in data.nextGaussian() }
            let un = u.reduce(0) { $0 + $1 * $1 }.squareRoot()
            u = u.map { $0 / un }
            var x = [Double](repeating: 0, count: n * d), y = [Double](repeating: 0, count: n)
            for j in 0..<n {
                let v = (0..<d).map { _ in data.nextGaussian() }
                let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
                var dot = 0.0
                for k in 0..<d {
                    x[j * d + k] = v[k] / norm
                    dot += u[k] * x[j * d + k]
                }
                y[j] = Foundation.sin(2 * dot)
            }
            var rng = Xoshiro256(seed: seed, stream: 0x4E54_4B00)
            let w = (0..<(m * d)).map { _ in rng.nextGaussian() }
            let a = (0..<m).map { i in i % 2 == 0 ? 1.0 : -1.0 }
            self.init(m: m, d: d, n: n, w: w, a: a, x: x, y: y)
        }

        /// L(W) = (1/2n) Σⱼ (f(xⱼ) − yⱼ)², and ∇_W L into `gradient` when given.
        public func loss(_ w: [Double], gradient: UnsafeMutableBufferPointer<Double>? = nil) -> Double {
            let scale = 1 / Double(m).squareRoot()
            if let g = gradient { for k in g.indices { g[k] = 0 } }
            var total = 0.0
            var pre = [Double](repeating: 0, count: m)
            for j in 0..<n {
                var f = 0.0
                for i in 0..<m {
                    var s = 0.0
                    for k in 0..<d { s += w[i * d + k] * x[j * d + k] }
                    pre[i] = s
                    f += a[i] * max(0, s)
                }
                let r = scale * f - y[j]
                total += r * r
                guard let g = gradient else { continue }
                let c = r * scale / Double(n)
                for i in 0..<m where pre[i] > 0 {
                    let ci = c * a[i]
                    for k in 0..<d { g[i * d + k] += ci * x[j * d + k] }
                }
            }
            return total / Double(2 * n)
        }

        /// `steps` GD steps with rate `lr` from W₀: (‖W_T − W₀‖_F/‖W₀‖_F, L(W₀), L(W_T)).
        public func train(lr: Double, steps: Int) -> (relativeChange: Double, initialLoss: Double, finalLoss: Double) {
            var v = w, g = [Double](repeating: 0, count: w.count)
            let initial = loss(v)
            for _ in 0..<steps {
                _ = g.withUnsafeMutableBufferPointer { loss(v, gradient: $0) }
                for k in v.indices { v[k] -= lr * g[k] }
            }
            var change = 0.0, norm = 0.0
            for k in v.indices {
                change += (v[k] - w[k]) * (v[k] - w[k])
                norm += w[k] * w[k]
            }
            return ((change / norm).squareRoot(), initial, loss(v))
        }
    }

    static func run(_ options: ExperimentOptions) throws -> ExperimentOutcome {
        let name = "lazy-training"
        try options.check(keys: ["widths", "n", "d", "lr", "steps", "seeds"], experiment: name)
        let widths = try options.integers("widths", standard: [16, 64, 256, 1024, 4096], quick: [16, 64, 256, 1024], range: 1...1_000_000, experiment: name)
        let n = try options.integer("n", standard: 20, quick: 20, range: 1...100_000, experiment: name)
        let d = try options.integer("d", standard: 10, quick: 10, range: 1...100_000, experiment: name)
        let lr = try options.real("lr", standard: 1, quick: 1, range: 1e-12...1e6, experiment: name)
        let steps = try options.integer("steps", standard: 200, quick: 100, range: 1...10_000_000, experiment: name)
        let seeds = try options.integer("seeds", standard: 3, quick: 3, range: 1...1000, experiment: name)
        let tasks = widths.count * seeds
        let results = try options.map(tasks) { t in
            Network(m: widths[t / seeds], d: d, n: n, dataSeed: 23, seed: UInt64(t % seeds)).train(lr: lr, steps: steps)
        }
        var rows: [[String]] = [], list: [JSONValue] = [], changes: [Double] = []
        for (k, m) in widths.enumerated() {
            let mine = results[(k * seeds)..<((k + 1) * seeds)]
            let change = median(mine.map(\.relativeChange)), initial = median(mine.map(\.initialLoss)), final = median(mine.map(\.finalLoss))
            changes.append(change)
            rows.append([String(m), cell(change), cell(change * Double(m).squareRoot()), cell(initial), cell(final)])
            list.append(.object(["width": .number(Double(m)), "relative_change": .finite(change), "initial_loss": .finite(initial),
                                 "final_loss": .finite(final)]))
        }
        let fit = linearFit(x: widths.map { Foundation.log(Double($0)) }, y: changes.map { Foundation.log($0) })
        let slope = fit?.slope ?? .nan
        let verdicts = [Verdict(test: "slope of ln(relative change) against ln m within 0.15 of −0.5",
                                measured: "slope \(String(format: "%.3f", slope))", holds: abs(slope + 0.5) <= 0.15)]
        let ms = widths.map(Double.init)
        let fitted: [Double?] = ms.map { m -> Double? in
            guard let f = fit else { return nil }
            return Foundation.exp(f.intercept + f.slope * Foundation.log(m))
        }
        let law: [Double?] = ms.map { m -> Double? in changes[0] * (ms[0] / m).squareRoot() }
        let plot = ExperimentPlot(
            title: "Relative weight change after \(steps) GD steps (lr \(cell(lr)))", xTitle: "width m", yTitle: "‖W_T − W₀‖_F / ‖W₀‖_F",
            logX: true, logY: true,
            lines: [.init("measured (median of \(seeds))", x: ms, y: changes),
                    .init("fit: slope \(String(format: "%.3f", slope))", x: ms, y: fitted),
                    .init("∝ m^{-1/2} through the first", x: ms, y: law)])
        return ExperimentOutcome(
            columns: ["width m", "relative change", "× √m", "initial loss", "final loss"], rows: rows,
            notes: ["f(x) = m^{-1/2} Σ aᵢ ReLU(wᵢ·x), aᵢ = ±1 fixed, wᵢ ~ N(0, I_\(d)); n = \(n) points on the unit sphere, y = sin(2u·x); "
                    + "full-batch GD on W, lr \(cell(lr)), \(steps) steps; median over \(seeds) initialisations. Fitted slope \(String(format: "%.3f", slope))."],
            figures: [plot.figure("relative-change", caption: "Relative weight change ‖W_T − W₀‖_F/‖W₀‖_F after a fixed GD budget against the width, log–log, with the fitted line and the m^{-1/2} law.")],
            result: .object(["lazy_training": .array(list)]), verdicts: verdicts)
    }
}
