import OptBenchCore
import OptBenchKernels
import OptBenchOptimizers
import OptBenchProblems

/// A network problem's metrics at one epoch boundary, in evaluation mode (BatchNorm's running
/// averages), as the problem reports them (`NetworkProblem.metrics`).
struct EpochRecord: Sendable {
    /// Epochs charged when the record was taken.
    var epoch: Double
    /// Optimizer steps taken so far.
    var steps: Int
    var trainLoss: Double
    var trainAccuracy: Double
    /// nil without a test set.
    var testAccuracy: Double?
}

/// What `NetworkTraining.train` measured.
struct TrainingRun: Sendable {
    /// From epoch 0 (the start) to the last epoch run.
    var records: [EpochRecord]
    /// The loss or the weights stopped being finite, or the loss exceeded 10³ times its start.
    var diverged: Bool
    /// The first record meeting the target, if one did.
    var reached: EpochRecord?
    var weights: [Double]

    var final: EpochRecord { records[records.count - 1] }
    /// Trained stably: not diverged, and the training loss ended below half its start (a net
    /// that collapsed to a constant output ends near log C, not below half of it).
    var stable: Bool { !diverged && final.trainLoss < 0.5 * records[0].trainLoss }
}

/// The training loop the network experiments share: a suite optimizer stepped through a
/// charging `GradientOracle` (so an epoch is n sample gradients, as everywhere in the suite),
/// the problem's metrics read `evaluationsPerEpoch` times an epoch (at the first step boundary
/// past each k/m epoch), stopping at a target, at divergence or after `epochs`. `project`, when given, is applied to w after every step (a pruning mask).
enum NetworkTraining {
    static func train<Scalar: KernelScalar>(
        _ problem: AnyProblem<Scalar>, _ optimizer: AnyOptimizer<Scalar>, from start: [Scalar], seed: UInt64, epochs: Int,
        evaluationsPerEpoch: Int = 1,
        target: ((EpochRecord) -> Bool)? = nil, project: ((UnsafeMutableBufferPointer<Scalar>) -> Void)? = nil
    ) -> TrainingRun {
        let objective = problem.makeObjective()
        let oracle = GradientOracle(objective)
        let run = optimizer.start(on: oracle, seed: seed)
        var w = start
        let zero = [Scalar](repeating: 0, count: problem.dimension)
        let names = problem.metricNames
        let loss = names.firstIndex(of: "train_loss_eval")!, accuracy = names.firstIndex(of: "train_accuracy")!
        let test = names.firstIndex(of: "test_accuracy")
        var steps = 0
        func record(_ epoch: Double) -> EpochRecord {
            let m = w.withUnsafeBufferPointer { wp in zero.withUnsafeBufferPointer { objective.metrics(at: wp, gradient: $0) } }
            return EpochRecord(epoch: epoch, steps: steps, trainLoss: m[loss], trainAccuracy: m[accuracy], testAccuracy: test.map { m[$0] })
        }
        var records = [record(0)]
        let f0 = records[0].trainLoss
        var diverged = false, reached: EpochRecord?
        if let target, target(records[0]) { reached = records[0] }
        var evaluation = 0
        let m = max(1, evaluationsPerEpoch)
        while reached == nil, !diverged, evaluation < epochs * m {
            evaluation += 1
            let boundary = oracle.unitsPerEpoch / m * evaluation
            w.withUnsafeMutableBufferPointer { wp in
                while oracle.chargedUnits < boundary {
                    run.step(wp)
                    project?(wp)
                    steps += 1
                }
            }
            let r = record(oracle.epochs)
            records.append(r)
            if !r.trainLoss.isFinite || r.trainLoss > 1e3 * max(f0, 1) || w.contains(where: { !$0.isFinite }) {
                diverged = true
            } else if let target, target(r) {
                reached = r
            }
        }
        return TrainingRun(records: records, diverged: diverged, reached: reached, weights: w.map { Double($0) })
    }

    /// The float32 problem a network entry builds with its defaults for `dtype`.
    static func float32(_ instance: ProblemInstance) -> AnyProblem<Float> {
        guard case .float32(let p) = instance else { preconditionFailure("expected a float32 network problem") }
        return p
    }

    static func float64(_ instance: ProblemInstance) -> AnyProblem<Double> {
        guard case .float64(let p) = instance else { preconditionFailure("expected a float64 network problem") }
        return p
    }
}
