import OptBenchCore
import OptBenchKernels
import Testing
import TestSupport

@testable import OptBenchNeuralNetworks

/// Each initialisation draws from the distribution its paper states: sample variances against
/// the closed forms, orthogonality, LSUV's unit output variance, Fixup's zeros.
@Suite struct InitializationTests {
    static var net: Network<Double> { Network<Double>([.dense(outputs: 300), .activation(.relu), .dense(outputs: 200), .activation(.relu), .dense(outputs: 10)],
                                     inputShape: [400], loss: .crossEntropy) }

    static func variance(_ v: ArraySlice<Double>) -> (mean: Double, variance: Double) {
        let m = v.reduce(0, +) / Double(v.count)
        return (m, v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(v.count))
    }

    @Test(arguments: [WeightInitialization.lecun, .xavierNormal, .xavierUniform, .kaimingFanIn, .kaimingFanOut, .torch, .gaussian])
    func varianceMatchesTheScheme(_ scheme: WeightInitialization) {
        let net = Self.net
        let w = net.initialParameters(scheme, scale: 0.05, activation: .relu, seed: 4)
        let gain = 2.0.squareRoot()
        for t in net.weights {
            let (mean, v) = Self.variance(w[t.offset..<(t.offset + t.count)])
            let expected: Double = switch scheme {
            case .lecun: 1 / Double(t.fanIn)
            case .xavierNormal, .xavierUniform: gain * gain * 2 / Double(t.fanIn + t.fanOut)
            case .kaimingFanIn: gain * gain / Double(t.fanIn)
            case .kaimingFanOut: gain * gain / Double(t.fanOut)
            case .torch: 1 / (3 * Double(t.fanIn))
            default: 0.05 * 0.05
            }
            // Sample variance of N ≥ 2000 draws: relative standard error ≤ √(2/N) ≈ 3 %.
            #expect(abs(v / expected - 1) < 0.1, "\(scheme) \(t.name): variance \(v), expected \(expected)")
            #expect(abs(mean) < 4 * (expected / Double(t.count)).squareRoot(), "\(scheme) \(t.name): mean \(mean)")
            if scheme == .xavierUniform {
                let a = gain * (6 / Double(t.fanIn + t.fanOut)).squareRoot()
                #expect(w[t.offset..<(t.offset + t.count)].allSatisfy { abs($0) <= a })
            }
        }
    }

    @Test func orthogonalRowsOrColumnsAreOrthonormal() {
        let net = Network<Double>([.dense(outputs: 8), .dense(outputs: 20)], inputShape: [12], loss: .squaredError)
        let w = net.initialParameters(.orthogonal, activation: nil, seed: 2)
        for t in net.weights {
            let wide = t.rows <= t.fanIn
            let k = wide ? t.rows : t.fanIn
            for i in 0..<k {
                for j in 0..<k {
                    var s = 0.0
                    if wide { for c in 0..<t.fanIn { s += w[t.offset + i * t.fanIn + c] * w[t.offset + j * t.fanIn + c] } }
                    else { for r in 0..<t.rows { s += w[t.offset + r * t.fanIn + i] * w[t.offset + r * t.fanIn + j] } }
                    #expect(abs(s - (i == j ? 1 : 0)) < 1e-12, "\(t.name) (\(i), \(j))")
                }
            }
        }
    }

    @Test func lsuvGivesUnitVarianceOutputs() {
        var rng = Xoshiro256(seed: 8)
        let batch = 256
        let x = (0..<(batch * 400)).map { _ in 3 * rng.nextGaussian() + 1 }
        let net = Self.net
        let w = x.withUnsafeBufferPointer { net.initialParameters(.lsuv, activation: .relu, seed: 1, batch: $0.baseAddress, batchSize: batch) }
        x.withUnsafeBufferPointer { xp in
            w.withUnsafeBufferPointer { wp in _ = net.forward(wp.baseAddress!, xp.baseAddress!, batch: batch, mode: .probing) }
        }
        for (k, (p, size)) in net.weightLayerOutputs.enumerated() {
            let (_, v) = Self.variance(Array(UnsafeBufferPointer(start: p, count: batch * size))[...])
            #expect(abs(v - 1) < 0.1, "layer \(k): output variance \(v)")
        }
    }

    @Test func fixupZeroesEachBranchsLastLayerAndTheOutput() {
        let block: LayerSpec = .residual(body: [.dense(outputs: 50), .activation(.relu), .dense(outputs: 50)], shortcut: nil, activation: .relu)
        let net = Network<Double>([.dense(outputs: 50), block, block, block, .dense(outputs: 10)], inputShape: [30], loss: .crossEntropy)
        let w = net.initialParameters(.fixup, activation: .relu, seed: 3)
        let weights = net.weights
        #expect(weights.count == 8)
        for t in weights {
            let (_, v) = Self.variance(w[t.offset..<(t.offset + t.count)])
            if t.branch != nil && t.positionInBranch == 1 || t.name == weights.last!.name {
                #expect(v == 0, "\(t.name) should be zero")
            } else if t.branch != nil {
                // L = 3 branches of m = 2 layers: Kaiming variance 2/n_in times L^{−2/(2m−2)} = 1/3.
                #expect(abs(v / (2 / Double(t.fanIn) / 3) - 1) < 0.15, "\(t.name): variance \(v)")
            } else {
                #expect(abs(v / (2 / Double(t.fanIn)) - 1) < 0.15, "\(t.name): variance \(v)")
            }
        }
    }

    @Test func weightNormGainsStartAtRowNorms() {
        let net = Network<Double>([.dense(outputs: 6, weightNorm: true)], inputShape: [5], loss: .squaredError)
        let w = net.initialParameters(.kaimingFanIn, activation: nil, seed: 1)
        let t = net.weights[0]
        for r in 0..<6 {
            let norm = (0..<5).map { w[t.offset + r * 5 + $0] * w[t.offset + r * 5 + $0] }.reduce(0, +).squareRoot()
            #expect(isClose(w[t.gainOffset! + r], norm, rtol: 1e-14))
        }
    }
}

/// Clipping as torch's `clip_grad_value_` then `clip_grad_norm_` (coefficient τ/(‖g‖ + 10⁻⁶), applied below 1).
@Suite struct GradientClippingTests {
    @Test func clipsByValueThenByNorm() {
        var g: [Double] = [3, -4, 0.5, 12]
        g.withUnsafeMutableBufferPointer { GradientClipping(value: 5).apply($0) }
        #expect(g == [3, -4, 0.5, 5])
        var h: [Double] = [3, -4]
        h.withUnsafeMutableBufferPointer { GradientClipping(norm: 1).apply($0) }
        #expect(isClose(h, [3 / (5 + 1e-6), -4 / (5 + 1e-6)], rtol: 1e-15))
        var k: [Double] = [0.3, 0.4]
        k.withUnsafeMutableBufferPointer { GradientClipping(norm: 1).apply($0) }
        #expect(k == [0.3, 0.4])
    }
}
