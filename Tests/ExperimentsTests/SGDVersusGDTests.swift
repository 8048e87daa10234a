import Foundation
import Testing
@testable import OptBenchExperiments

@Suite struct SGDVersusGDTests {
    /// Two unit rows at angle θ: XᵀX has eigenvalues 1 ± cos θ, so with n = d = 2
    /// λmax(XᵀX/n) = (1 + cos θ)/2, λavg = 1/2 and (n/d)·λmax/λavg = 1 + cos θ.
    @Test(arguments: [0.3, 1.0, 2.0])
    func predictedSpeedupOfTwoRows(theta: Double) {
        let p = SGDVersusGD.Instance(n: 2, d: 2, x: [1, 0, cos(theta), sin(theta)], y: [1, 2])
        let s = p.spectrum()
        #expect(abs(s.lmax - (1 + abs(cos(theta))) / 2) < 1e-12)
        #expect(abs(s.lavg - 0.5) < 1e-14)
        #expect(abs(p.predictedSpeedup() - (1 + abs(cos(theta)))) < 1e-12)
    }

    /// Rows the standard basis e₁…e_d, each k times: XᵀX/n = I/d, the predicted speed-up is
    /// n/d; GD with lr d lands on w* in one epoch; SGD solves coordinate i at its first visit,
    /// so with n = d it ends exactly after one epoch.
    @Test func basisRowsHaveClosedFormEpochs() {
        let d = 5
        for k in [1, 3] {
            let n = k * d
            var x = [Double](repeating: 0, count: n * d)
            for i in 0..<n { x[i * d + i % d] = 1 }
            let wStar = [1.0, -2, 3, 0.5, 4]
            let p = SGDVersusGD.Instance(n: n, d: d, x: x, y: (0..<n).map { wStar[$0 % d] })
            #expect(abs(p.predictedSpeedup() - Double(n) / Double(d)) < 1e-12)
            #expect(SGDVersusGD.gdEpochs(p, lr: Double(d), target: 1e-12, budget: 10) == 1)
            if k == 1 { #expect(SGDVersusGD.sgdEpochs(p, seed: 3, target: 1e-12, budget: 10, check: 1) == 1) }
        }
    }

    /// Unit rows on the axes, 6, 3 and 1 of n = 10: XᵀX/n = diag(λ), λ = (0.6, 0.3, 0.1). GD
    /// from 0 with lr 1/λmax shrinks the error of coordinate j by 1 − λⱼ/λmax an epoch, so
    /// F_t = Σⱼ ½λⱼ(1 − λⱼ/λmax)^{2t}w*ⱼ² and the first epoch with F_t ≤ εF₀ follows.
    @Test func gdEpochsMatchTheDiagonalClosedForm() {
        let counts = [6, 3, 1], total = 10
        var x: [Double] = [], y: [Double] = []
        let wStar = [1.0, 1, 1]
        for (j, c) in counts.enumerated() {
            for _ in 0..<c {
                var row = [0.0, 0, 0]
                row[j] = 1
                x += row
                y.append(wStar[j])
            }
        }
        let p = SGDVersusGD.Instance(n: total, d: 3, x: x, y: y)
        let l = counts.map { Double($0) / Double(total) }
        let f0 = zip(l, wStar).reduce(0) { $0 + 0.5 * $1.0 * $1.1 * $1.1 }
        var expected: Int?
        for t in 0...500 {
            let ft = zip(l, wStar).reduce(0) { $0 + 0.5 * $1.0 * pow(1 - $1.0 / l[0], 2 * Double(t)) * $1.1 * $1.1 }
            if ft <= 1e-4 * f0 { expected = t; break }
        }
        #expect(expected != nil)
        #expect(SGDVersusGD.gdEpochs(p, lr: 1 / l[0], target: 1e-4, budget: 1000) == expected)
    }
}
