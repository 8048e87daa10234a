/// Central-difference gradient (F(w + h eⱼ) − F(w − h eⱼ))/(2h) with a step scaled to |wⱼ|,
/// the independent reference every analytic gradient is checked against.
public func finiteDifferenceGradient(_ f: ([Double]) -> Double, at w: [Double], relativeStep: Double = 1e-6) -> [Double] {
    var g = [Double](repeating: 0, count: w.count)
    var x = w
    for j in 0..<w.count {
        let h = relativeStep * max(1, abs(w[j]))
        x[j] = w[j] + h
        let fp = f(x)
        x[j] = w[j] - h
        let fm = f(x)
        x[j] = w[j]
        g[j] = (fp - fm) / (2 * h)
    }
    return g
}

/// max |aᵢ − bᵢ| / (atol + rtol·max(|aᵢ|, |bᵢ|)) ≤ 1 elementwise; returns the worst index and ratio.
public func worstMismatch(_ a: [Double], _ b: [Double], rtol: Double, atol: Double) -> (index: Int, ratio: Double) {
    precondition(a.count == b.count, "length \(a.count) vs \(b.count)")
    var worst = (index: -1, ratio: 0.0)
    for i in a.indices {
        let r = abs(a[i] - b[i]) / (atol + rtol * max(abs(a[i]), abs(b[i])))
        if !(r <= worst.ratio) { worst = (i, r) }
    }
    return worst
}

/// Whether a and b agree elementwise within atol + rtol·max(|aᵢ|, |bᵢ|).
public func isClose(_ a: [Double], _ b: [Double], rtol: Double = 1e-9, atol: Double = 0) -> Bool {
    a.count == b.count && worstMismatch(a, b, rtol: rtol, atol: atol).ratio <= 1
}

public func isClose(_ a: Double, _ b: Double, rtol: Double = 1e-9, atol: Double = 0) -> Bool {
    abs(a - b) <= atol + rtol * max(abs(a), abs(b))
}
