import Foundation
import OptBenchKernels
import OptBenchLinearAlgebra
import Testing
import TestSupport

/// Q·diag(λ)·Qᵀ for a seeded random orthogonal Q, with Q's rows as the eigenvectors.
func matrixWithSpectrum(_ lambda: [Double], seed: UInt64) -> (a: [Double], q: [Double]) {
    let d = lambda.count
    var rng = Xoshiro256(seed: seed)
    let q = orthonormalRows(count: d, length: d, rng: &rng)
    var a = [Double](repeating: 0, count: d * d)
    for k in 0..<d {
        for i in 0..<d {
            for j in 0..<d { a[i * d + j] += lambda[k] * q[k * d + i] * q[k * d + j] }
        }
    }
    return (a, q)
}

/// max over k of ‖A·q_k − λ_k·q_k‖.
func worstResidual(_ a: [Double], _ e: SymmetricEigen) -> Double {
    let d = e.dimension
    var worst = 0.0
    for k in 0..<d {
        let q = Array(e.eigenvector(k))
        var r = 0.0
        for i in 0..<d {
            var s = -e.eigenvalues[k] * q[i]
            for j in 0..<d { s += a[i * d + j] * q[j] }
            r += s * s
        }
        worst = max(worst, r.squareRoot())
    }
    return worst
}

@Suite struct SymmetricEigenTests {
    @Test func recoversPrescribedSpectrumOfRandomRotation() {
        let lambda = [9.0, 5, 3.5, 3.5, 1, 0.25, 1e-3, -2]
        let (a, q) = matrixWithSpectrum(lambda, seed: 3)
        let e = SymmetricEigen(symmetric: a, dimension: lambda.count, computeVectors: true)
        #expect(isClose(e.eigenvalues, lambda, rtol: 0, atol: 1e-13))
        #expect(worstResidual(a, e) < 1e-12)
        // Simple eigenvalues have their eigenvector up to sign.
        let d = lambda.count
        for k in [0, 1, 4, 7] {
            let c = (0..<d).reduce(0.0) { $0 + e.eigenvector(k)[k * d + $1] * q[k * d + $1] }
            #expect(abs(abs(c) - 1) < 1e-12)
        }
    }

    @Test func eigenvectorsAreOrthonormal() {
        let d = 30
        let lambda = (0..<d).map { 1 / Double($0 + 1) }
        let (a, _) = matrixWithSpectrum(lambda, seed: 8)
        let e = SymmetricEigen(symmetric: a, dimension: d, computeVectors: true)
        let q = e.eigenvectors!
        for i in 0..<d {
            for j in 0..<d {
                let g = (0..<d).reduce(0.0) { $0 + q[i * d + $1] * q[j * d + $1] }
                #expect(abs(g - (i == j ? 1 : 0)) < 1e-13)
            }
        }
        #expect(isClose(e.eigenvalues, lambda, rtol: 0, atol: 1e-14))
    }

    @Test func valuesOnlyMatchesValuesWithVectors() {
        let lambda = (0..<25).map { sin(Double($0)) * 3 }
        let (a, _) = matrixWithSpectrum(lambda, seed: 1)
        let with = SymmetricEigen(symmetric: a, dimension: 25, computeVectors: true)
        let without = SymmetricEigen(symmetric: a, dimension: 25)
        #expect(without.eigenvectors == nil)
        #expect(isClose(with.eigenvalues, without.eigenvalues, rtol: 0, atol: 1e-13))
        #expect(isClose(without.eigenvalues, lambda.sorted(by: >), rtol: 0, atol: 1e-13))
    }

    @Test func diagonalMatrixGivesItsEntriesSorted() {
        let diag = [3.0, -1, 7, 0, 2]
        var a = [Double](repeating: 0, count: 25)
        for i in 0..<5 { a[i * 5 + i] = diag[i] }
        let e = SymmetricEigen(symmetric: a, dimension: 5, computeVectors: true)
        #expect(e.eigenvalues == diag.sorted(by: >))
        #expect(worstResidual(a, e) == 0)
    }

    @Test func twoByTwoClosedForm() {
        let (p, q, r) = (2.0, 1.5, -1.0)  // [[p, q], [q, r]]
        let mean = (p + r) / 2, radius = ((p - r) * (p - r) / 4 + q * q).squareRoot()
        let e = SymmetricEigen(symmetric: [p, q, q, r], dimension: 2, computeVectors: true)
        #expect(isClose(e.eigenvalues, [mean + radius, mean - radius], rtol: 1e-15))
        #expect(worstResidual([p, q, q, r], e) < 1e-15)
    }

    @Test func tridiagonalToeplitzHasCosineEigenvalues() {
        let n = 40
        let expected = (1...n).map { 2 - 2 * cos(Double($0) * Double.pi / Double(n + 1)) }.sorted(by: >)
        let tri = SymmetricEigen(tridiagonal: [Double](repeating: 2, count: n), offDiagonal: [Double](repeating: -1, count: n - 1))
        #expect(isClose(tri.eigenvalues, expected, rtol: 0, atol: 1e-13))
        var a = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            a[i * n + i] = 2
            if i > 0 { a[i * n + i - 1] = -1; a[(i - 1) * n + i] = -1 }
        }
        let dense = SymmetricEigen(symmetric: a, dimension: n, computeVectors: true)
        #expect(isClose(dense.eigenvalues, expected, rtol: 0, atol: 1e-13))
        #expect(worstResidual(a, dense) < 1e-13)
    }

    @Test func emptyAndOneByOne() {
        #expect(SymmetricEigen(symmetric: [], dimension: 0).eigenvalues.isEmpty)
        let e = SymmetricEigen(symmetric: [4], dimension: 1, computeVectors: true)
        #expect(e.eigenvalues == [4])
        #expect(e.eigenvectors == [1])
    }
}

@Suite struct LanczosTests {
    @Test func extremesMatchExactSolver() {
        let d = 120
        var rng = Xoshiro256(seed: 5)
        let lambda = (0..<d).map { _ in rng.nextUniform() * 10 - 1 }
        let (a, _) = matrixWithSpectrum(lambda, seed: 6)
        let exact = SymmetricEigen(symmetric: a, dimension: d)
        let r = a.withUnsafeBufferPointer { ap in
            Lanczos.extremeEigenvalues(dimension: d, tolerance: 1e-10, seed: 1) { v, out in
                gemv(.none, d, d, 1, ap.baseAddress!, d, v, 0, out)
            }
        }
        #expect(r.converged)
        #expect(abs(r.largest - exact.eigenvalues.first!) < 1e-8)
        #expect(abs(r.smallest - exact.eigenvalues.last!) < 1e-8)
        #expect(r.steps <= d)
    }

    @Test func findsInvariantSubspaceOfFewDistinctEigenvalues() {
        // Three distinct eigenvalues: the Krylov space is invariant after three steps.
        let lambda = [Double](repeating: 4, count: 10) + [Double](repeating: 2, count: 10) + [Double](repeating: 0.5, count: 10)
        let (a, _) = matrixWithSpectrum(lambda, seed: 2)
        let r = a.withUnsafeBufferPointer { ap in
            Lanczos.extremeEigenvalues(dimension: 30, seed: 3) { v, out in gemv(.none, 30, 30, 1, ap.baseAddress!, 30, v, 0, out) }
        }
        #expect(r.converged)
        #expect(r.steps <= 4)
        #expect(abs(r.largest - 4) < 1e-12 && abs(r.smallest - 0.5) < 1e-12)
    }

    @Test func diagonalOperator() {
        let d = 500
        let r = Lanczos.extremeEigenvalues(dimension: d, maxSteps: d, seed: 0) { v, out in
            for i in 0..<d { out[i] = Double(i + 1) * v[i] }
        }
        #expect(abs(r.largest - Double(d)) < 1e-7 * Double(d))
        #expect(abs(r.smallest - 1) < 1e-7 * Double(d))
    }
}
