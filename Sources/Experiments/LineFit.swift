import Foundation

/// The least-squares line y ≈ intercept + slope·x through points (xᵢ, yᵢ):
///
///     slope = Σ(xᵢ − x̄)(yᵢ − ȳ) / Σ(xᵢ − x̄)²,   intercept = ȳ − slope·x̄
///
/// the growth rates and exponents the experiments' verdicts read (on log scales). Nil with
/// fewer than two distinct x.
public struct LineFit: Sendable, Equatable {
    public var slope: Double
    public var intercept: Double

    public init?(x: [Double], y: [Double]) {
        precondition(x.count == y.count)
        let n = Double(x.count)
        guard x.count >= 2 else { return nil }
        let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
        var sxy = 0.0, sxx = 0.0
        for (a, b) in zip(x, y) {
            sxy += (a - mx) * (b - my)
            sxx += (a - mx) * (a - mx)
        }
        guard sxx > 0 else { return nil }
        slope = sxy / sxx
        intercept = my - slope * mx
    }
}

/// The median of values (the mean of the middle two for an even count).
func median(_ values: [Double]) -> Double {
    let s = values.sorted()
    precondition(!s.isEmpty)
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

/// A number for a table cell: four significant digits.
func cell(_ v: Double) -> String {
    v.isFinite ? String(format: "%.4g", v) : "—"
}
