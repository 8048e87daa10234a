import OptBenchCore
import OptBenchKernels
import Testing
import TestSupport

@testable import OptBenchProblems

/// The work behind the coordinate view's charge of 1/d epoch per partial: along a coordinate
/// descent path the linear models update their cached predictions column by column (O(n)) and
/// recompute them in full (O(nd)) only O(1) times per d steps; every partial stays the
/// gradient's component.
@Suite struct CoordinateCostTests {
    /// Cyclic coordinate descent w_j ← w_j − ∂_jF/L_j for `steps` steps through `view`,
    /// checking each partial against the full gradient.
    func descend<O: Objective>(
        _ f: O, _ view: CoordinateView<Double>, from start: [Double], steps: Int
    ) where O.Scalar == Double {
        var w = start
        let l = view.lipschitzConstants!
        for step in 0..<steps {
            let j = step % f.dimension
            let partial = view.partial(w, j)
            #expect(isClose(partial, f.lossAndGradient(w).1[j], rtol: 1e-9, atol: 1e-13), "step \(step)")
            w[j] -= partial / l[j]
        }
    }

    @Test func leastSquaresPathCostsO1FullRecomputationsPerDSteps() throws {
        let p = try concrete("least-squares", ["n=200", "d=20", "noise=0.5", "init=gaussian"], as: LeastSquares<Double>.self)
        let d = p.dimension, steps = 3 * d
        let cache = LinearPredictionCache(design: p.design)
        descend(p, p.coordinateView(cache: cache), from: p.initialPoint(seed: 1), steps: steps)
        // The first partial computes z = Xw; each later one sees one changed coordinate, and a
        // refresh after every d column updates bounds the drift.
        #expect(cache.fullRecomputations <= 1 + steps / d, "\(cache.fullRecomputations) full recomputations")
        #expect(cache.fullRecomputations + cache.columnUpdates == steps)
        #expect(cache.columnUpdates >= steps - 1 - steps / d)
    }

    @Test func logisticPathCostsO1FullRecomputationsPerDSteps() throws {
        let p = try concrete("logistic", ["n=150", "d=12", "reference=false", "init=gaussian"], as: LogisticRegression<Double>.self)
        let d = p.dimension, steps = 2 * d
        let cache = LinearPredictionCache(design: p.design)
        descend(p, p.coordinateView(cache: cache), from: p.initialPoint(seed: 2), steps: steps)
        #expect(cache.fullRecomputations <= 1 + steps / d)
        #expect(cache.fullRecomputations + cache.columnUpdates == steps)
    }

    @Test func aMoveOfEveryCoordinateIsOneFullRecomputation() throws {
        let p = try concrete("least-squares", ["n=50", "d=8", "noise=1", "init=gaussian"], as: LeastSquares<Double>.self)
        let cache = LinearPredictionCache(design: p.design)
        let view = p.coordinateView(cache: cache)
        var w = p.initialPoint(seed: 4)
        _ = view.partial(w, 0)
        _ = view.partial(w, 5)
        #expect(cache.fullRecomputations == 1 && cache.columnUpdates == 0)
        w = w.map { 0.9 * $0 }
        #expect(isClose(view.partial(w, 3), p.lossAndGradient(w).1[3], rtol: 1e-12))
        #expect(cache.fullRecomputations == 2 && cache.columnUpdates == 0)
    }

    /// The cache allocates nothing until a partial is asked for: building the view for every
    /// run (as the oracle does, GD runs included) costs O(1).
    @Test func viewsAreLazyAndPerRun() throws {
        let p = try float64("least-squares", ["n=40", "d=6", "init=gaussian"])
        let a = try #require(p.makeObjective().coordinates()), b = try #require(p.makeObjective().coordinates())
        let f = p.makeObjective()
        let u = p.initialPoint(seed: 1), v = p.initialPoint(seed: 2)
        // Interleaved runs at different points each get their own predictions.
        for j in 0..<6 {
            #expect(isClose(a.partial(u, j), f.lossAndGradient(u).1[j], rtol: 1e-12, atol: 1e-15))
            #expect(isClose(b.partial(v, j), f.lossAndGradient(v).1[j], rtol: 1e-12, atol: 1e-15))
        }
        let ls = try #require(p.base as? LeastSquares<Double>)
        let cache = LinearPredictionCache(design: ls.design)
        _ = ls.coordinateView(cache: cache)
        #expect(cache.fullRecomputations == 0 && cache.columnUpdates == 0)
    }

    @Test func float32PathMatchesTheGradientToItsPrecision() throws {
        let p = try concrete("least-squares", ["n=120", "d=10", "noise=0.3", "init=gaussian", "dtype=float32"], as: LeastSquares<Float>.self)
        let cache = LinearPredictionCache(design: p.design)
        let view = p.coordinateView(cache: cache)
        var w = p.initialPoint(seed: 5)
        let l = view.lipschitzConstants!
        for step in 0..<40 {
            let j = step % 10
            let g = p.lossAndGradient(w).1
            let scale = g.reduce(0) { max($0, abs($1)) }
            let partial = view.partial(w, j)
            #expect(abs(partial - g[j]) <= 1e-4 * max(scale, 1e-3), "step \(step)")
            w[j] -= partial / Float(l[j])
        }
        #expect(cache.fullRecomputations <= 1 + 40 / 10)
    }
}
