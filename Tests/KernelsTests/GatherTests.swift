import OptBenchKernels
import TestSupport
import Testing

/// `gatherRows` against an index-by-index copy, below and above the batch size it splits at,
/// with repeated and extreme indices.
@Suite struct GatherTests {
    func check<T: KernelScalar>(_: T.Type, rows: Int, rowLength: Int, batch: Int) {
        let source: [T] = uniformArray(rows * rowLength, seed: 41)
        var rng = Xoshiro256(seed: 42)
        var indices = (0..<batch).map { _ in rng.nextInt(below: rows) }
        indices[0] = rows - 1
        if batch > 2 { indices[1] = 0; indices[2] = 0 }
        var out = [T](repeating: .nan, count: batch * rowLength)
        source.withUnsafeBufferPointer { s in
            indices.withUnsafeBufferPointer { i in out.withUnsafeMutableBufferPointer { gatherRows(s.baseAddress!, rowLength: rowLength, indices: i, into: $0.baseAddress!) } }
        }
        var want: [T] = []
        for i in indices { want += source[(i * rowLength)..<((i + 1) * rowLength)] }
        #expect(out == want, "rows \(rows), length \(rowLength), batch \(batch)")
    }

    @Test(arguments: [(50, 7, 1), (50, 7, 13), (3000, 784, 128), (600, 65, 257)])
    func gatheredRowsAreTheIndexedRows(rows: Int, rowLength: Int, batch: Int) {
        check(Float.self, rows: rows, rowLength: rowLength, batch: batch)
        check(Double.self, rows: rows, rowLength: rowLength, batch: batch)
    }
}
