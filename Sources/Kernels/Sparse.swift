// Sparse–dense level-1 kernels for one sparse row given as (index, value) pairs, the shape
// of a sample gradient in a generalised linear model.
//
// Gathers and scatters do not vectorise profitably here; the dot keeps four scalar
// accumulators (entry i goes to accumulator i mod 4) to break the dependency chain, summed as
// `(s₀ + s₁) + (s₂ + s₃)`.

/// Returns Σₖ valuesₖ · y[indicesₖ] for `nnz` (index, value) pairs.
/// - Complexity: O(nnz).
@inlinable
public func sparseDot<T: KernelScalar>(
    _ nnz: Int, _ indices: UnsafePointer<Int32>, _ values: UnsafePointer<T>, _ y: UnsafePointer<T>
) -> T {
    var s0: T = 0, s1: T = 0, s2: T = 0, s3: T = 0
    var k = 0
    while k + 4 <= nnz {
        s0 = s0.addingProduct(values[k], y[Int(indices[k])])
        s1 = s1.addingProduct(values[k + 1], y[Int(indices[k + 1])])
        s2 = s2.addingProduct(values[k + 2], y[Int(indices[k + 2])])
        s3 = s3.addingProduct(values[k + 3], y[Int(indices[k + 3])])
        k += 4
    }
    while k < nnz {
        s0 = s0.addingProduct(values[k], y[Int(indices[k])])
        k += 1
    }
    return (s0 + s1) + (s2 + s3)
}

/// y[indicesₖ] ← y[indicesₖ] + α · valuesₖ for k in 0..<nnz, in order (repeated indices
/// accumulate).
/// - Complexity: O(nnz).
@inlinable
public func sparseAXPY<T: KernelScalar>(
    _ nnz: Int, _ alpha: T, _ indices: UnsafePointer<Int32>, _ values: UnsafePointer<T>,
    _ y: UnsafeMutablePointer<T>
) {
    for k in 0..<nnz {
        let j = Int(indices[k])
        y[j] = y[j].addingProduct(alpha, values[k])
    }
}
