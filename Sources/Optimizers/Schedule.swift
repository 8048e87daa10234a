import OptBenchCore
import OptBenchKernels

/// The schedule families `schedule=` names.
public enum ScheduleKind: String, ParameterChoice {
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
}

/// The schedule's hyper-parameters, which every scheduled optimizer accepts.
public struct ScheduleSettings: ParameterSet {
    @HyperParameter("schedule", "learning-rate schedule η_t = lr·s(t), t in epochs")
    public var kind = ScheduleKind.constant
    @HyperParameter("step_size", range: 1...1e9, "step schedule: epochs between decays")
    public var stepSize = 10
    @HyperParameter("gamma", range: 0...1, "step schedule: decay factor")
    public var gamma = 0.1
    @HyperParameter("power", range: 0...10, "inverse-power schedule: exponent α in 1/(1+t)^α")
    public var power = 1.0
    @HyperParameter("step_size_up", range: 1e-9...1e9, "triangular schedule: epochs per half cycle (Smith: 2–10)")
    public var stepSizeUp = 4.0
    @HyperParameter("base_factor", range: 0...1, "triangular schedule: base rate as a fraction of lr (the peak)")
    public var baseFactor = 0.1
    @HyperParameter("T_0", range: 1e-9...1e9, "cosine-restarts schedule: epochs before the first restart")
    public var restartPeriod = 10.0
    @HyperParameter("T_mult", range: 1...1e3, "cosine-restarts schedule: period growth factor per restart")
    public var restartMultiplier = 1
    @HyperParameter("eta_min", range: 0...1e12, "cosine-restarts schedule: minimum learning rate (absolute, ≤ lr)")
    public var etaMin = 0.0
    @HyperParameter("warmup_epochs", range: 0...1e9, "linear warm-up length in epochs in front of the schedule; 0 = none")
    public var warmupEpochs = 0.0
    @HyperParameter("start_factor", range: 0...1, "warm-up: initial fraction of the rate (torch LinearLR's default 1/3)")
    public var startFactor = 1.0 / 3

    public init() {}

    /// The schedule for a rule whose base rate is `lr` (η_min is absolute, as torch's, so its
    /// factor is relative to lr).
    public func schedule(lr: Double) -> Schedule {
        let base: Schedule
        switch kind {
        case .constant: base = .constant
        case .step: base = .step(every: stepSize, gamma: gamma)
        case .inversePower: base = .inversePower(alpha: power)
        case .triangular: base = .triangular(halfCycle: stepSizeUp, baseFactor: baseFactor)
        case .cosineRestarts:
            base = .cosineRestarts(period: restartPeriod, multiplier: restartMultiplier, minFactor: lr > 0 ? min(1, etaMin / lr) : 0)
        }
        return warmupEpochs > 0 ? .warmup(epochs: warmupEpochs, startFactor: startFactor, then: base) : base
    }
}
