import OptBenchKernels
import TestSupport
import Testing

/// dot, axpy, axpby, scal and fill against the reference loops, at misaligned offsets.
@Suite struct VectorTests {
    func checkDot<T: KernelScalar>(_: T.Type, _ n: Int, offset: Int) {
        let x: [T] = uniformArray(n + offset, seed: 1), y: [T] = uniformArray(n + offset, seed: 2)
        let got = x.withUnsafeBufferPointer { px in
            y.withUnsafeBufferPointer { py in dot(n, px.baseAddress! + offset, py.baseAddress! + offset) }
        }
        let xs = Array(x[offset...]), ys = Array(y[offset...])
        expectClose(got, naiveDot(xs, ys), bound: naiveAbsDot(xs, ys), ops: n, "n=\(n)")
    }

    @Test(arguments: awkwardLengths)
    func dotMatchesReference(n: Int) {
        for offset in [0, 1, 3] {
            checkDot(Float.self, n, offset: offset)
            checkDot(Double.self, n, offset: offset)
        }
    }

    func checkUpdates<T: KernelScalar>(_: T.Type, _ n: Int) {
        let x: [T] = uniformArray(n + 1, seed: 3), y0: [T] = uniformArray(n + 1, seed: 4)
        let alpha: T = 0.75, beta: T = -1.25
        let bound = (0..<n).map { abs(alpha * x[$0 + 1]) + abs(beta * y0[$0 + 1]) }
        let xs = Array(x[1...])

        var y = y0
        x.withUnsafeBufferPointer { px in y.withUnsafeMutableBufferPointer { axpy(n, alpha, px.baseAddress! + 1, $0.baseAddress! + 1) } }
        var want = Array(y0[1...])
        naiveAxpy(alpha, xs, &want)
        expectClose(Array(y[1...]), want, bound: bound, ops: 1, "axpy n=\(n)")
        #expect(y[0] == y0[0])

        y = y0
        x.withUnsafeBufferPointer { px in y.withUnsafeMutableBufferPointer { axpby(n, alpha, px.baseAddress! + 1, beta, $0.baseAddress! + 1) } }
        want = Array(y0[1...])
        naiveAxpby(alpha, xs, beta, &want)
        expectClose(Array(y[1...]), want, bound: bound, ops: 1, "axpby n=\(n)")

        var nanY = [T](repeating: .nan, count: n)
        xs.withUnsafeBufferPointer { px in nanY.withUnsafeMutableBufferPointer { axpby(n, alpha, px.baseAddress!, 0, $0.baseAddress!) } }
        #expect(nanY == xs.map { alpha * $0 }, "β = 0 must not read y")

        y = y0
        y.withUnsafeMutableBufferPointer { scal(n, alpha, $0.baseAddress! + 1) }
        #expect(Array(y[1...]) == y0[1...].map { alpha * $0 })

        y = y0
        y.withUnsafeMutableBufferPointer { fill(n, alpha, $0.baseAddress! + 1) }
        #expect(Array(y[1...]) == [T](repeating: alpha, count: n))
    }

    @Test(arguments: awkwardLengths)
    func updatesMatchReference(n: Int) {
        checkUpdates(Float.self, n)
        checkUpdates(Double.self, n)
    }

    @Test func keepsTheDoubleContractSignatures() {
        var x: [Double] = [1, 2, 3], y: [Double] = [4, 5, 6]
        let d: Double = dot(3, x, y)
        #expect(d == 32)
        axpy(3, 2.0, x, &y)
        #expect(y == [6, 9, 12])
        scal(3, 0.5, &x)
        #expect(x == [0.5, 1, 1.5])
    }
}
