import Foundation

/// Integers as integers, other values with 3 significant digits (`0.316`, `1e-06`).
public func formatNumber(_ v: Double) -> String {
    if !v.isFinite { return v.isNaN ? "nan" : (v > 0 ? "inf" : "-inf") }
    if v == v.rounded(), abs(v) < 1e7 { return String(Int(v)) }
    return String(format: "%.3g", v)
}

public func format17(_ v: Double) -> String { String(format: "%.17g", v) }

/// JSON with sorted keys; non-finite figures (a diverged run's loss) as "inf"/"nan" strings.
public func reportEncoder() -> JSONEncoder {
    let e = JSONEncoder()
    e.outputFormatting = [.sortedKeys, .prettyPrinted]
    e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return e
}

/// The q-quantile (q ∈ [0, 1]) of ascending `sorted` values by linear interpolation between
/// order statistics (Hyndman & Fan's type 7, numpy's default `linear` method):
///
///     h = (n − 1)·q,   Q(q) = x_⌊h⌋ + (h − ⌊h⌋)·(x_⌈h⌉ − x_⌊h⌋)
///
/// An infinite order statistic propagates (no ∞ − ∞).
public func quantileOfSorted(_ sorted: [Double], _ q: Double) -> Double {
    precondition(!sorted.isEmpty && q >= 0 && q <= 1, "quantile needs values and q in [0, 1]")
    let h = Double(sorted.count - 1) * q
    let lo = Int(h.rounded(.down)), hi = Int(h.rounded(.up))
    let a = sorted[lo], b = sorted[hi]
    if lo == hi || a == b { return a }
    if b == .infinity { return .infinity }
    return a + (h - Double(lo)) * (b - a)
}
