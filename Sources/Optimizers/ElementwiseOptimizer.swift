import OptBenchCore
import OptBenchKernels

/// What one step tells every element-wise rule.
public struct StepContext: Sendable {
    /// s(t), the schedule's factor at the start of the step; each group's rate is its lr·s(t).
    public let scale: Double
    /// t = 1, 2, …, the step's index (for bias corrections).
    public let iteration: Int

    public init(scale: Double, iteration: Int) {
        self.scale = scale
        self.iteration = iteration
    }
}

/// An element-wise update rule in optax's shape: a state per slice of the parameters and an
/// update θ_S ← u(θ_S, g_S, state_S) that reads and writes only that slice S. A rule value holds
/// one parameter group's hyper-parameters, each a declared property; `ElementwiseOptimizer`
/// evaluates the gradient once per step and hands each group's rule its blocks' ranges, as
/// torch.optim iterates `param_groups`.
///
/// A new element-wise optimizer is a conforming rule and an `OptimizerEntry(elementwise:)`
/// naming it in both precisions; parameter groups, mini-batching and schedules come with the
/// driver, and every hyper-parameter of the rule may be set per group.
public protocol ElementwiseRule<Scalar>: ParameterSet {
    associatedtype Scalar: KernelScalar
    /// What the rule carries between steps for one slice (a momentum buffer, moments).
    associatedtype SliceState

    /// η₀, the base learning rate the schedule scales (a cosine schedule's η_min is relative to it).
    var lr: Double { get }

    /// The state of a slice of `count` entries before the first step.
    func makeState(count: Int) -> SliceState

    /// One update of a slice: `w` and `gradient` are the same range of θ and ∇f_B(θ);
    /// `gradient` is scratch the rule may overwrite.
    func update(_ w: UnsafeMutableBufferPointer<Scalar>, gradient: UnsafeMutableBufferPointer<Scalar>,
                state: inout SliceState, context: StepContext)

    /// The slice of the evaluation point (`Optimizer.evaluationPoint`) for the slice `w` of the
    /// iterate, into `point`; false (the default) when it is w itself.
    func evaluationPoint(_ w: UnsafeBufferPointer<Scalar>, state: SliceState, into point: UnsafeMutableBufferPointer<Scalar>) -> Bool
}

extension ElementwiseRule {
    public func evaluationPoint(_ w: UnsafeBufferPointer<Scalar>, state: SliceState, into point: UnsafeMutableBufferPointer<Scalar>) -> Bool {
        false
    }
}

/// The first-order driver of element-wise rules, with torch's parameter groups.
///
///     g_t = ∇f_{B_t}(θ_{t−1})   (∇F(θ_{t−1}) when `batch_size` is 0)
///     θ_{t,S} = u_k(θ_{t−1,S}, g_{t,S}, state_S)   for each range S of blocks in group k
///
/// B_t is a mini-batch drawn without replacement (reshuffled each pass). Group k's rule u_k has
/// the optimizer's hyper-parameters overridden by the group's assignments; blocks no group
/// names use the optimizer's own. Blocks are resolved to groups once per run from the oracle's
/// layout (`ParameterGroup.assignment(of:to:)`), and contiguous blocks with the same rule are
/// merged into one range. The harness refuses groups that do not fit the layout before a run;
/// a run started anyway takes no step (and charges nothing), so it stalls instead of
/// silently using the wrong hyper-parameters.
public struct ElementwiseOptimizer<Rule: ElementwiseRule>: Optimizer {
    public typealias Scalar = Rule.Scalar

    /// The optimizer's own rule, for blocks no group names.
    public let base: Rule
    /// The parameter groups (merged by selector) and their rules, in order.
    public let groups: [ParameterGroup]
    public let groupRules: [Rule]
    /// Samples per mini-batch (0: the full gradient; `auto`: the problem's mini-batch, else
    /// `fallbackBatchSize`), resolved once per run against the oracle.
    public let batchSize: BatchSize
    public let fallbackBatchSize: Int
    public let schedule: Schedule

    public init(base: Rule, groups: [(ParameterGroup, Rule)] = [], batchSize: BatchSize, fallbackBatchSize: Int = 0,
                schedule: Schedule = .constant) {
        self.base = base
        self.groups = groups.map(\.0)
        groupRules = groups.map(\.1)
        self.batchSize = batchSize
        self.fallbackBatchSize = fallbackBatchSize
        self.schedule = schedule
    }

    /// The gradient buffer, the batch sampler, and each range of θ with its rule and state.
    public struct State {
        var gradient: [Scalar]
        var sampler: MinibatchSampler
        var ranges: [Range<Int>]
        var owners: [Int]        // 0: the base rule; k: groupRules[k − 1]
        var slices: [Rule.SliceState]
        var iteration = 0
        let usable: Bool
        /// |B_t| of this run; 0: the full gradient.
        let batch: Int
    }

    public var requirements: Requirements { Requirements(parameterGroups: true) }

    public func resolvedBatchSize(problem: Int?, sampleCount: Int) -> Int? {
        batchSize.resolved(problem: problem, sampleCount: sampleCount, fallback: fallbackBatchSize)
    }

    public func makeState(for oracle: GradientOracle<Scalar>, seed: UInt64) -> State {
        let d = oracle.dimension, layout = oracle.layout
        var ranges: [Range<Int>] = [], owners: [Int] = []
        let owner = try? ParameterGroup.assignment(of: groups, to: layout)
        let usable = owner != nil && layout.dimension == d
        if usable, let owner {
            for (b, block) in layout.blocks.enumerated() where block.count > 0 {
                let k = owner[b].map { $0 + 1 } ?? 0
                if let last = ranges.last, owners.last == k, last.upperBound == block.offset {
                    ranges[ranges.count - 1] = last.lowerBound..<block.range.upperBound
                } else {
                    ranges.append(block.range)
                    owners.append(k)
                }
            }
        }
        let slices = zip(ranges, owners).map { range, k in rule(k).makeState(count: range.count) }
        let batch = resolvedBatchSize(problem: oracle.miniBatch, sampleCount: oracle.sampleCount) ?? 0
        return State(gradient: .init(repeating: 0, count: d),
                     sampler: MinibatchSampler(sampleCount: batch == 0 ? 0 : oracle.sampleCount, seed: seed),
                     ranges: ranges, owners: owners, slices: slices, usable: usable, batch: batch)
    }

    @inline(__always)
    func rule(_ k: Int) -> Rule { k == 0 ? base : groupRules[k - 1] }

    /// Each range's rule writes its slice of the evaluation point; a range whose rule has none
    /// copies its slice of w.
    public func evaluationPoint(_ w: UnsafeBufferPointer<Scalar>, state: State, into point: UnsafeMutableBufferPointer<Scalar>) -> Bool {
        guard state.usable else { return false }
        var any = false
        for k in state.ranges.indices {
            let range = state.ranges[k]
            let target = UnsafeMutableBufferPointer(rebasing: point[range])
            if rule(state.owners[k]).evaluationPoint(UnsafeBufferPointer(rebasing: w[range]), state: state.slices[k], into: target) {
                any = true
            } else {
                _ = target.update(fromContentsOf: UnsafeBufferPointer(rebasing: w[range]))
            }
        }
        return any
    }

    public func step(_ w: UnsafeMutableBufferPointer<Scalar>, state: inout State, oracle: GradientOracle<Scalar>) {
        guard state.usable else { return }
        state.iteration += 1
        let context = StepContext(scale: schedule(oracle.epochs), iteration: state.iteration)
        let wc = UnsafeBufferPointer(w), batch = state.batch
        state.gradient.withUnsafeMutableBufferPointer { g in
            if batch == 0 {
                _ = oracle.lossAndGradient(at: wc, into: g)
            } else {
                state.sampler.withNextBatch(size: batch) { oracle.sampleGradient(at: wc, samples: $0, into: g) }
            }
            for k in state.ranges.indices {
                let range = state.ranges[k]
                rule(state.owners[k]).update(UnsafeMutableBufferPointer(rebasing: w[range]),
                                             gradient: UnsafeMutableBufferPointer(rebasing: g[range]),
                                             state: &state.slices[k], context: context)
            }
        }
    }
}

extension Parameters {
    /// These values overridden by `group`'s `key=value` assignments, each parsed and
    /// range-checked against the same declarations as `--hp`; only `allowed` names may differ
    /// between groups.
    public func overridden(by group: ParameterGroup, allowing allowed: [String]) throws(ConfigurationError) -> Parameters {
        let label = "\(owner), parameter group '\(group.selector)'"
        var result = self
        var seen: Set<String> = []
        for word in group.assignments {
            guard let eq = word.firstIndex(of: "="), eq != word.startIndex else {
                throw ConfigurationError("\(label): '\(word)' is not of the form key=value")
            }
            let name = String(word[..<eq]), text = String(word[word.index(after: eq)...])
            guard seen.insert(name).inserted else {
                throw ConfigurationError("\(label): '\(name)' is given more than once; expected each parameter at most once")
            }
            guard let spec = declarations.first(where: { $0.name == name }) else {
                throw ConfigurationError("\(label): unknown parameter '\(name)'; valid parameters: \(declarations.map(\.name).joined(separator: ", "))")
            }
            guard allowed.contains(name) else {
                throw ConfigurationError("\(label): '\(name)' applies to every group and cannot be set per group; a group may set \(allowed.joined(separator: ", "))")
            }
            result = try result.setting(name, spec.parse(text, owner: label))
        }
        return result
    }
}

