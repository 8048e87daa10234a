import Foundation
import Testing
@testable import OptBenchExperiments

@Suite struct SignalPropagationTests {
    /// W_l = c·I: the ratio is c^L exactly.
    @Test(arguments: [(0.2, 5), (1.0, 10), (5.0, 3)])
    func scaledIdentitiesGiveCToTheL(c: Double, depth: Int) {
        let d = 7
        let r = SignalPropagation.ratio(d: d, depth: depth) { _ in
            (0..<(d * d)).map { $0 / d == $0 % d ? c : 0 }
        }
        #expect(abs(r / pow(c, Double(depth)) - 1) < 1e-12)
    }

    /// E‖W_L⋯W₁x‖²/‖x‖² = c^{2L} for N(0, c²/d) entries: the sample mean of the squared ratio
    /// over many draws within 4 standard errors of it.
    @Test func gaussianSquaredRatioHasMeanCToThe2L() {
        let (d, depth, c, draws) = (10, 3, 0.7, 4000)
        let squares = (0..<draws).map { s -> Double in
            let r = SignalPropagation.gaussianRatio(d: d, depth: depth, c: c, seed: UInt64(s))
            return r * r
        }
        let mean = squares.reduce(0, +) / Double(draws)
        let variance = squares.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(draws - 1)
        #expect(abs(mean - pow(c, 2 * Double(depth))) < 4 * (variance / Double(draws)).squareRoot())
    }

    /// ReLU under Kaiming: E q_L = 1 and E q_L² = (1 + 5/d)^L (the per-layer factor's moments
    /// are 1 and 1 + 5/d), each within 4 standard errors.
    @Test func reluKaimingMomentsMatchTheClosedForm() {
        let (d, depth, draws) = (8, 2, 20000)
        let q = (0..<draws).map { SignalPropagation.reluSquaredRatio(d: d, depth: depth, seed: UInt64($0)) }
        func meanAndError(_ v: [Double]) -> (Double, Double) {
            let m = v.reduce(0, +) / Double(v.count)
            let s2 = v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(v.count - 1)
            return (m, (s2 / Double(v.count)).squareRoot())
        }
        let (m1, e1) = meanAndError(q), (m2, e2) = meanAndError(q.map { $0 * $0 })
        #expect(abs(m1 - 1) < 4 * e1)
        #expect(abs(m2 - pow(1 + 5 / Double(d), Double(depth))) < 4 * e2)
    }
}
