import OptBenchKernels
import TestSupport
import Testing

/// Sparse-row dot and AXPY, including repeated and unsorted indices.
@Suite struct SparseTests {
    func check<T: KernelScalar>(_: T.Type, nnz: Int, dimension: Int) {
        var rng = Xoshiro256(seed: UInt64(nnz))
        let indices = (0..<nnz).map { _ in Int32(rng.nextInt(below: dimension)) }
        let values: [T] = uniformArray(nnz, seed: 15), y0: [T] = uniformArray(dimension, seed: 16)
        let got = sparseDot(nnz, indices, values, y0)
        let terms = (0..<nnz).map { values[$0] * y0[Int(indices[$0])] }
        expectClose(got, naiveSparseDot(indices, values, y0), bound: terms.reduce(0) { $0 + abs($1) }, ops: nnz)

        var y = y0, want = y0
        sparseAXPY(nnz, -2, indices, values, &y)
        naiveSparseAXPY(-2, indices, values, &want)
        let bound = (0..<dimension).map { j in
            abs(y0[j]) + indices.indices.filter { Int(indices[$0]) == j }.reduce(0) { $0 + 2 * abs(values[$1]) }
        }
        expectClose(y, want, bound: bound, ops: nnz, "sparseAXPY nnz=\(nnz)")
    }

    @Test(arguments: [0, 1, 3, 4, 5, 17, 67])
    func sparseKernelsMatchReference(nnz: Int) {
        check(Float.self, nnz: nnz, dimension: 23)
        check(Double.self, nnz: nnz, dimension: 23)
    }
}
