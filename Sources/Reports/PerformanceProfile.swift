// Performance profiles and AlgoPerf's integrated score. Uses only the standard library.

/// A performance profile (Dolan & Moré, 2002, "Benchmarking optimization software with
/// performance profiles", Math. Programming 91:201–213) of S solvers on P problems.
///
/// From costs c_{p,s} > 0 (epochs or seconds to ε; +∞ for a failure):
///
///     r_{p,s} = c_{p,s} / min_{s'} c_{p,s'}                       performance ratio, ≥ 1
///     ρ_s(τ)  = |{p : r_{p,s} ≤ τ}| / P                            fraction within τ of the best
///
/// ρ_s is a right-continuous step function, non-decreasing from ρ_s(1) (the fraction of problems
/// where s is best, ties included) to the fraction it solves at all. A failure has r = +∞ and
/// never counts; a problem that no solver solves has r = +∞ for every solver.
public struct PerformanceProfile: Sendable, Hashable {
    public let solvers: [String]
    /// r[p][s], the performance ratios.
    public let ratios: [[Double]]

    /// - Parameters:
    ///   - costs: cost[problem][solver], each > 0 or +∞.
    ///   - solvers: one name per column.
    public init(costs: [[Double]], solvers: [String]) {
        precondition(!costs.isEmpty, "a performance profile needs at least one problem")
        precondition(!solvers.isEmpty, "a performance profile needs at least one solver")
        for (p, row) in costs.enumerated() {
            precondition(row.count == solvers.count, "problem \(p) has \(row.count) costs for \(solvers.count) solvers")
            for c in row { precondition(c > 0, "costs must be > 0 or +∞ (got \(c) on problem \(p))") }
        }
        self.solvers = solvers
        ratios = costs.map { row in
            let best = row.min()!
            return best == .infinity ? row.map { _ in .infinity } : row.map { $0 / best }
        }
    }

    public var problemCount: Int { ratios.count }

    func column(_ name: String) -> Int {
        guard let s = solvers.firstIndex(of: name) else { preconditionFailure("no solver named \(name) in \(solvers)") }
        return s
    }

    /// ρ_s(τ), the fraction of problems on which solver `s` is within a factor τ of the best.
    public func rho(solver s: Int, at tau: Double) -> Double {
        Double(ratios.reduce(0) { $0 + ($1[s] <= tau ? 1 : 0) }) / Double(problemCount)
    }

    public func rho(solver name: String, at tau: Double) -> Double { rho(solver: column(name), at: tau) }

    /// ρ_s(τ) for every solver (rows, in `solvers` order) at every τ (columns).
    public func values(at taus: [Double]) -> [[Double]] {
        solvers.indices.map { s in taus.map { rho(solver: s, at: $0) } }
    }

    /// The steps of ρ_s: each distinct finite ratio τ_k of solver s, ascending, with ρ_s(τ_k),
    /// the value from τ_k on (ρ_s is 0 before the first step). Together they draw the profile.
    public func breakpoints(solver s: Int) -> [(tau: Double, rho: Double)] {
        let finite = ratios.map { $0[s] }.filter { $0.isFinite }.sorted()
        var steps = [(tau: Double, rho: Double)]()
        for (k, r) in finite.enumerated() {
            let value = Double(k + 1) / Double(problemCount)
            if let last = steps.last, last.tau == r { steps[steps.count - 1].rho = value } else { steps.append((r, value)) }
        }
        return steps
    }

    public func breakpoints(solver name: String) -> [(tau: Double, rho: Double)] { breakpoints(solver: column(name)) }

    /// AlgoPerf's benchmark score (Dahl et al., 2023, "Benchmarking Neural Network Training
    /// Algorithms", §4 and the AlgoPerf technical documentation, "Integrating performance
    /// profiles for the benchmark score"): the profile integrated over *linear* τ from 1 to
    /// r_max and normalised by the area,
    ///
    ///     B_s = 1/(τ_max − 1) · ∫₁^{τ_max} ρ_s(τ) dτ  ∈ [0, 1],   τ_max = 4 by default
    ///
    /// (the documentation's r_max; not an integral over log τ). A solver more than τ_max times
    /// slower than the best on a problem gets no credit there, like one that fails. Because ρ_s is
    /// a step function the integral is exact:
    ///
    ///     B_s = 1/P · Σ_p max(0, τ_max − r_{p,s}) / (τ_max − 1)
    ///
    /// AlgoPerf's scoring code approximates the same integral with the trapezoid rule on a grid
    /// of τ; on a fine grid the two agree. Best on every problem gives 1, failing everywhere 0.
    /// - Complexity: O(P).
    public func integratedScore(solver s: Int, tauMax: Double = 4) -> Double {
        precondition(tauMax > 1, "tauMax must exceed 1, got \(tauMax)")
        let area = ratios.reduce(0.0) { $0 + max(0, tauMax - $1[s]) }
        return area / (tauMax - 1) / Double(problemCount)
    }

    public func integratedScore(solver name: String, tauMax: Double = 4) -> Double {
        integratedScore(solver: column(name), tauMax: tauMax)
    }

    /// B_s for every solver, in `solvers` order.
    public func integratedScores(tauMax: Double = 4) -> [Double] {
        solvers.indices.map { integratedScore(solver: $0, tauMax: tauMax) }
    }
}
