import Testing
import OptBenchCore
import OptBenchOptimizers
import TestSupport

// Hand-computed first three steps of torch.optim.SGD on F(w) = w² (h = 2) from w₀ = 1 with
// lr 0.1 and weight_decay 0.1, so g_t = 2w + 0.1w = 2.1·w_{t−1}.

@Test func heavyBallWithDampeningAndWeightDecayMatchesTorch() throws {
    let opt = try rule("momentum", "lr=0.1", "momentum=0.9", "dampening=0.5", "weight_decay=0.1")
    let path = iterates(opt, oracle: oracle(TestObjective<Double>.quadratic(diagonal: [2])), start: [1], steps: 3)
    // g₁ = 2.1, b₁ = g₁ (no dampening on the first step), w₁ = 1 − 0.21
    // g₂ = 1.659, b₂ = 0.9·2.1 + 0.5·1.659 = 2.7195, w₂ = 0.79 − 0.27195
    // g₃ = 1.087905, b₃ = 0.9·2.7195 + 0.5·1.087905 = 2.9915025, w₃ = 0.51805 − 0.29915025
    #expect(isClose(path.map { $0[0] }, [1, 0.79, 0.51805, 0.21889975], rtol: 1e-13))
}

@Test func nesterovMatchesTorch() throws {
    let opt = try rule("nesterov", "lr=0.1", "momentum=0.9", "weight_decay=0.1")
    let path = iterates(opt, oracle: oracle(TestObjective<Double>.quadratic(diagonal: [2])), start: [1], steps: 3)
    // b₁ = 2.1, d₁ = 2.1 + 0.9·2.1 = 3.99; b₂ = 0.9·2.1 + 1.2621 = 3.1521, d₂ = 1.2621 + 0.9·3.1521;
    // b₃ = 0.9·3.1521 + 0.4013121 = 3.2382021, d₃ = 0.4013121 + 0.9·3.2382021.
    #expect(isClose(path.map { $0[0] }, [1, 0.601, 0.191101, -0.140468399], rtol: 1e-12))
}

@Test func momentumZeroIsGD() throws {
    let f = TestObjective<Double>.quadratic(diagonal: [1, 3], linear: [1, 1])
    let a = iterates(try rule("momentum", "lr=0.2", "momentum=0"), oracle: oracle(f), start: [2, -1], steps: 5)
    let b = iterates(try rule("gd", "lr=0.2"), oracle: oracle(f), start: [2, -1], steps: 5)
    #expect(a == b)
}

@Test func nesterovRequiresMomentumAndNoDampening() {
    #expect(throws: ConfigurationError.self) { try rule("nesterov", "momentum=0") }
    #expect(throws: ConfigurationError.self) { try rule("nesterov", "dampening=0.1") }
}

@Test func sgdStepUsesTheDrawnSample() throws {
    // fᵢ(w) = ½(w − cᵢ)², so ∇fᵢ(w) = w − cᵢ.
    let c = [1.0, -2, 4]
    let f = TestObjective<Double>.scalarFiniteSum(c)
    let o = oracle(f)
    let path = iterates(try rule("sgd", "lr=0.5", "batch_size=1"), oracle: o, start: [0], steps: 3)
    var w = 0.0
    try #require(f.batches.count == 3)
    for (t, batch) in f.batches.enumerated() {
        w -= 0.5 * (w - c[batch[0]])
        #expect(isClose(path[t + 1][0], w, rtol: 1e-15))
    }
    // One pass without replacement draws every sample once: exactly one epoch.
    #expect(Set(f.batches.map { $0[0] }) == [0, 1, 2])
    #expect(o.charges.samples == 3 && o.charges.full == 0)
    #expect(o.epochs == 1)
}

@Test func miniBatchGradientIsTheBatchAverage() throws {
    // batch_size 2 over n = 3: batches {a, b}, {c}, then a fresh pass.
    let c = [1.0, -2, 4]
    let f = TestObjective<Double>.scalarFiniteSum(c)
    let path = iterates(try rule("sgd", "lr=0.5", "batch_size=2"), oracle: oracle(f), start: [0], steps: 3)
    #expect(f.batches.map(\.count) == [2, 1, 2])
    #expect(Set(f.batches[0] + f.batches[1]) == [0, 1, 2])
    var w = 0.0
    for (t, batch) in f.batches.enumerated() {
        let g = batch.reduce(0) { $0 + (w - c[$1]) } / Double(batch.count)
        w -= 0.5 * g
        #expect(isClose(path[t + 1][0], w, rtol: 1e-15))
    }
}

@Test func stepScheduleScalesTheRateByEpoch() throws {
    // GD on F = w²/2 with lr 0.5 halving every 2 epochs: factors 1, 1, ½, ½, ¼.
    let path = iterates(try rule("gd", "lr=0.5", "schedule=step", "step_size=2", "gamma=0.5"),
                        oracle: oracle(TestObjective<Double>.quadratic(diagonal: [1])), start: [1], steps: 5)
    var w = 1.0
    for (t, s) in [1.0, 1, 0.5, 0.5, 0.25].enumerated() {
        w -= 0.5 * s * w
        #expect(path[t + 1][0] == w, "step \(t + 1)")
    }
}

@Test func unknownScheduleIsAnErrorListingTheChoices() throws {
    do {
        _ = try rule("sgd", "schedule=cosine")
        Issue.record("schedule=cosine was accepted")
    } catch let error as ConfigurationError {
        for name in ScheduleKind.allCases.map(\.rawValue) { #expect(error.message.contains(name), "\(error.message)") }
    }
}

/// From 2¹⁶ parameters the momentum pass is split across cores; every coordinate must still
/// follow torch's scalar recurrence, here run coordinate by coordinate on F = ½ Σ hⱼwⱼ².
@Test func momentumOnManyCoordinatesFollowsTheScalarRecurrence() throws {
    let d = (1 << 16) + 37
    let h = (0..<d).map { 0.5 + Double($0 % 7) * 0.25 }
    let start = (0..<d).map { 1 - Double($0 % 5) * 0.3 }
    for nesterov in [false, true] {
        let opt = try rule(nesterov ? "nesterov" : "momentum", "lr=0.1", "momentum=0.9", "weight_decay=0.1")
        let path = iterates(opt, oracle: oracle(TestObjective<Double>.quadratic(diagonal: h)), start: start, steps: 3)
        var mismatches = 0
        for j in 0..<d {
            var w = start[j], b = 0.0
            for t in 1...3 {
                let g = h[j] * w + 0.1 * w
                b = t == 1 ? g : 0.9 * b + g
                w -= 0.1 * (nesterov ? g + 0.9 * b : b)
                if abs(path[t][j] - w) > 1e-13 * max(1, abs(w)) { mismatches += 1 }
            }
        }
        #expect(mismatches == 0, "nesterov \(nesterov)")
    }
}
