import Core
import Foundation
import Optimizers
import Problems

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
    /// Accuracy at the last record (the quantity compared with ε).
    public var finalAccuracy: Double
    public var final: TraceRecord { records[records.count - 1] }
}

/// Runs optimizers on problems: the harness owns the loop, the clock, epoch accounting,
/// recording and stopping; the optimizer only steps.
public enum Runner {
    /// Runs one cell from the problem's seeded initial point until the stopping rule fires.
    public static func run(_ optimizer: any Optimizer, on problem: any Problem, seed: UInt64, rule: StoppingRule,
                           initialPoint: [Double]? = nil) -> RunResult {
        run(opened: optimizer, problem: problem, seed: seed, rule: rule, initialPoint: initialPoint)
    }

    static func run<O: Optimizer>(opened optimizer: O, problem: any Problem, seed: UInt64, rule: StoppingRule,
                                  initialPoint: [Double]?) -> RunResult {
        let oracle = CountingOracle(problem: problem)
        var w = initialPoint ?? problem.initialPoint(seed: seed)
        var state = optimizer.makeState(dimension: problem.dimension, sampleCount: problem.sampleCount, seed: seed)
        var scratch = [Double](repeating: 0, count: problem.dimension)
        let fStar = problem.optimalValue

        func evaluate(seconds: Double) -> TraceRecord {
            let f = w.withUnsafeBufferPointer { wp in scratch.withUnsafeMutableBufferPointer { problem.lossAndGradient(at: wp, into: $0) } }
            let gnorm = scratch.withUnsafeBufferPointer { Kernels.nrm2($0.count, $0.baseAddress!) }
            let metrics = w.withUnsafeBufferPointer { problem.metrics(at: $0) }
            return TraceRecord(epoch: oracle.epochs, loss: f, suboptimality: nil, gradientNorm: gnorm, seconds: seconds, metrics: metrics)
        }

        var first = evaluate(seconds: 0)
        let f0 = first.loss, g0 = first.gradientNorm
        let fRef = fStar ?? 0
        func accuracy(_ r: TraceRecord) -> Double {
            if let fs = fStar { return f0 > fs ? max(0, r.loss - fs) / (f0 - fs) : 0 }
            return g0 > 0 ? r.gradientNorm / g0 : 0
        }
        if let fs = fStar { first.suboptimality = f0 > fs ? 1 : 0 }
        var records = [first]
        var steps = 0
        var seconds = 0.0
        var status = RunStatus.budget
        var epochsToTarget: Double?

        if accuracy(first) <= rule.target {
            status = .reached
            epochsToTarget = 0
        } else if !f0.isFinite {
            status = .diverged
        }
        var stalledOut = false
        while status == .budget, !stalledOut, oracle.epochs < rule.maxEpochs, steps < rule.maxSteps {
            let nextRecord = (oracle.epochs + 1).rounded(.down)
            let start = DispatchTime.now().uptimeNanoseconds
            var stalled = false
            w.withUnsafeMutableBufferPointer { wp in
                repeat {
                    let before = oracle.epochs
                    optimizer.step(wp, state: &state, oracle: oracle)
                    steps += 1
                    // A step that evaluates nothing (a rule that considers itself converged)
                    // would never reach the next record.
                    stalled = oracle.epochs == before
                } while !stalled && oracle.epochs < nextRecord && steps < rule.maxSteps
            }
            seconds += Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
            var record = evaluate(seconds: seconds)
            let acc = accuracy(record)
            if fStar != nil { record.suboptimality = f0 > fRef ? (record.loss - fRef) / (f0 - fRef) : 0 }
            records.append(record)
            let blownUp = record.loss - fRef > rule.divergenceFactor * max(f0 - fRef, Double.leastNormalMagnitude)
            if stalled && acc > rule.target { stalledOut = true }
            if !record.loss.isFinite || !record.gradientNorm.isFinite || w.contains(where: { !$0.isFinite }) || blownUp {
                status = .diverged
            } else if acc <= rule.target {
                status = .reached
                epochsToTarget = record.epoch
            }
        }
        return RunResult(status: status, epochsToTarget: epochsToTarget, records: records, steps: steps,
                         metricNames: problem.metricNames, finalAccuracy: accuracy(records[records.count - 1]))
    }

    /// `steps` iterations from `start`, returning (F, w) before the first step and after each
    /// one: the step-by-step view `optbench trace` prints for comparison with other libraries.
    public static func trace(_ optimizer: any Optimizer, on problem: any Problem, from start: [Double], steps: Int, seed: UInt64 = 0)
        -> [(loss: Double, point: [Double])]
    {
        trace(opened: optimizer, problem: problem, start: start, steps: steps, seed: seed)
    }

    static func trace<O: Optimizer>(opened optimizer: O, problem: any Problem, start: [Double], steps: Int, seed: UInt64)
        -> [(loss: Double, point: [Double])]
    {
        let oracle = CountingOracle(problem: problem)
        var w = start
        var state = optimizer.makeState(dimension: problem.dimension, sampleCount: problem.sampleCount, seed: seed)
        var rows = [(problem.loss(w), w)]
        for _ in 0..<steps {
            w.withUnsafeMutableBufferPointer { optimizer.step($0, state: &state, oracle: oracle) }
            rows.append((problem.loss(w), w))
        }
        return rows
    }
}

import Kernels
