import Testing
@testable import OptBenchHarness

/// The time left weights each remaining cell by what finished cells like it cost.
@Suite struct ProgressEstimateTests {
    @Test func remainingCellsCostWhatTheirPairsCost() {
        // Pair A (problem 0): 10 cells of 1 s; pair B (problem 1): 10 cells of 10 s; one job.
        let cells = Array(repeating: (problem: 0, optimizer: 0), count: 10) + Array(repeating: (problem: 1, optimizer: 1), count: 10)
        let estimate = ProgressEstimate(cells: cells)
        var elapsed = 0.0
        var last = (done: 0, secondsLeft: 0.0)
        for _ in 0..<5 {
            elapsed += 1
            last = estimate.finished((0, 0), cost: 1, elapsed: elapsed)
        }
        // B unseen: its cells cost the mean of all finished cells, 1 s: 5·1 + 10·1 = 15 s.
        #expect(last.done == 5 && last.secondsLeft == 15)
        elapsed += 10
        last = estimate.finished((1, 1), cost: 10, elapsed: elapsed)
        // Now 5 A cells at 1 s and 9 B cells at 10 s: 95 s, at the elapsed/measured rate 15/15.
        #expect(last.done == 6 && last.secondsLeft == 95)
        // A second optimizer on problem 1 takes that problem's mean until it has its own.
        let mixed = ProgressEstimate(cells: [(0, 0), (0, 1), (0, 1)])
        // Two jobs: elapsed is half the cost. Pair (0, 1) unseen: 2 cells at problem 0's 4 s.
        #expect(mixed.finished((0, 0), cost: 4, elapsed: 2).secondsLeft == 2.0 * 8 / 4)
        // Then its own mean, 2 s, for its last cell.
        #expect(mixed.finished((0, 1), cost: 2, elapsed: 3).secondsLeft == 3.0 * 2 / 6)
    }
}
