import OptBenchCore
import OptBenchKernels
import OptBenchNeuralNetworks
import OptBenchProblems
import Testing
import TestSupport

@testable import OptBenchOptimizers

/// K-FAC's steps against an independent reference: a 2-layer tanh MLP whose per-sample inputs
/// ā and output gradients g are computed by hand here (not by the network code), its Kronecker
/// factors and damping formed from them, and the preconditioned direction solved densely from
/// the Kronecker product by Gaussian elimination.
@Suite struct KFACTests {
    static let inputs = 3, hidden = 4, classes = 3

    /// Classification data: Gaussian features with per-feature scales `scales`, labels from a
    /// random linear teacher on the unscaled features.
    static func data(_ n: Int, features: Int, classes: Int, scales: [Double]? = nil, seed: UInt64) -> (x: [Double], y: [Int32]) {
        var rng = Xoshiro256(seed: seed)
        let teacher = (0..<(features * classes)).map { _ in rng.nextGaussian() }
        var x: [Double] = [], y: [Int32] = []
        for _ in 0..<n {
            let z = (0..<features).map { _ in rng.nextGaussian() }
            let scores = (0..<classes).map { c in (0..<features).reduce(0.0) { $0 + teacher[c * features + $1] * z[$1] } }
            y.append(Int32(scores.indices.max { scores[$0] < scores[$1] }!))
            x += zip(z, scales ?? Array(repeating: 1, count: features)).map { $0 * $1 }
        }
        return (x, y)
    }

    static func problem<S: KernelScalar>(_ specs: [LayerSpec], x: [Double], y: [Int32], features: Int, classes: Int,
                                         as: S.Type = S.self) -> NetworkProblem<S> {
        NetworkProblem<S>(label: "kfac-test", specs: specs, loss: .crossEntropy,
                          train: NetworkData(features: x.map { S($0) }, sampleShape: [features], labels: y, classes: classes),
                          test: nil, initialization: .xavierNormal, activation: .tanh)
    }

    static let tinySpecs: [LayerSpec] = [.dense(outputs: hidden), .activation(.tanh), .dense(outputs: classes)]

    /// The tiny MLP's layers by hand: per sample, ā₁ = [x; 1], ā₂ = [h; 1] with h = tanh(W₁x + b₁),
    /// g₂ = softmax(W₂h + b₂) − e_y and g₁ = (W₂ᵀg₂) ⊙ (1 − h²).
    struct Reference {
        let layout: ParameterLayout
        let x: [Double]
        let y: [Int32]
        var n: Int { y.count }

        /// (weight offset, bias offset, inputs, outputs) of each layer.
        var layers: [(w: Int, b: Int, i: Int, o: Int)] {
            let blocks = layout.blocks
            precondition(blocks.map(\.role) == [.weight, .bias, .weight, .bias])
            return [(blocks[0].offset, blocks[1].offset, inputs, hidden), (blocks[2].offset, blocks[3].offset, hidden, classes)]
        }

        /// Per layer, every sample's ā and g.
        func samples(_ w: [Double]) -> [(a: [[Double]], g: [[Double]])] {
            let (l1, l2) = (layers[0], layers[1])
            var out: [(a: [[Double]], g: [[Double]])] = [([], []), ([], [])]
            for s in 0..<n {
                let xs = Array(x[(s * inputs)..<((s + 1) * inputs)])
                var h = [Double](repeating: 0, count: hidden), z = [Double](repeating: 0, count: classes)
                for r in 0..<hidden {
                    var sum = w[l1.b + r]
                    for j in 0..<inputs { sum += w[l1.w + r * inputs + j] * xs[j] }
                    h[r] = Math.tanh(sum)
                }
                for r in 0..<classes {
                    z[r] = w[l2.b + r]
                    for j in 0..<hidden { z[r] += w[l2.w + r * hidden + j] * h[j] }
                }
                let top = z.max()!, e = z.map { Math.exp($0 - top) }, total = e.reduce(0, +)
                var g2 = e.map { $0 / total }
                g2[Int(y[s])] -= 1
                var g1 = [Double](repeating: 0, count: hidden)
                for j in 0..<hidden {
                    for r in 0..<classes { g1[j] += w[l2.w + r * hidden + j] * g2[r] }
                    g1[j] *= 1 - h[j] * h[j]
                }
                out[0].a.append(xs + [1]); out[0].g.append(g1)
                out[1].a.append(h + [1]); out[1].g.append(g2)
            }
            return out
        }

        /// E[u uᵀ] over samples, row-major.
        static func second(_ u: [[Double]]) -> [Double] {
            let m = u[0].count
            var s = [Double](repeating: 0, count: m * m)
            for v in u { for i in 0..<m { for j in 0..<m { s[i * m + j] += v[i] * v[j] / Double(u.count) } } }
            return s
        }

        /// ∇_[W b] f = E[g āᵀ] (outputs × (inputs + 1)).
        static func gradient(_ a: [[Double]], _ g: [[Double]]) -> [Double] {
            let o = g[0].count, c = a[0].count
            var v = [Double](repeating: 0, count: o * c)
            for (ab, gb) in zip(a, g) { for r in 0..<o { for j in 0..<c { v[r * c + j] += gb[r] * ab[j] / Double(a.count) } } }
            return v
        }
    }

    /// (A_damped ⊗ G_damped)⁻¹ vec(V), vec stacking columns, with factored Tikhonov damping
    /// π = √((tr A/c)/(tr G/o)), γ = √(λ + η): the Kronecker product formed entry by entry and
    /// solved by Gaussian elimination. Returns Δ as outputs × columns, row-major.
    static func denseSolve(a: [Double], g: [Double], v: [Double], damping: Double, weightDecay: Double) -> [Double] {
        let c = Int(Double(a.count).squareRoot()), o = Int(Double(g.count).squareRoot())
        let trA = (0..<c).reduce(0.0) { $0 + a[$1 * c + $1] }, trG = (0..<o).reduce(0.0) { $0 + g[$1 * o + $1] }
        let pi = ((trA / Double(c)) / (trG / Double(o))).squareRoot(), gamma = (damping + weightDecay).squareRoot()
        let n = c * o
        var k = [Double](repeating: 0, count: n * n)
        for j in 0..<c { for r in 0..<o { for j2 in 0..<c { for r2 in 0..<o {
            let aa = a[j * c + j2] + (j == j2 ? pi * gamma : 0), gg = g[r * o + r2] + (r == r2 ? gamma / pi : 0)
            k[(j * o + r) * n + (j2 * o + r2)] = aa * gg
        } } } }
        let rhs = (0..<n).map { v[($0 % o) * c + $0 / o] }
        let x = gaussianEliminationSolve(k, rhs)
        return (0..<(o * c)).map { x[($0 % c) * o + $0 / c] }
    }

    /// A fixed tiny problem: 7 samples, 3 features, 3 classes.
    static func tiny() -> (NetworkProblem<Double>, Reference) {
        let (x, y) = data(7, features: inputs, classes: classes, seed: 4)
        let p = problem(tinySpecs, x: x, y: y, features: inputs, classes: classes, as: Double.self)
        return (p, Reference(layout: p.layout, x: x, y: y))
    }

    /// Full-batch steps of the registered `kfac` (the batch is every sample, so each step's
    /// statistics are the whole set's whatever the order).
    static func run(_ p: NetworkProblem<Double>, _ settings: [String], steps: Int, start w0: [Double]) -> [[Double]] {
        let o = GradientOracle(p.makeRunObjective())
        let optimizer = try! configured("kfac", settings + ["batch_size=\(p.sampleCount)"]).float64
        return iterates(optimizer, oracle: o, start: w0, steps: steps)
    }

    /// Per layer, the weight/bias entries of w as one outputs × (inputs + 1) matrix [W b].
    static func joined(_ w: [Double], _ l: (w: Int, b: Int, i: Int, o: Int)) -> [Double] {
        var m: [Double] = []
        for r in 0..<l.o {
            let row = l.w + r * l.i
            m += w[row..<(row + l.i)]
            m.append(w[l.b + r])
        }
        return m
    }

    /// The first step is −lr·(Ā⊗Ḡ + damping)⁻¹ vec ∇: the preconditioner is the inverse of the
    /// damped Kronecker-factored Fisher, for both layers, with and without weight decay.
    @Test(arguments: [0.0, 0.01])
    func firstStepInvertsTheKroneckerFactoredFisher(weightDecay: Double) {
        let (p, ref) = Self.tiny()
        let w0 = p.initialPoint(seed: 2), lr = 0.5, damping = 0.003
        let path = Self.run(p, ["lr=\(lr)", "momentum=0", "rescale=false", "damping=\(damping)", "weight_decay=\(weightDecay)", "stat_decay=0.9"],
                            steps: 1, start: w0)
        let stats = ref.samples(w0)
        for (k, l) in ref.layers.enumerated() {
            let a = Reference.second(stats[k].a), g = Reference.second(stats[k].g)
            var v = Reference.gradient(stats[k].a, stats[k].g)
            let wk = Self.joined(w0, l)
            for e in v.indices { v[e] += weightDecay * wk[e] }
            let delta = Self.denseSolve(a: a, g: g, v: v, damping: damping, weightDecay: weightDecay)
            let expected = zip(wk, delta).map { $0 - lr * $1 }
            let got = Self.joined(path[1], l)
            #expect(isClose(got, expected, rtol: 1e-9, atol: 1e-12), "layer \(k): \(got) vs \(expected)")
            #expect(!isClose(got, zip(wk, v).map { $0 - lr * $1 }, rtol: 1e-3), "layer \(k) took a plain gradient step")
        }
    }

    /// The second step uses A₂ = ε₂A(w₀) + (1 − ε₂)A(w₁), ε₂ = min(1/2, stat_decay), and momentum
    /// v₂ = μΔ₁ + Δ₂; with update_interval 2 it keeps step 1's inverses (of A(w₀), G(w₀)).
    @Test(arguments: [1, 2])
    func secondStepAveragesTheFactorsAndReusesStaleInverses(interval: Int) {
        let (p, ref) = Self.tiny()
        let w0 = p.initialPoint(seed: 5), lr = 0.3, mu = 0.6, damping = 0.01, decay = 0.4
        let path = Self.run(p, ["lr=\(lr)", "momentum=\(mu)", "rescale=false", "damping=\(damping)", "stat_decay=\(decay)", "update_interval=\(interval)"],
                            steps: 2, start: w0)
        let s0 = ref.samples(w0), s1 = ref.samples(path[1])
        let eps = min(0.5, decay)
        for (k, l) in ref.layers.enumerated() {
            let a0 = Reference.second(s0[k].a), g0 = Reference.second(s0[k].g)
            let delta1 = Self.denseSolve(a: a0, g: g0, v: Reference.gradient(s0[k].a, s0[k].g), damping: damping, weightDecay: 0)
            let a = zip(a0, Reference.second(s1[k].a)).map { eps * $0 + (1 - eps) * $1 }
            let g = zip(g0, Reference.second(s1[k].g)).map { eps * $0 + (1 - eps) * $1 }
            let v1 = Reference.gradient(s1[k].a, s1[k].g)
            let delta2 = interval == 1 ? Self.denseSolve(a: a, g: g, v: v1, damping: damping, weightDecay: 0)
                                       : Self.denseSolve(a: a0, g: g0, v: v1, damping: damping, weightDecay: 0)
            let expected = (0..<delta2.count).map { Self.joined(path[1], l)[$0] - lr * (mu * delta1[$0] + delta2[$0]) }
            #expect(isClose(Self.joined(path[2], l), expected, rtol: 1e-9, atol: 1e-12), "layer \(k), T = \(interval)")
        }
    }

    /// `rescale`: the step is −αΔ with α = ∇ᵀΔ / (ΔᵀF_BΔ + (λ + η)‖Δ‖²), F_B the empirical Fisher
    /// (1/n) Σ ψ_b ψ_bᵀ of the per-sample gradients ψ_b = vec(g_b ā_bᵀ) of both layers, formed densely.
    @Test func rescaleUsesTheQuadraticModelsOptimum() {
        let (p, ref) = Self.tiny()
        let w0 = p.initialPoint(seed: 3), damping = 0.002, weightDecay = 0.001
        let path = Self.run(p, ["lr=1", "momentum=0", "rescale=true", "damping=\(damping)", "weight_decay=\(weightDecay)"],
                            steps: 1, start: w0)
        let stats = ref.samples(w0)
        var gradient: [Double] = [], delta: [Double] = [], start: [Double] = []
        var perSample = [[Double]](repeating: [], count: ref.n)
        for (k, l) in ref.layers.enumerated() {
            var v = Reference.gradient(stats[k].a, stats[k].g)
            let wk = Self.joined(w0, l)
            for e in v.indices { v[e] += weightDecay * wk[e] }
            gradient += v
            start += wk
            delta += Self.denseSolve(a: Reference.second(stats[k].a), g: Reference.second(stats[k].g), v: v, damping: damping,
                                     weightDecay: weightDecay)
            for b in 0..<ref.n { perSample[b] += Reference.gradient([stats[k].a[b]], [stats[k].g[b]]) }
        }
        func dotProduct(_ x: [Double], _ y: [Double]) -> Double { zip(x, y).reduce(0.0) { $0 + $1.0 * $1.1 } }
        let fisher = perSample.reduce(0.0) { $0 + dotProduct($1, delta) * dotProduct($1, delta) } / Double(ref.n)
        let alpha = dotProduct(gradient, delta) / (fisher + (damping + weightDecay) * dotProduct(delta, delta))
        #expect(alpha > 0 && abs(alpha - 1) > 0.05, "α = \(alpha) does not tell the rescaled step apart")
        let got = ref.layers.flatMap { Self.joined(path[1], $0) }
        #expect(isClose(got, zip(start, delta).map { $0 - alpha * $1 }, rtol: 1e-9, atol: 1e-12))
    }

    /// The fully-connected residual net (identity and projection shortcuts, the latter without
    /// a bias): every dense layer of the view, nested ones included, takes the step the dense
    /// Kronecker solve gives from that layer's inputs and output gradients (read from the view
    /// the step's gradient filled, whose rows are g_b/|B|).
    @Test func residualLayersArePreconditionedFromTheirViewStatistics() throws {
        let (x, y) = Self.data(9, features: 3, classes: 2, seed: 21)
        let identity: LayerSpec = .residual(body: [.dense(outputs: 4), .activation(.tanh), .dense(outputs: 4)], shortcut: nil, activation: .tanh)
        let projection: LayerSpec = .residual(body: [.dense(outputs: 3), .activation(.tanh), .dense(outputs: 3)],
                                              shortcut: [.dense(outputs: 3, bias: false)], activation: .tanh)
        let p = Self.problem([.dense(outputs: 4), identity, projection, .dense(outputs: 2)], x: x, y: y, features: 3, classes: 2, as: Double.self)
        let o = GradientOracle(p.makeRunObjective())
        let w0 = p.initialPoint(seed: 7), lr = 0.4, damping = 0.02
        let optimizer = try configured("kfac", ["lr=\(lr)", "rescale=false", "damping=\(damping)", "batch_size=9"]).float64
        let w1 = iterates(optimizer, oracle: o, start: w0, steps: 1)[1]
        let view = try #require(o.layers)
        #expect(view.layers.count == 7)
        #expect(view.layers.contains { $0.biasBlock == nil })
        for (k, layer) in view.layers.enumerated() {
            let (a, rows, n) = view.activations(k)
            let hasBias = layer.biasBlock != nil
            let inputs = (0..<n).map { b in Array(a[(b * layer.inputs)..<((b + 1) * layer.inputs)]) + (hasBias ? [1] : []) }
            let grads = (0..<n).map { b in (0..<layer.outputs).map { Double(n) * rows[b * layer.outputs + $0] } }
            let delta = Self.denseSolve(a: Reference.second(inputs), g: Reference.second(grads), v: Reference.gradient(inputs, grads),
                                        damping: damping, weightDecay: 0)
            let c = inputs[0].count, weight = p.layout.blocks[layer.weightBlock].offset
            for r in 0..<layer.outputs {
                for j in 0..<layer.inputs {
                    let e = weight + r * layer.inputs + j
                    #expect(isClose(w1[e], w0[e] - lr * delta[r * c + j], rtol: 1e-9, atol: 1e-12), "layer \(k) W(\(r), \(j))")
                }
                if let b = layer.biasBlock {
                    let e = p.layout.blocks[b].offset + r
                    #expect(isClose(w1[e], w0[e] - lr * delta[r * c + layer.inputs], rtol: 1e-9, atol: 1e-12), "layer \(k) b(\(r))")
                }
            }
        }
    }

    /// Damped inverses at sizes spanning several SIMD widths and GEMM tiles, against Gaussian
    /// elimination column by column.
    @Test(arguments: [1, 7, 40, 130])
    func dampedInverseMatchesGaussianElimination(n: Int) {
        var rng = Xoshiro256(seed: UInt64(n))
        let u = (0..<(n * (n / 2 + 1))).map { _ in rng.nextGaussian() }
        let m = n / 2 + 1
        // Rank-deficient for n > m: only the shift makes it invertible.
        var f = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n { for k in 0..<m { f[i * n + j] += u[i * m + k] * u[j * m + k] / Double(m) } } }
        var factor = KroneckerFactor<Double>(size: n)
        f.withUnsafeBufferPointer { factor.update(with: $0.baseAddress!, decay: 0) }
        var scratch = [Double](repeating: 0, count: KroneckerFactor<Double>.scratchCount(size: n))
        let shift = 0.05
        #expect(scratch.withUnsafeMutableBufferPointer { factor.invert(shift: shift, scratch: $0.baseAddress!) })
        var shifted = f
        for i in 0..<n { shifted[i * n + i] += shift }
        for column in 0..<n {
            let e = (0..<n).map { $0 == column ? 1.0 : 0 }
            let expected = gaussianEliminationSolve(shifted, e)
            let got = (0..<n).map { factor.inverse[$0 * n + column] }
            #expect(isClose(got, expected, rtol: 1e-9, atol: 1e-11), "n = \(n), column \(column)")
        }
    }

    /// A non-finite factor keeps the previous inverse instead of producing NaNs.
    @Test func nonFiniteFactorKeepsThePreviousInverse() {
        var factor = KroneckerFactor<Float>(size: 2)
        let bad: [Float] = [.nan, 0, 0, 1]
        bad.withUnsafeBufferPointer { factor.update(with: $0.baseAddress!, decay: 0) }
        var scratch = [Double](repeating: 0, count: KroneckerFactor<Float>.scratchCount(size: 2))
        #expect(!scratch.withUnsafeMutableBufferPointer { factor.invert(shift: 0.1, scratch: $0.baseAddress!) })
        #expect(factor.inverse == [1, 0, 0, 1])
    }

    /// Parameters outside dense layers (BatchNorm's scale and shift) take the plain step −lr·∇
    /// on the first step; the dense layers do not.
    @Test func normalisationParametersTakeThePlainStep() {
        let (x, y) = Self.data(12, features: 3, classes: 3, seed: 8)
        let specs: [LayerSpec] = [.dense(outputs: 5), .batchNorm, .activation(.tanh), .dense(outputs: 3)]
        let p = Self.problem(specs, x: x, y: y, features: 3, classes: 3, as: Double.self)
        let w0 = p.initialPoint(seed: 1), lr = 0.2
        let path = Self.run(p, ["lr=\(lr)"], steps: 1, start: w0)
        var g = [Double](repeating: 0, count: p.dimension)
        let all = Array(0..<p.sampleCount)
        w0.withUnsafeBufferPointer { wp in all.withUnsafeBufferPointer { s in g.withUnsafeMutableBufferPointer {
            p.sampleGradient(at: wp, samples: s, into: $0)
        } } }
        for block in p.layout.blocks {
            let plain = block.range.map { w0[$0] - lr * g[$0] }, got = Array(path[1][block.range])
            if block.role == .normScale || block.role == .normShift {
                #expect(isClose(got, plain, rtol: 1e-10, atol: 1e-13), "\(block.name)")
            } else {
                #expect(!isClose(got, plain, rtol: 1e-3), "\(block.name) took the plain step")
            }
        }
    }

    /// Each step is charged its mini-batch, |B|/n epochs, and nothing else: the statistics come
    /// from the charged backward pass.
    @Test func chargesOnlyTheMiniBatches() throws {
        let (x, y) = Self.data(50, features: 3, classes: 3, seed: 6)
        let p = Self.problem(Self.tinySpecs, x: x, y: y, features: 3, classes: 3, as: Double.self)
        let o = GradientOracle(p.makeRunObjective())
        _ = iterates(try rule("kfac", "batch_size=16", "rescale=true"), oracle: o, start: p.initialPoint(seed: 1), steps: 7)
        // 3 batches of 16 and one of 2 per pass of 50, then 16, 16, 16.
        #expect(o.charges.samples == 16 * 3 + 2 + 16 * 3)
        #expect(o.charges.full == 0 && o.charges.coordinates == 0)
    }

    /// Least squares has no layer view: the requirement names it, and a run started anyway takes
    /// no step and charges nothing.
    @Test func refusesAProblemWithoutLayers() throws {
        let f = TestLeastSquares<Double>.random(n: 16, d: 4)
        let o = oracle(f)
        let kfac = try configured("kfac", [])
        #expect(kfac.requirements.capabilities == .layers)
        let reason = try #require(kfac.requirements.incompatibility(optimizer: "kfac", problem: "least-squares", offered: o.capabilities))
        #expect(reason.contains("layer structure"), "\(reason)")
        let path = iterates(kfac.float64, oracle: o, start: [1, -1, 2, 0.5], steps: 3)
        #expect(path.last! == [1, -1, 2, 0.5])
        #expect(o.charges == EpochCharges())
        let (x, y) = Self.data(8, features: 3, classes: 3, seed: 1)
        let net = GradientOracle(Self.problem(Self.tinySpecs, x: x, y: y, features: 3, classes: 3, as: Double.self).makeRunObjective())
        #expect(kfac.requirements.incompatibility(optimizer: "kfac", problem: "mlp", offered: net.capabilities) == nil)
    }

    @Test func refusesParameterGroups() {
        #expect(throws: ConfigurationError.self) { try configured("kfac", [], groups: [ParameterGroup(selector: "bias", assignments: ["lr=0"])]) }
    }

    /// F after `epochs` epochs of `name` with batches of 32 from the same start.
    static func loss(after epochs: Int, _ name: String, _ settings: [String], _ p: NetworkProblem<Double>, seed: UInt64) -> Double {
        let o = GradientOracle(p.makeRunObjective())
        let optimizer = try! configured(name, settings + ["batch_size=32"]).float64
        let steps = epochs * ((p.sampleCount + 31) / 32)
        let w = iterates(optimizer, oracle: o, start: p.initialPoint(seed: seed), steps: steps, seed: seed).last!
        #expect(abs(o.epochs - Double(epochs)) < 1e-12)
        return p.loss(w)
    }

    /// An MLP on features whose scales span 100×: at equal epochs K-FAC with its defaults ends
    /// below SGD with momentum at the best of five learning rates, for each of three seeds.
    @Test(arguments: [1, 2, 3] as [UInt64])
    func beatsTunedSGDAtEqualEpochs(seed: UInt64) {
        let features = 8
        let scales = (0..<features).map { Math.pow(10, -1 + 2 * Double($0) / Double(features - 1)) }
        let (x, y) = Self.data(256, features: features, classes: 4, scales: scales, seed: 10 + seed)
        let specs: [LayerSpec] = [.dense(outputs: 16), .activation(.tanh), .dense(outputs: 4)]
        let p = Self.problem(specs, x: x, y: y, features: features, classes: 4, as: Double.self)
        let epochs = 8
        let kfac = Self.loss(after: epochs, "kfac", [], p, seed: seed)
        let sgd = [0.003, 0.01, 0.03, 0.1, 0.3].map { Self.loss(after: epochs, "sgd", ["lr=\($0)", "momentum=0.9"], p, seed: seed) }
        let best = sgd.filter(\.isFinite).min()!
        #expect(kfac < 0.8 * best, "K-FAC \(kfac) vs SGD \(sgd)")
    }

    /// Float32 runs (batch statistics and products in Float, factors in Double) go downhill and
    /// follow the float64 iterates to about Float's precision for a few steps.
    @Test func float32RunsAndAgreesWithFloat64() throws {
        let (x, y) = Self.data(64, features: 3, classes: 3, seed: 12)
        let p64 = Self.problem(Self.tinySpecs, x: x, y: y, features: 3, classes: 3, as: Double.self)
        let p32 = Self.problem(Self.tinySpecs, x: x, y: y, features: 3, classes: 3, as: Float.self)
        let optimizer = try configured("kfac", ["batch_size=16", "update_interval=2", "rescale=true"])
        let start = p64.initialPoint(seed: 4)
        let double = iterates(optimizer.float64, oracle: GradientOracle(p64.makeRunObjective()), start: start, steps: 6, seed: 9)
        let float = iterates(optimizer.float32, oracle: GradientOracle(p32.makeRunObjective()), start: start.map { Float($0) }, steps: 6, seed: 9)
        for (t, (f, d)) in zip(float, double).enumerated() {
            let worst = zip(f, d).map { abs(Double($0) - $1) }.max()!
            #expect(worst <= 1e-4 * max(1, d.map(abs).max()!), "step \(t): \(worst)")
        }
        let long = iterates(optimizer.float32, oracle: GradientOracle(p32.makeRunObjective()), start: start.map { Float($0) }, steps: 40, seed: 9)
        #expect(p32.loss(long.last!) < 0.7 * p32.loss(long[0]), "\(p32.loss(long[0])) → \(p32.loss(long.last!))")
    }

    /// Same seed, same iterates, bit for bit.
    @Test func isDeterministicUnderASeed() throws {
        let (x, y) = Self.data(40, features: 3, classes: 3, seed: 2)
        let p = Self.problem(Self.tinySpecs, x: x, y: y, features: 3, classes: 3, as: Double.self)
        func run() throws -> [[UInt64]] {
            iterates(try rule("kfac", "batch_size=8", "update_interval=3"), oracle: GradientOracle(p.makeRunObjective()),
                     start: p.initialPoint(seed: 1), steps: 12, seed: 42).map { $0.map(\.bitPattern) }
        }
        #expect(try run() == run())
    }
}
