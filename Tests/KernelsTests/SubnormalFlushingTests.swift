import OptBenchKernels
import TestSupport
import Testing

/// `withSubnormalsFlushedToZero` and the optimizers' state pass that runs inside it.
@Suite struct SubnormalFlushingTests {
    /// x ∘ h on runtime values: products of the smallest normals by factors in [0.25, 0.75).
    static func halved<T: KernelScalar>(_: T.Type) -> (x: [T], h: [T]) {
        let u: [T] = uniformArray(64, seed: 51)
        return ([T](repeating: T.leastNormalMagnitude, count: 64), u.map { 0.25 + $0 / 2 })
    }

    func checkScope<T: KernelScalar>(_: T.Type) {
        let (x, h) = Self.halved(T.self)
        let before = zip(x, h).map { $0 * $1 }
        #expect(before.allSatisfy { $0.isSubnormal }, "outside the scope the products are subnormal")
        let inside = withSubnormalsFlushedToZero { zip(x, h).map { $0 * $1 } }
        #expect(inside.allSatisfy { $0 == 0 }, "inside they are flushed")
        // A subnormal operand counts as zero inside: 2⁻¹²⁷ (float32) + 0 is 0.
        let sub = before[0]
        #expect(withSubnormalsFlushedToZero { sub + h[0] * 0 } == 0)
        // Normal arithmetic is untouched, and the mode is restored afterwards.
        #expect(withSubnormalsFlushedToZero { x[0] * 4 } == x[0] * 4)
        #expect(zip(x, h).map { $0 * $1 } == before, "the previous mode is restored")
    }

    @Test func subnormalsAreFlushedInsideTheScopeOnly() {
        #if arch(x86_64)
        checkScope(Float.self)
        checkScope(Double.self)
        #endif
    }

    /// Each state row multiplied by g: started at the smallest normal, one step by g < 1 would be
    /// subnormal; the pass stores 0 and θ = θ·g becomes 0 too.
    struct ScalingStep<Scalar: KernelScalar>: MomentUpdate {
        func callAsFunction(_ w: inout Scalar.Vector, _ g: Scalar.Vector, _ s: MomentLanes<Scalar>) {
            s[0] = s[0] * g
            w = w * g
        }
    }

    func checkPass<T: KernelScalar>(_: T.Type, count n: Int) {
        let u: [T] = uniformArray(n, seed: 52)
        let g = u.map { 0.25 + $0 / 2 }
        var w = [T](repeating: T.leastNormalMagnitude, count: n)
        var buffers = MomentBuffers<T>(count: n, rows: 1, initialValue: T.leastNormalMagnitude)
        w.withUnsafeMutableBufferPointer { wp in g.withUnsafeBufferPointer { buffers.update(wp, gradient: $0, ScalingStep<T>()) } }
        #expect((0..<n).allSatisfy { buffers[0, $0] == 0 }, "n \(n): the decayed moments are stored as 0")
        #expect(w.allSatisfy { $0 == 0 }, "n \(n)")
        #expect(T.leastNormalMagnitude * g[0] != 0, "outside the pass the same product is subnormal")
    }

    @Test func theMomentPassFlushesSubnormals() {
        #if arch(x86_64)
        for n in [37, (1 << 16) + 37] {
            checkPass(Float.self, count: n)
            checkPass(Double.self, count: n)
        }
        #endif
    }
}
