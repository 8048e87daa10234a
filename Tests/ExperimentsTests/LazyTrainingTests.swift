import Foundation
import Testing
@testable import OptBenchExperiments

@Suite struct LazyTrainingTests {
    static let net = LazyTraining.Network(m: 3, d: 2, n: 4, dataSeed: 5, seed: 1)

    /// ∇_W L against central finite differences (no weight sits at a ReLU kink here).
    @Test func gradientMatchesFiniteDifferences() {
        let net = Self.net
        var g = [Double](repeating: 0, count: net.w.count)
        _ = g.withUnsafeMutableBufferPointer { net.loss(net.w, gradient: $0) }
        let h = 1e-6
        for k in net.w.indices {
            var plus = net.w, minus = net.w
            plus[k] += h
            minus[k] -= h
            let fd = (net.loss(plus) - net.loss(minus)) / (2 * h)
            #expect(abs(fd - g[k]) < 1e-7, "entry \(k)")
        }
    }

    /// The forward pass by hand: f(x) = m^{-1/2} Σ aᵢ ReLU(wᵢ·x) on one point.
    @Test func lossIsTheNTKScaledNetwork() {
        let net = LazyTraining.Network(m: 2, d: 2, n: 1, w: [1, 2, -3, 1], a: [1, -1], x: [0.6, 0.8], y: [0.5])
        // w₁·x = 2.2, w₂·x = −1: f = 2.2/√2.
        let r = 2.2 / 2.0.squareRoot() - 0.5
        #expect(abs(net.loss(net.w) - 0.5 * r * r) < 1e-15)
    }

    /// One step: ‖W₁ − W₀‖_F/‖W₀‖_F = lr·‖∇L(W₀)‖/‖W₀‖_F, the gradient by finite differences.
    @Test func oneStepRelativeChangeIsTheScaledGradientNorm() {
        let net = Self.net, lr = 0.3, h = 1e-6
        var squared = 0.0
        for k in net.w.indices {
            var plus = net.w, minus = net.w
            plus[k] += h
            minus[k] -= h
            let fd = (net.loss(plus) - net.loss(minus)) / (2 * h)
            squared += fd * fd
        }
        let norm = net.w.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let result = net.train(lr: lr, steps: 1)
        #expect(abs(result.relativeChange - lr * squared.squareRoot() / norm) < 1e-8)
    }
}
