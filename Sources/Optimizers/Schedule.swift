import OptBenchCore
import OptBenchKernels

/// The schedule families `schedule=` names.
public enum ScheduleKind: String, Sendable, CaseIterable {
    case constant, step
    case inversePower = "inverse-power"
    case triangular
    case cosineRestarts = "cosine-restarts"
}

/// A learning-rate schedule: the step size at progress t (in epochs, as the harness counts
/// them; for full-gradient methods t is the iteration count) is η_t = η₀·s(t). With parameter
/// groups, s(t) scales every group's own η₀.
///
/// t is continuous, so the periodic schedules change within an epoch, as SGDR's per-batch
/// form (torch's `scheduler.step(epoch + i/iters)`).
public indirect enum Schedule: Sendable, Equatable, CustomStringConvertible {
    /// s(t) = 1.
    case constant
    /// s(t) = γ^⌊t/k⌋: torch's StepLR stepped once per epoch (k = `step_size`, γ = `gamma`).
    case step(every: Int, gamma: Double)
    /// s(t) = 1/(1 + t)^α, the Robbins–Monro family (α ∈ (½, 1] gives Σηₜ = ∞, Σηₜ² < ∞).
    case inversePower(alpha: Double)
    /// Smith's triangular cyclical rate (Smith, 2017; torch's CyclicLR, mode "triangular"),
    /// with η₀ = `lr` the peak and f·η₀ the base:
    ///
    ///     c = ⌊1 + t/(2h)⌋,  x = |t/h − 2c + 1|,  s(t) = f + (1 − f)·max(0, 1 − x)
    ///
    /// h = `step_size_up` epochs per half cycle, f = `base_factor` (torch's base_lr/max_lr).
    case triangular(halfCycle: Double, baseFactor: Double)
    /// Cosine annealing with warm restarts (SGDR, Loshchilov & Hutter, 2017), torch's
    /// CosineAnnealingWarmRestarts: restart i lasts T_i = T₀·T_mult^i epochs and
    ///
    ///     η_t = η_min + (η₀ − η_min)(1 + cos(π T_cur/T_i))/2
    ///
    /// with T_cur the epochs since the last restart; stored as s(t) with m = η_min/η₀.
    case cosineRestarts(period: Double, multiplier: Int, minFactor: Double)
    /// Linear warm-up in front of another schedule (torch's LinearLR chained with it):
    /// s(t) = (f + (1 − f)·min(t, T)/T)·s_then(t), T = `warmup_epochs`, f = `start_factor`.
    case warmup(epochs: Double, startFactor: Double, then: Schedule)

    public func callAsFunction(_ t: Double) -> Double {
        switch self {
        case .constant: return 1
        case .step(let k, let gamma): return Math.pow(gamma, (t / Double(k)).rounded(.down))
        case .inversePower(let alpha): return 1 / Math.pow(1 + t, alpha)
        case .triangular(let h, let f):
            let c = (1 + t / (2 * h)).rounded(.down)
            let x = abs(t / h - 2 * c + 1)
            return f + (1 - f) * max(0, 1 - x)
        case .cosineRestarts(let t0, let mult, let m):
            let (tCur, tI) = Self.restartPosition(t, period: t0, multiplier: mult)
            return m + (1 - m) * (1 + Math.cos(Double.pi * tCur / tI)) / 2
        case .warmup(let length, let f, let then):
            return (f + (1 - f) * min(max(t, 0), length) / length) * then(t)
        }
    }

    /// (T_cur, T_i) at epoch t, by torch's closed form for the restart index.
    static func restartPosition(_ t: Double, period t0: Double, multiplier mult: Int) -> (Double, Double) {
        if mult == 1 {
            return (t.truncatingRemainder(dividingBy: t0), t0)
        }
        let q = Double(mult)
        var i = (Math.log(t / t0 * (q - 1) + 1) / Math.log(q)).rounded(.down)
        // The logarithm can land one restart off at exact boundaries; settle it on the integers.
        func start(_ i: Double) -> Double { t0 * (Math.pow(q, i) - 1) / (q - 1) }
        while i > 0, start(i) > t { i -= 1 }
        while start(i + 1) <= t { i += 1 }
        return (t - start(i), t0 * Math.pow(q, i))
    }

    public var description: String {
        switch self {
        case .constant: "constant"
        case .step(let k, let gamma): "step(step_size=\(k),gamma=\(formatShort(gamma)))"
        case .inversePower(let alpha): "inverse-power(power=\(formatShort(alpha)))"
        case .triangular(let h, let f): "triangular(step_size_up=\(formatShort(h)),base_factor=\(formatShort(f)))"
        case .cosineRestarts(let t0, let mult, let m):
            "cosine-restarts(T_0=\(formatShort(t0)),T_mult=\(mult),eta_min/lr=\(formatShort(m)))"
        case .warmup(let length, let f, let then):
            "warmup(warmup_epochs=\(formatShort(length)),start_factor=\(formatShort(f)))+\(then)"
        }
    }

    /// Hyper-parameters every scheduled optimizer accepts.
    public static let parameters: [ParameterDeclaration] = [
        .choice("schedule", default: ScheduleKind.constant, "learning-rate schedule η_t = lr·s(t), t in epochs"),
        .integer("step_size", 10, range: 1...1e9, "step schedule: epochs between decays"),
        .real("gamma", 0.1, range: 0...1, "step schedule: decay factor"),
        .real("power", 1, range: 0...10, "inverse-power schedule: exponent α in 1/(1+t)^α"),
        .real("step_size_up", 4, range: 1e-9...1e9, "triangular schedule: epochs per half cycle (Smith: 2–10)"),
        .real("base_factor", 0.1, range: 0...1, "triangular schedule: base rate as a fraction of lr (the peak)"),
        .real("T_0", 10, range: 1e-9...1e9, "cosine-restarts schedule: epochs before the first restart"),
        .integer("T_mult", 1, range: 1...1e3, "cosine-restarts schedule: period growth factor per restart"),
        .real("eta_min", 0, range: 0...1e12, "cosine-restarts schedule: minimum learning rate (absolute, ≤ lr)"),
        .real("warmup_epochs", 0, range: 0...1e9, "linear warm-up length in epochs in front of the schedule; 0 = none"),
        .real("start_factor", 1.0 / 3, range: 0...1, "warm-up: initial fraction of the rate (torch LinearLR's default 1/3)"),
    ]

    /// The schedule `p` describes; `.constant` when `p` declares no `schedule` (a rule without one).
    public init(_ p: Parameters) {
        guard p.declarations.contains(where: { $0.name == "schedule" }) else {
            self = .constant
            return
        }
        let base: Schedule
        switch p.choice("schedule", as: ScheduleKind.self) {
        case .constant: base = .constant
        case .step: base = .step(every: p.integer("step_size"), gamma: p.real("gamma"))
        case .inversePower: base = .inversePower(alpha: p.real("power"))
        case .triangular: base = .triangular(halfCycle: p.real("step_size_up"), baseFactor: p.real("base_factor"))
        case .cosineRestarts:
            // η_min is absolute, as torch's: the factor is relative to the base lr.
            let lr = p.declarations.contains { $0.name == "lr" } ? p.real("lr") : 1
            let m = lr > 0 ? min(1, p.real("eta_min") / lr) : 0
            base = .cosineRestarts(period: p.real("T_0"), multiplier: p.integer("T_mult"), minFactor: m)
        }
        let warm = p.real("warmup_epochs")
        self = warm > 0 ? .warmup(epochs: warm, startFactor: p.real("start_factor"), then: base) : base
    }
}
