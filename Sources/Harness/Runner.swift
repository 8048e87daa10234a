import OptBenchCore
import Dispatch
import OptBenchKernels
import OptBenchOptimizers
import OptBenchProblems

/// One row of a run's trace, recorded at every epoch boundary (and at the start).
public struct TraceRecord: Sendable {
    /// Cumulative epochs charged by the oracle.
    public var epoch: Double
    public var loss: Double
    /// (F − F*)/(F₀ − F*), or nil when F* is unknown.
    public var suboptimality: Double?
    public var gradientNorm: Double
    /// Cumulative wall time inside optimizer steps (evaluation for the trace excluded).
    public var seconds: Double
    /// The problem's extra metrics (`Problem.metricNames`).
    public var metrics: [Double]
}

/// Everything one cell (problem × optimizer × hyper-parameters × seed) produced.
public struct RunResult: Sendable {
    public var status: RunStatus
    /// Epochs at the first record whose accuracy was ≤ ε.
    public var epochsToTarget: Double?
    public var records: [TraceRecord]
    public var steps: Int
    public var metricNames: [String]
    /// Accuracy at the last record (the quantity compared with ε); nil when the run diverged,
    /// as a non-finite loss has no accuracy.
    public var finalAccuracy: Double?
    public var final: TraceRecord { records[records.count - 1] }
}

/// Runs optimizers on problems: the harness owns the loop, the clock, epoch accounting,
/// recording and stopping; the optimizer only steps.
public enum Runner {
    /// Runs one cell in the problem's precision from its start for `seed` (or `initialPoint`)
    /// until the stopping rule fires.
    public static func run(_ optimizer: ConfiguredOptimizer, on problem: ProblemInstance, seed: UInt64, rule: StoppingRule) -> RunResult {
        switch problem {
        case .float32(let p): run(optimizer.float32, on: p, seed: seed, rule: rule)
        case .float64(let p): run(optimizer.float64, on: p, seed: seed, rule: rule)
        }
    }

    public static func run<Scalar: KernelScalar>(_ optimizer: AnyOptimizer<Scalar>, on problem: AnyProblem<Scalar>, seed: UInt64,
                                                 rule: StoppingRule, initialPoint: [Scalar]? = nil) -> RunResult {
        let objective = problem.makeObjective()
        let oracle = GradientOracle(objective)
        var w = initialPoint ?? problem.initialPoint(seed: seed)
        let run = optimizer.start(on: oracle, seed: seed)
        var scratch = [Scalar](repeating: 0, count: problem.dimension)
        // The rule's evaluation point, when it is not w (schedule-free's x).
        var point = [Scalar](repeating: 0, count: problem.dimension)
        // Only a finite F* is a reference; the problems refuse data that would make it otherwise.
        let fStar = problem.optimalValue.flatMap { $0.isFinite ? $0 : nil }

        func evaluate(seconds: Double) -> TraceRecord {
            let separate = w.withUnsafeBufferPointer { wp in point.withUnsafeMutableBufferPointer { run.evaluationPoint(wp, into: $0) } }
            let at = separate ? point : w
            let f = at.withUnsafeBufferPointer { wp in scratch.withUnsafeMutableBufferPointer { objective.lossAndGradient(at: wp, into: $0) } }
            let gnorm = scratch.withUnsafeBufferPointer { Double(nrm2($0.count, $0.baseAddress!)) }
            let metrics = at.withUnsafeBufferPointer { wp in scratch.withUnsafeBufferPointer { objective.metrics(at: wp, gradient: $0) } }
            return TraceRecord(epoch: oracle.epochs, loss: f, suboptimality: nil, gradientNorm: gnorm, seconds: seconds, metrics: metrics)
        }

        var first = evaluate(seconds: 0)
        let f0 = first.loss, g0 = first.gradientNorm
        let accuracy = Accuracy(f0: f0, g0: g0, fStar: fStar)
        let metricIndex: Int? = if case .metric(let name) = rule.criterion { problem.metricNames.firstIndex(of: name) } else { nil }
        /// The value the criterion compares with ε, and whether it meets ε.
        func progress(_ r: TraceRecord) -> Double {
            switch rule.criterion {
            case .relative: accuracy(r)
            case .loss: r.loss
            case .metric: metricIndex.map { r.metrics[$0] } ?? .nan
            }
        }
        func meets(_ r: TraceRecord) -> Bool {
            let v = progress(r)
            if case .metric = rule.criterion { return v >= rule.target }
            return v <= rule.target
        }
        first.suboptimality = accuracy.suboptimality(first)
        var records = [first]
        var steps = 0
        var seconds = 0.0
        var status = RunStatus.budget
        var epochsToTarget: Double?

        if !f0.isFinite || !g0.isFinite {
            status = .diverged
        } else if meets(first) {
            status = .reached
            epochsToTarget = 0
        }
        var stalledOut = false
        var nextRecord = 1
        let perEpoch = oracle.unitsPerEpoch
        // Epoch k's boundary in exact charge units (n·d per epoch).
        func boundary(of k: Int) -> Int {
            let (units, overflow) = k.multipliedReportingOverflow(by: perEpoch)
            return overflow ? Int.max : units
        }
        while status == .budget, !stalledOut, oracle.epochs < rule.maxEpochs, steps < rule.maxSteps {
            let start = DispatchTime.now().uptimeNanoseconds
            var stalled = false
            let recordBoundary = boundary(of: nextRecord)
            w.withUnsafeMutableBufferPointer { wp in
                repeat {
                    let before = oracle.chargedUnits
                    run.step(wp)
                    steps += 1
                    // A step that evaluates nothing (a rule that considers itself converged)
                    // would never reach the next record.
                    stalled = oracle.chargedUnits == before
                } while !stalled && oracle.chargedUnits < recordBoundary && steps < rule.maxSteps
            }
            seconds += Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
            while oracle.chargedUnits >= boundary(of: nextRecord) { nextRecord += 1 }
            var record = evaluate(seconds: seconds)
            record.suboptimality = accuracy.suboptimality(record)
            records.append(record)
            let met = meets(record)
            if stalled && !met { stalledOut = true }
            let finite = record.loss.isFinite && record.gradientNorm.isFinite && !w.contains(where: { !$0.isFinite })
            if !finite || accuracy.blownUp(record, factor: rule.divergenceFactor) {
                status = .diverged
            } else if met {
                status = .reached
                epochsToTarget = record.epoch
            }
        }
        if stalledOut && status == .budget { status = .stalled }
        let last = records[records.count - 1]
        return RunResult(status: status, epochsToTarget: epochsToTarget, records: records, steps: steps,
                         metricNames: problem.metricNames, finalAccuracy: status == .diverged ? nil : progress(last))
    }

    /// `steps` iterations from `start`, returning (F, w) before the first step and after each
    /// one — the step-by-step view `optbench trace` prints for comparison with other
    /// libraries — with the rule's evaluation point where it has one (nil: w itself).
    public static func trace(_ optimizer: AnyOptimizer<Double>, on problem: AnyProblem<Double>, from start: [Double], steps: Int,
                             seed: UInt64 = 0) -> [(loss: Double, point: [Double], evaluation: [Double]?)] {
        let objective = problem.makeObjective()
        let oracle = GradientOracle(objective)
        var w = start
        let run = optimizer.start(on: oracle, seed: seed)
        var evaluation = w
        func row() -> (loss: Double, point: [Double], evaluation: [Double]?) {
            let separate = w.withUnsafeBufferPointer { wp in evaluation.withUnsafeMutableBufferPointer { run.evaluationPoint(wp, into: $0) } }
            return (objective.loss(w), w, separate ? evaluation : nil)
        }
        var rows = [row()]
        for _ in 0..<steps {
            w.withUnsafeMutableBufferPointer { run.step($0) }
            rows.append(row())
        }
        return rows
    }
}

/// The accuracy a run is judged by: the relative suboptimality (F − F*)/(F₀ − F*) when F* is
/// known, else the relative gradient norm ‖∇F‖/‖∇F₀‖. Non-finite values stay non-finite (so
/// they never compare ≤ ε), and a start already at the optimum has accuracy 0.
struct Accuracy {
    let f0: Double, g0: Double, fStar: Double?

    func callAsFunction(_ r: TraceRecord) -> Double {
        if let fs = fStar {
            let gap = f0 - fs
            guard gap > 0 else { return r.loss - fs <= 0 ? 0 : .infinity }
            return nonNegative((r.loss - fs) / gap)
        }
        guard g0 > 0 else { return r.gradientNorm == 0 ? 0 : .infinity }
        return r.gradientNorm / g0
    }

    /// The signed relative suboptimality for traces, nil without F*.
    func suboptimality(_ r: TraceRecord) -> Double? {
        guard let fs = fStar else { return nil }
        let gap = f0 - fs
        return gap > 0 ? (r.loss - fs) / gap : 0
    }

    /// F − F_ref beyond `factor`·(F₀ − F_ref), F_ref = F* when known, else 0 (every loss here is ≥ 0).
    func blownUp(_ r: TraceRecord, factor: Double) -> Bool {
        let ref = fStar ?? 0
        return r.loss - ref > factor * max(f0 - ref, Double.leastNormalMagnitude)
    }

    /// max(0, x) that keeps NaN (Swift's `max(0, .nan)` is 0).
    func nonNegative(_ x: Double) -> Double { x < 0 ? 0 : x }
}

