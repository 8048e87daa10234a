import OptBenchKernels
import Testing

/// Expects |got − want| ≤ 2(ops + 2)·ε·bound entrywise: the forward error bound of any
/// summation order of `ops` rounded terms whose absolute values sum to `bound` (the reference
/// is itself rounded, hence the factor 2).
func expectClose<T: KernelScalar>(
    _ got: [T], _ want: [T], bound: [T], ops: Int, _ comment: @autoclosure () -> String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(got.count == want.count, sourceLocation: sourceLocation)
    let factor = T(2 * (ops + 2)) * T.ulpOfOne
    var worst = 0
    var worstExcess: T = 0
    for i in got.indices {
        let excess = abs(got[i] - want[i]) - factor * bound[i]
        if !(excess <= T.leastNormalMagnitude) && (excess > worstExcess || got[i].isNaN) {
            worst = i
            worstExcess = got[i].isNaN ? .infinity : excess
        }
    }
    #expect(worstExcess == 0, "entry \(worst): got \(got[worst]), want \(want[worst]) \(comment())",
            sourceLocation: sourceLocation)
}

/// Scalar form of `expectClose`.
func expectClose<T: KernelScalar>(
    _ got: T, _ want: T, bound: T, ops: Int, _ comment: @autoclosure () -> String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) {
    expectClose([got], [want], bound: [bound], ops: ops, comment(), sourceLocation: sourceLocation)
}

/// Lengths that straddle every vector width and unroll factor: 0…67 around multiples of 8, 16,
/// 32, 64, plus primes and a few long ones.
let awkwardLengths = [0, 1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 63, 64, 65, 67, 97, 128, 257, 1031]
