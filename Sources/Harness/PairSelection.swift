import OptBenchCore

extension Grid {
    /// Picks the sweep point (lr and other settings) that reached ε on the most seeds, then
    /// with the fewest median epochs, then with the median final value nearest ε (the lowest
    /// loss or accuracy measure, the highest metric), the first in sweep order on a tie;
    /// summarises its seeds.
    static func summarize(problem: String, optimizer: String, sweep: [CellSummary], seeds: Int,
                          criterion: StoppingCriterion = .relative) -> PairSummary {
        var groups: [(lr: Double?, words: [String], cells: [CellSummary])] = []
        for c in sweep {
            if let k = groups.firstIndex(where: { $0.lr == c.lr && $0.words == c.hyperParameters }) {
                groups[k].cells.append(c)
            } else {
                groups.append((c.lr, c.hyperParameters, [c]))
            }
        }
        let higherIsBetter = if case .metric = criterion { true } else { false }
        func shortfall(_ c: CellSummary) -> Double { Self.shortfall(c, criterion: criterion) }
        func rank(_ cells: [CellSummary]) -> SweepRank { Self.rank(cells, criterion: criterion) }
        guard let best = groups.min(by: { rank($0.cells) < rank($1.cells) }) else {
            return .skipped(problem: problem, optimizer: optimizer, seeds: seeds, reason: "no cell was run")
        }
        let reached = best.cells.compactMap(\.epochsToTarget)
        let diverged = best.cells.filter { $0.status == .diverged }.count
        let everyDiverged = sweep.allSatisfy { $0.status == .diverged }
        let everyStalled = best.cells.allSatisfy { $0.status == .stalled }
        let status: PairStatus = reached.count == best.cells.count ? .reached : everyDiverged ? .diverged
            : !reached.isEmpty ? .partial : everyStalled ? .stalled : .budget
        return PairSummary(
            problem: problem, optimizer: optimizer, lr: best.lr, hyperParameters: best.words, seeds: seeds, reached: reached.count, diverged: diverged,
            medianEpochs: reached.isEmpty ? nil : median(best.cells.map { $0.epochsToTarget ?? .infinity }),
            minEpochs: reached.min(), maxEpochs: reached.count == best.cells.count ? reached.max() : nil,
            medianSeconds: reached.count == best.cells.count ? median(best.cells.compactMap(\.secondsToTarget)) : nil,
            medianFinalAccuracy: (higherIsBetter ? -1 : 1) * median(best.cells.map(shortfall)),
            status: status, reason: nil, sweep: sweep)
    }

    /// How a sweep point's seeds did, lower is better: seeds that reached ε (negated), median
    /// epochs to ε, then the median shortfall of the final value (`shortfall`).
    typealias SweepRank = (reachedNegated: Int, epochs: Double, shortfall: Double)

    static func rank(_ cells: [CellSummary], criterion: StoppingCriterion) -> SweepRank {
        let reached = cells.filter { $0.status == .reached }.count
        let epochs = median(cells.map { $0.epochsToTarget ?? .infinity })
        return (-reached, epochs, median(cells.map { shortfall($0, criterion: criterion) }))
    }

    /// How far an unfinished cell's final value is from ε: a loss or an accuracy measure the
    /// lower the better, a metric (test accuracy, say) the higher; ∞ when it diverged.
    static func shortfall(_ c: CellSummary, criterion: StoppingCriterion) -> Double {
        guard c.status != .diverged, let v = c.finalAccuracy, !v.isNaN else { return .infinity }
        if case .metric = criterion { return -v }
        return v
    }

    /// The end of its sweep a pair's tuned learning rate sits at, among the rates tried at its
    /// tuned other settings — or an end that ties with it (equal `rank`: the tie-break took an
    /// inner rate, but the end did as well, so the best may lie beyond it); nil when it lies
    /// inside, or the column sweeps fewer than two rates.
    static func edge(of pair: PairSummary, base: [Double], criterion: StoppingCriterion) -> SweepEdge? {
        guard pair.status != .skipped, let lr = pair.lr, base.count >= 2 else { return nil }
        let cells = pair.sweep.filter { $0.hyperParameters == pair.hyperParameters }
        let tried = Set(cells.compactMap(\.lr)).sorted()
        guard let low = tried.first, let high = tried.last, tried.count >= 2 else { return nil }
        if lr == low { return .low }
        if lr == high { return .high }
        func rankAt(_ rate: Double) -> SweepRank { rank(cells.filter { $0.lr == rate }, criterion: criterion) }
        let best = rankAt(lr)
        if rankAt(high) == best { return .high }
        if rankAt(low) == best { return .low }
        return nil
    }
}
