import OptBenchKernels
import TestSupport
import Testing

/// The adaptive rules' shared pieces against their definitions, and the fused pass against a
/// plain loop over entries.
@Suite struct MomentsTests {
    func checkAverages<T: KernelScalar>(_: T.Type) {
        let n = T.lanes
        let a: [T] = uniformArray(n, seed: 18), x: [T] = uniformArray(n, seed: 17)
        let average = MovingAverage<T>(decay: 0.9)
        let av = T.Vector(a), xv = T.Vector(x)
        let mean = average(av, xv), squares = average.squares(av, xv)
        for i in 0..<n {
            let wantMean = 0.9 * Double(a[i]) + 0.1 * Double(x[i])
            let wantSquares = 0.9 * Double(a[i]) + 0.1 * Double(x[i]) * Double(x[i])
            let bound = Double(abs(a[i]) + abs(x[i]) + x[i] * x[i])
            #expect(abs(Double(mean[i]) - wantMean) <= 8 * Double(T.ulpOfOne) * bound, "lane \(i)")
            #expect(abs(Double(squares[i]) - wantSquares) <= 8 * Double(T.ulpOfOne) * bound, "lane \(i)")
        }
    }

    @Test func movingAveragesFollowTheirDefinition() {
        checkAverages(Float.self)
        checkAverages(Double.self)
    }

    /// 1 − βᵗ against 1 − β·β⋯β multiplied out, and its inverse and inverse root.
    @Test func biasCorrectionIsOneMinusTheDecayToTheStep() {
        for beta in [0.0, 0.5, 0.9, 0.999] {
            var power = 1.0
            for t in 1...50 {
                power *= beta
                let c = BiasCorrection(decay: beta, step: t)
                #expect(abs(c.factor - (1 - power)) <= 1e-14, "β \(beta), t \(t)")
                #expect(abs(c.inverse * (1 - power) - 1) <= 1e-12)
                #expect(abs(c.inverseSquareRoot * c.inverseSquareRoot * (1 - power) - 1) <= 1e-12)
            }
        }
        #expect(BiasCorrection(decay: 0, step: 1).factor == 1)
    }

    func checkMaximum<T: KernelScalar>(_: T.Type) {
        let a = (uniformArray(T.lanes, of: T.self, seed: 3)).map(abs), b = (uniformArray(T.lanes, of: T.self, seed: 4)).map(abs)
        let m = T.maximumOfNonNegative(T.Vector(a), T.Vector(b))
        for i in 0..<T.lanes { #expect(m[i] == max(a[i], b[i])) }
        var withNaN = T.Vector(a)
        withNaN[1] = .nan
        #expect(T.maximumOfNonNegative(withNaN, T.Vector(b))[1].isNaN)
        #expect(T.maximumOfNonNegative(T.Vector(b), withNaN)[1].isNaN)
    }

    @Test func runningMaximumIsTheMaximumAndKeepsNaN() {
        checkMaximum(Float.self)
        checkMaximum(Double.self)
    }

    /// A step that mixes θ, g and two rows differently per row, run through the fused pass and
    /// entry by entry: any wrong offset, row stride or tail lane shows.
    struct MixingStep<Scalar: KernelScalar>: MomentUpdate {
        func callAsFunction(_ w: inout Scalar.Vector, _ g: Scalar.Vector, _ s: MomentLanes<Scalar>) {
            let a = s[0] + g
            let b = 2 * s[1] + w
            s[0] = a
            s[1] = b
            w = w + a - 0.5 * b
        }
    }

    static func reference<T: KernelScalar>(_ w: inout [T], _ g: [T], _ rows: inout [[T]]) {
        for i in w.indices {
            let a = rows[0][i] + g[i]
            let b = 2 * rows[1][i] + w[i]
            rows[0][i] = a
            rows[1][i] = b
            w[i] = w[i] + a - 0.5 * b
        }
    }

    static func checkPass<T: KernelScalar>(_: T.Type, _ n: Int, steps: Int = 3) {
        var w: [T] = uniformArray(n, seed: 21), want = w
        let g: [T] = uniformArray(n, seed: 22)
        var buffers = MomentBuffers<T>(count: n, rows: 2, initialValue: 0.25)
        var rows = [[T]](repeating: .init(repeating: 0.25, count: n), count: 2)
        for _ in 0..<steps {
            w.withUnsafeMutableBufferPointer { wp in
                g.withUnsafeBufferPointer { gp in buffers.update(wp, gradient: gp, MixingStep<T>()) }
            }
            reference(&want, g, &rows)
        }
        #expect(w == want, "n \(n)")
        for r in 0..<2 {
            #expect((0..<n).map { buffers[r, $0] } == rows[r], "n \(n), row \(r)")
        }
    }

    @Test(arguments: awkwardLengths)
    func fusedPassMatchesAnEntryByEntryLoop(n: Int) {
        Self.checkPass(Float.self, n)
        Self.checkPass(Double.self, n)
    }

    /// Past 2¹⁶ entries the pass runs on all cores; every entry still gets the serial result.
    @Test func parallelPassMatchesAnEntryByEntryLoop() {
        Self.checkPass(Float.self, (1 << 20) + 37, steps: 2)
        Self.checkPass(Double.self, (1 << 20) + 5, steps: 2)
        Self.checkPass(Float.self, (1 << 16) + 37, steps: 2)
        Self.checkPass(Double.self, (1 << 16) + 5, steps: 2)
    }

    @Test func buffersStartAtTheirInitialValue() {
        let b = MomentBuffers<Float>(count: 5, rows: 3, initialValue: 0.5)
        #expect(b.count == 5 && b.rows == 3)
        for r in 0..<3 { for i in 0..<5 { #expect(b[r, i] == 0.5) } }
    }
}
