import Testing
import OptBenchCore
import OptBenchKernels
@testable import OptBenchOptimizers
import TestSupport

@Test func stepScheduleIsTorchStepLR() {
    let s = Schedule.step(every: 10, gamma: 0.1)
    #expect(s(0) == 1)
    #expect(s(9.99) == 1)
    #expect(isClose(s(25), 0.01, rtol: 1e-15))
}

@Test func inversePowerSchedule() {
    let s = Schedule.inversePower(alpha: 0.5)
    #expect(s(0) == 1)
    #expect(isClose(s(3), 0.5, rtol: 1e-15))
}

@Test func triangularScheduleRisesAndFalls() {
    let s = Schedule.triangular(halfCycle: 2, baseFactor: 0.1)
    let expected: [(Double, Double)] = [(0, 0.1), (1, 0.55), (2, 1), (3, 0.55), (4, 0.1), (5, 0.55), (6, 1), (8, 0.1)]
    for (t, v) in expected { #expect(isClose(s(t), v, rtol: 1e-14), "t = \(t)") }
}

/// torch's CosineAnnealingWarmRestarts stepped once per epoch, by its own recurrence
/// (T_cur += 1; on T_cur ≥ T_i: T_cur −= T_i, T_i *= T_mult).
func torchWarmRestarts(epochs: Int, lr: Double, t0: Int, tMult: Int, etaMin: Double) -> [Double] {
    var tCur = 0, tI = t0
    var out: [Double] = []
    for _ in 0..<epochs {
        out.append(etaMin + (lr - etaMin) * (1 + Math.cos(Double.pi * Double(tCur) / Double(tI))) / 2)
        tCur += 1
        if tCur >= tI { tCur -= tI; tI *= tMult }
    }
    return out
}

@Test(arguments: [(10, 1), (1, 2), (3, 2), (2, 3)])
func cosineRestartsMatchesTorchRecurrence(t0: Int, tMult: Int) throws {
    let s = try schedule([("schedule", "cosine-restarts"), ("T_0", "\(t0)"), ("T_mult", "\(tMult)"), ("eta_min", "0.01")], lr: 0.1)
    let reference = torchWarmRestarts(epochs: 60, lr: 0.1, t0: t0, tMult: tMult, etaMin: 0.01)
    for (t, eta) in reference.enumerated() {
        #expect(isClose(0.1 * s(Double(t)), eta, rtol: 1e-12), "epoch \(t)")
    }
}

@Test func cosineRestartsMidPeriodIsHalfway() {
    let s = Schedule.cosineRestarts(period: 1, multiplier: 2, minFactor: 0)
    // Restarts at t = 0, 1, 3, 7: t = 2 is halfway through the period of length 2.
    #expect(isClose(s(2), 0.5, rtol: 1e-14))
    #expect(isClose(s(5), 0.5, rtol: 1e-14))
    #expect(s(3) == 1)
}

@Test func warmupRampsLinearlyThenHandsOver() throws {
    let s = try schedule([("schedule", "step"), ("warmup_epochs", "5"), ("step_size", "10"), ("gamma", "0.5")], lr: 0.1)
    #expect(isClose(s(0), 1.0 / 3, rtol: 1e-15))
    #expect(isClose(s(2.5), 2.0 / 3, rtol: 1e-15))
    #expect(s(5) == 1)
    #expect(s(12) == 0.5)
}

@Test func defaultScheduleIsConstant() throws {
    #expect(ScheduleSettings().schedule(lr: 0.1) == .constant)
}

@Test func everyScheduleKindParses() throws {
    for kind in ScheduleKind.allCases {
        let s = try schedule([("schedule", kind.rawValue)], lr: 0.1)
        switch (kind, s) {
        case (.constant, .constant), (.step, .step), (.inversePower, .inversePower), (.triangular, .triangular),
             (.cosineRestarts, .cosineRestarts): break
        default: Issue.record("\(kind.rawValue) parsed as \(s)")
        }
    }
}

@Test func unknownScheduleNameIsRefusedWithTheChoices() {
    do {
        _ = try schedule([("schedule", "linear")], lr: 0.1)
        Issue.record("schedule=linear accepted")
    } catch let error as ConfigurationError {
        #expect(error.message.contains("constant, step, inverse-power, triangular, cosine-restarts"), "\(error.message)")
    } catch {
        Issue.record("\(error)")
    }
}

/// The schedule the `key=value` assignments describe for a rule of base rate `lr`, through the
/// same declarations `--hp` reads.
func schedule(_ assignments: [(String, String)], lr: Double) throws -> Schedule {
    let p = try Parameters(owner: "test", declarations: ScheduleSettings().declarations, assignments: assignments)
    return try ScheduleSettings(p).schedule(lr: lr)
}
