import OptBenchCatalog
import OptBenchCore
import OptBenchHarness
import OptBenchKernels
import OptBenchOptimizers
import Testing
import TestSupport

/// The modern rules against their references' float64 iterates (Tests/Fixtures/modern: torch.optim,
/// the authors' packages and files, 60 steps on Rosenbrock, w⁷ and a 4 × 5 linear regression),
/// through the registered entry with the fixture's hyper-parameter words, as a user would set them.
@Suite struct ModernReferenceTests {
    /// Iterates agree to `relative` (and `absolute` where a coordinate crosses 0); rules whose
    /// reference computes an eigendecomposition or a long product get a looser bound, said here.
    /// soap: its basis comes from eigendecompositions (and QR) of rank-deficient factors (the first
    /// real step projects the gradient that made Q, so the null-space entries are rounding noise
    /// that Adam divides by ~eps): rounding-level differences from LAPACK's eigh/QR reach 1e-9
    /// relative in the iterates and the final loss.
    static let tolerances: [String: (relative: Double, absolute: Double)] = [
        "soap": (1e-8, 1e-10),
        // shampoo: root inverses weight the factors' smallest eigenvalues by ε^(−1/2k); with
        // epsilon 1e-6 on a barely full-rank bias factor (matrix, betas=0.0,0.99) the eigensolver's
        // absolute error (ε_mach·‖F‖, tql2 here, LAPACK there) reaches 1e-7 relative in the iterates.
        "shampoo": (1e-6, 1e-9),
    ]

    static let registered = ModernFixture.all.filter { (try? Catalog.standard.optimizer(named: $0.optimizer)) != nil }

    @Test(arguments: registered)
    func iteratesMatchTheReference(_ fixture: ModernFixture) throws {
        let entry = try Catalog.standard.optimizer(named: fixture.optimizer)
        let optimizer = try entry.make(fixture.hyperParameters).float64
        let objective = fixture.objective()
        let oracle = GradientOracle(objective: objective)
        let run = optimizer.start(on: oracle, seed: 1)
        let tolerance = Self.tolerances[fixture.optimizer] ?? (1e-10, 1e-12)
        var w = fixture.iterates[0]
        var point = w
        for t in 1..<fixture.iterates.count {
            w.withUnsafeMutableBufferPointer { run.step($0) }
            let (index, ratio) = worstMismatch(w, fixture.iterates[t], rtol: tolerance.relative, atol: tolerance.absolute)
            guard ratio <= 1 else {
                Issue.record("\(fixture) step \(t): w[\(index)] = \(w[index]), reference \(fixture.iterates[t][index])")
                return
            }
            if let reference = fixture.evaluationPoints[t] {
                let moved = w.withUnsafeBufferPointer { w in point.withUnsafeMutableBufferPointer { run.evaluationPoint(w, into: $0) } }
                let e = moved ? point : w
                let (j, r) = worstMismatch(e, reference, rtol: tolerance.relative, atol: tolerance.absolute)
                guard r <= 1 else {
                    Issue.record("\(fixture) step \(t): evaluation point [\(j)] = \(e[j]), reference \(reference[j])")
                    return
                }
            }
        }
        let f0 = fixture.losses[0], loss = objective.loss(w)
        #expect(abs(loss - fixture.losses.last!) <= max(max(1e-10, tolerance.relative) * abs(loss), 1e-12 * f0), "\(fixture): loss \(loss)")
    }
}

/// The loader reads every configuration of the fixtures whole: 43, 45 and 52 of them, 61 rows
/// each, the matrix start F(W0, b0) as the README states it.
@Test func modernFixturesArePresent() {
    let counts = ["rosenbrock", "w7", "matrix"].map { p in ModernFixture.all.filter { $0.problem == p }.count }
    #expect(counts == [43, 45, 52])
    for f in ModernFixture.all {
        #expect(f.iterates.count == 61 && f.losses.count == 61, "\(f)")
        #expect(abs(f.objective().loss(f.iterates[0]) - f.losses[0]) <= 1e-14 * f.losses[0], "\(f)")
    }
    #expect(abs(MatrixFixture.shared.objective().loss(MatrixFixture.shared.start) - 7.3078616010457642) <= 1e-14 * 7.3)
}

/// Every rule with reference iterates is in the catalog, so none of them is skipped above.
@Test func everyFixtureRuleIsRegistered() {
    let missing = Set(ModernFixture.all.map(\.optimizer)).filter { (try? Catalog.standard.optimizer(named: $0)) == nil }
    #expect(missing.isEmpty, "\(missing.sorted())")
    #expect(ModernReferenceTests.registered.count == ModernFixture.all.count)
}
