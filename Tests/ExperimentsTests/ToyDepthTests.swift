import Foundation
import Testing
@testable import OptBenchExperiments

@Suite struct ToyDepthTests {
    /// GD on ½(Πw − 1)² by a direct scalar loop: epochs until F < target, nil past the budget.
    static func productLoop(depth: Int, w0: Double, lr: Double, target: Double, budget: Int) -> Int? {
        var w = [Double](repeating: w0, count: depth)
        for epoch in 0...budget {
            let p = w.reduce(1, *)
            if 0.5 * (p - 1) * (p - 1) < target { return epoch }
            let g = (0..<depth).map { k in (p - 1) * (0..<depth).filter { $0 != k }.reduce(1.0) { $0 * w[$1] } }
            for k in 0..<depth { w[k] -= lr * g[k] }
        }
        return nil
    }

    /// GD on (w^p − 1)² by a direct scalar loop.
    static func powerLoop(p: Int, w0: Double, lr: Double, target: Double, budget: Int) -> Int? {
        var w = w0
        for epoch in 0...budget {
            let e = pow(w, Double(p)) - 1
            if e * e < target { return epoch }
            w -= lr * 2 * Double(p) * pow(w, Double(p - 1)) * e
        }
        return nil
    }

    @Test(arguments: [(2, 0.5), (3, 0.5), (5, 0.5), (4, 1.2), (3, -1.0)])
    func catalogGDMatchesTheScalarLoop(depth: Int, w0: Double) throws {
        let budget = 20000
        for kind in ["product", "w7"] {
            let lr = ToyDepth.learningRate(kind, depth: depth)
            let measured = try ToyDepth.gdEpochs(ToyDepth.problem(kind, depth: depth, start: w0), lr: lr, target: 1e-6, budget: budget).epochs
            let direct = kind == "product" ? Self.productLoop(depth: depth, w0: w0, lr: lr, target: 1e-6, budget: budget)
                : Self.powerLoop(p: depth, w0: w0, lr: lr, target: 1e-6, budget: budget)
            #expect(measured == direct, "\(kind) L=\(depth) w0=\(w0)")
        }
    }

    @Test func learningRatesAreOneOverLambdaMaxAtTheMinimum() {
        // Product: Hessian at w = 1 is the all-ones matrix (λmax = L); (w^p − 1)²: F″(1) = 2p².
        #expect(ToyDepth.learningRate("product", depth: 6) == 1.0 / 6)
        let p = 6.0, h = 1e-4
        let f = { (w: Double) in (pow(w, p) - 1) * (pow(w, p) - 1) }
        let second = (f(1 + h) - 2 * f(1) + f(1 - h)) / (h * h)
        #expect(abs(1 / ToyDepth.learningRate("w7", depth: 6) - second) < 1e-3 * second)
    }
}
