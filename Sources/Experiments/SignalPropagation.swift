import Foundation
import OptBenchHarness
import OptBenchKernels
import OptBenchReports

/// Signal propagation at initialisation (survey §4.2; Hanin & Rolnick, 2018).
///
/// Claim, linear part: for a product of L independent d×d matrices with entries N(0, c²/d),
/// E‖W_L⋯W₁x‖² = c^{2L}‖x‖², so the ratio ‖W_L⋯W₁x‖/‖x‖ (x = (1,…,1)) is about c^L: it
/// vanishes for c < 1 and explodes for c > 1. The log of the ratio is a sum of L terms
/// ½ln(χ²_d/d) + ln c, so it lies within ~√(L/2d) of L·ln c.
/// Verdict: |ln ratio_median − L·ln c| ≤ 0.5 in every cell (median over `draws` draws).
///
/// Claim, ReLU part: with h₀ = x, h_l = ReLU(W_l h_{l−1}) and Kaiming entries N(0, 2/d), the
/// layer-to-layer factor ‖h_l‖²/‖h_{l−1}‖² = (2/d)Σᵢ ReLU(gᵢ)² (gᵢ iid N(0,1)) has mean 1 and
/// second moment 1 + 5/d, so q_L = ‖h_L‖²/‖x‖² keeps mean 1 while E q_L² = (1 + 5/d)^L ≈
/// e^{5L/d}: the variance grows exponentially in L/d (Hanin & Rolnick's β = Σ 1/d_l).
/// Verdicts: the mean of q_L within 4 standard errors of 1 at every depth; the fitted slope of
/// ln(E q_L²) against L within 20 % of ln(1 + 5/d).
///
/// Grid (`--set`): `widths` 100,400, `depths` 5,10, c ∈ {0.2, 1, 5}, `draws` 5; ReLU part
/// `relu_width` 32, `relu_depths` 2,4,6,8,10,12, `relu_draws` 4000 (quick: widths 100, 1000 draws).
/// `result.json`: `signal_propagation`, a list of {d, L, c, ratio_median}; `relu_kaiming`, a
/// list of {d, L, L_over_d, mean, second_moment, variance, predicted_second_moment, draws}.
extension ExperimentEntry {
    public static let signalPropagation = ExperimentEntry(
        name: "signal-propagation", summary: "‖W_L⋯W₁x‖/‖x‖ ≈ c^L for Gaussian products; ReLU/Kaiming variance grows like e^{5L/d}",
        claim: "Survey §4.2: with N(0, c²/d) entries the signal ‖W_L⋯W₁x‖/‖x‖ scales like c^L (vanishing for c < 1, exploding for c > 1); "
            + "under Kaiming init a ReLU net keeps E‖h_L‖²/‖x‖² = 1 while its second moment grows like (1 + 5/d)^L ≈ e^{5L/d} (Hanin & Rolnick, 2018).",
        run: SignalPropagation.run)
}

/// The measurements of `ExperimentEntry.signalPropagation`.
public enum SignalPropagation {
    public static let scales = [0.2, 1.0, 5.0]

    /// ‖W_L⋯W₁x‖/‖x‖ for x = (1,…,1) ∈ ℝ^d and W_l = `matrix(l)` (row-major d×d).
    public static func ratio(d: Int, depth: Int, matrix: (Int) -> [Double]) -> Double {
        var z = [Double](repeating: 1, count: d), next = z
        for l in 0..<depth {
            let w = matrix(l)
            for i in 0..<d {
                var s = 0.0
                for j in 0..<d { s += w[i * d + j] * z[j] }
                next[i] = s
            }
            swap(&z, &next)
        }
        return (z.reduce(0) { $0 + $1 * $1 } / Double(d)).squareRoot()
    }

    /// The ratio for Gaussian N(0, c²/d) matrices drawn from `seed`.
    public static func gaussianRatio(d: Int, depth: Int, c: Double, seed: UInt64) -> Double {
        var rng = Xoshiro256(seed: seed, stream: 0x5167)
        let scale = c / Double(d).squareRoot()
        return ratio(d: d, depth: depth) { _ in (0..<(d * d)).map { _ in scale * rng.nextGaussian() } }
    }

    /// q_L = ‖h_L‖²/‖x‖² of a ReLU net with Kaiming N(0, 2/d) weights drawn from `seed`, x = (1,…,1).
    public static func reluSquaredRatio(d: Int, depth: Int, seed: UInt64) -> Double {
        var rng = Xoshiro256(seed: seed, stream: 0x4E4C)
        let scale = (2 / Double(d)).squareRoot()
        var h = [Double](repeating: 1, count: d), next = h
        for _ in 0..<depth {
            for i in 0..<d {
                var s = 0.0
                for j in 0..<d { s += rng.nextGaussian() * h[j] }
                next[i] = max(0, scale * s)
            }
            swap(&h, &next)
        }
        return h.reduce(0) { $0 + $1 * $1 } / Double(d)
    }

    static func run(_ options: ExperimentOptions) throws -> ExperimentOutcome {
        let name = "signal-propagation"
        try options.check(keys: ["widths", "depths", "draws", "relu_width", "relu_depths", "relu_draws"], experiment: name)
        let widths = try options.integers("widths", standard: [100, 400], quick: [100], range: 1...4096, experiment: name)
        let depths = try options.integers("depths", standard: [5, 10], quick: [5, 10], range: 1...1000, experiment: name)
        let draws = try options.integer("draws", standard: 5, quick: 5, range: 1...1000, experiment: name)
        let reluWidth = try options.integer("relu_width", standard: 32, quick: 32, range: 2...4096, experiment: name)
        let reluDepths = try options.integers("relu_depths", standard: [2, 4, 6, 8, 10, 12], quick: [2, 4, 8], range: 1...1000, experiment: name)
        let reluDraws = try options.integer("relu_draws", standard: 4000, quick: 1000, range: 2...10_000_000, experiment: name)

        // Linear part: one cell per (d, L, c), its draws seeded by the cell.
        var cells: [(d: Int, L: Int, c: Double)] = []
        for d in widths { for L in depths { for c in scales { cells.append((d, L, c)) } } }
        let grid = cells
        let medians = try options.map(grid.count) { k in
            let (d, L, c) = grid[k]
            return median((0..<draws).map { gaussianRatio(d: d, depth: L, c: c, seed: UInt64(d) << 40 ^ UInt64(L) << 20 ^ UInt64(c * 1000) << 4 ^ UInt64($0)) })
        }
        var rows: [[String]] = [], list: [JSONValue] = [], worst = 0.0
        for (k, cell0) in cells.enumerated() {
            let predicted = Foundation.pow(cell0.c, Double(cell0.L))
            let gap = abs(Foundation.log(medians[k]) - Double(cell0.L) * Foundation.log(cell0.c))
            worst = max(worst, gap)
            rows.append([String(cell0.d), String(cell0.L), cell(cell0.c), cell(medians[k]), cell(predicted), String(format: "%.3f", gap)])
            list.append(.object(["d": .number(Double(cell0.d)), "L": .number(Double(cell0.L)), "c": .number(cell0.c), "ratio_median": .finite(medians[k])]))
        }

        // ReLU part: q_L over many draws per depth.
        let moments = try options.map(reluDepths.count) { k in
            let L = reluDepths[k]
            var sum = 0.0, sumSquares = 0.0
            for s in 0..<reluDraws {
                let q = reluSquaredRatio(d: reluWidth, depth: L, seed: UInt64(L) << 32 ^ UInt64(s))
                sum += q
                sumSquares += q * q
            }
            return (mean: sum / Double(reluDraws), second: sumSquares / Double(reluDraws))
        }
        let perLayer = Foundation.log(1 + 5 / Double(reluWidth))
        var relu: [JSONValue] = [], notes: [String] = [], meanHolds = true, meanWorst = 0.0
        for (k, L) in reluDepths.enumerated() {
            let m = moments[k], variance = m.second - m.mean * m.mean
            let standardError = (max(variance, 0) / Double(reluDraws)).squareRoot()
            let z = abs(m.mean - 1) / max(standardError, 1e-300)
            meanWorst = max(meanWorst, z)
            if z > 4 { meanHolds = false }
            let predicted = Foundation.exp(Double(L) * perLayer)
            notes.append("ReLU/Kaiming d = \(reluWidth), L = \(L) (L/d = \(cell(Double(L) / Double(reluWidth)))): mean q_L \(cell(m.mean)), "
                         + "E q_L² \(cell(m.second)) (predicted (1+5/d)^L = \(cell(predicted))), variance \(cell(variance)) over \(reluDraws) draws")
            relu.append(.object(["d": .number(Double(reluWidth)), "L": .number(Double(L)), "L_over_d": .number(Double(L) / Double(reluWidth)),
                                 "mean": .finite(m.mean), "second_moment": .finite(m.second), "variance": .finite(variance),
                                 "predicted_second_moment": .finite(predicted), "draws": .number(Double(reluDraws))]))
        }
        let fit = linearFit(x: reluDepths.map(Double.init), y: moments.map { Foundation.log($0.second) })
        let slope = fit?.slope ?? .nan
        notes.insert("Linear part: median over \(draws) draws; gap = |ln ratio − L ln c|.", at: 0)

        var verdicts = [
            Verdict(test: "|ln ratio_median − L·ln c| ≤ 0.5 in every cell (ratio ≈ c^L)", measured: "largest gap \(String(format: "%.3f", worst))",
                    holds: worst <= 0.5),
            Verdict(test: "ReLU/Kaiming: mean of ‖h_L‖²/‖x‖² within 4 standard errors of 1 at every depth",
                    measured: "largest |mean − 1|/s.e. \(String(format: "%.2f", meanWorst))", holds: meanHolds),
        ]
        verdicts.append(Verdict(test: "ReLU/Kaiming: slope of ln E q_L² against L within 20 % of ln(1 + 5/d) = \(String(format: "%.4f", perLayer))",
                                measured: "slope \(String(format: "%.4f", slope)) (×d = \(String(format: "%.2f", slope * Double(reluWidth))) against 5)",
                                holds: abs(slope - perLayer) <= 0.2 * perLayer))

        var linear = ExperimentPlot(title: "Signal ratio ‖W_L⋯W₁x‖/‖x‖ (median of \(draws) draws)", xTitle: "depth L", yTitle: "ratio", logY: true)
        for c in scales {
            for d in widths {
                let pts = cells.indices.filter { cells[$0].c == c && cells[$0].d == d }
                linear.lines.append(.init("c = \(cell(c)), d = \(d)", x: pts.map { Double(cells[$0].L) }, y: pts.map { medians[$0] }))
            }
            let ls = depths.sorted().map(Double.init)
            linear.lines.append(.init("c^L, c = \(cell(c))", x: ls, y: ls.map { Foundation.pow(c, $0) }))
        }
        let ratioOverD = reluDepths.map { Double($0) / Double(reluWidth) }
        let reluPlot = ExperimentPlot(
            title: "ReLU, Kaiming init, d = \(reluWidth): E q_L² over \(reluDraws) draws", xTitle: "L/d", yTitle: "E (‖h_L‖²/‖x‖²)² and mean", logY: true,
            lines: [.init("measured E q_L²", x: ratioOverD, y: moments.map { $0.second }),
                    .init("(1 + 5/d)^L", x: ratioOverD, y: reluDepths.map { Foundation.exp(Double($0) * perLayer) }),
                    .init("measured mean q_L", x: ratioOverD, y: moments.map { $0.mean })])
        return ExperimentOutcome(
            columns: ["d", "L", "c", "ratio (median)", "c^L", "gap"], rows: rows, notes: notes,
            figures: [linear.figure("ratio", caption: "Median ratio ‖W_L⋯W₁x‖/‖x‖ against depth for each scale c and width d, with c^L."),
                      reluPlot.figure("relu-kaiming", caption: "ReLU net under Kaiming init: the second moment of ‖h_L‖²/‖x‖² against L/d next to (1 + 5/d)^L; the mean stays at 1.")],
            result: .object(["signal_propagation": .array(list), "relu_kaiming": .array(relu)]), verdicts: verdicts)
    }
}
