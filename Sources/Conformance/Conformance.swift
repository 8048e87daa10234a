import Foundation
import OptBenchCLI
import OptBenchCore
import OptBenchHarness
import OptBenchKernels
import OptBenchOptimizers
import OptBenchProblems

/// The battery every catalog entry passes — the built-ins in this package's tests, a plugin's
/// in its own — with no test framework: each check returns what failed, so a test asserts the
/// list is empty and prints it otherwise.
///
/// For an optimizer: its declarations are sound (unique names, defaults in range, each default
/// reads back), bad hyper-parameters are refused by `optbench run` with exit 2 (unknown name,
/// ill-typed and out-of-range values, a repeated key), the same seed gives bit-identical runs,
/// a grid's cells do not depend on the jobs running them, and every epoch charged is work the
/// objective did (counted by the objective itself) with no step left uncharged.
/// For a problem: the same for its settings, finite-difference gradients at its start and at a
/// perturbed point, sample gradients that average to the full gradient, views that agree with
/// the gradient, and construction and start that are functions of the settings and seed.
public enum Conformance {
    /// The checks run and what failed among them.
    public struct Report: CustomStringConvertible, Sendable {
        public var subject: String
        public var passed: [String] = []
        public var failures: [String] = []
        /// Checks that do not apply (a rule that needs a layer view has no counting objective).
        public var skipped: [String] = []

        public var description: String {
            ([subject + ": \(passed.count) passed, \(failures.count) failed" + (skipped.isEmpty ? "" : ", \(skipped.count) not applicable")]
             + failures.map { "  FAIL " + $0 } + skipped.map { "  n/a  " + $0 }).joined(separator: "\n")
        }

        mutating func check(_ name: String, _ failure: String?) {
            if let failure { failures.append("\(name): \(failure)") } else { passed.append(name) }
        }
    }

    // MARK: Optimizers

    /// The battery for `entry`, with `hyperParameters` (`key=value`) where its defaults make no
    /// progress in a few steps; `problem` (a catalog name with settings) is where it runs, by
    /// default a small least-squares problem.
    public static func check(optimizer entry: OptimizerEntry, in catalog: Catalog, hyperParameters: [String] = [],
                             problem: (name: String, settings: [String])? = nil) -> Report {
        var report = Report(subject: "optimizer '\(entry.name)'")
        report.check("declarations", declarationFailure(entry.parameters, owner: "optimizer '\(entry.name)'"))
        let configured: ConfiguredOptimizer
        do {
            configured = try entry.make(hyperParameters)
        } catch {
            report.check("builds with \(hyperParameters)", error.message)
            return report
        }
        report.check("builds in float32 and float64", nil)

        // Where the rule runs: the given problem, or least squares (with the views rules ask for).
        let host = problem ?? ("least-squares", ["n=64", "d=8", "kappa=10", "noise=0.1", "init=gaussian"])
        let instance: ProblemInstance
        do {
            instance = try catalog.problem(named: host.name).make(host.settings)
        } catch {
            report.check("host problem \(host.name)", "\(error)")
            return report
        }
        let runnable = Grid.incompatibility(configured, label: entry.name, groups: [], problem: instance)

        report.check("refuses bad hyper-parameters with exit 2",
                     refusalFailure(kind: "--hp", declarations: entry.parameters, catalog: catalog,
                                    command: ["run", "--problem", host.name] + host.settings.flatMap { ["--set", $0] }
                                        + ["--optimizer", entry.name, "--epochs", "1"]))

        guard runnable == nil else {
            report.skipped.append("runs on \(host.name): \(runnable!)")
            return report
        }
        let rule = StoppingRule(target: 0, maxEpochs: 4)
        let a = Runner.run(configured, on: instance, seed: 7, rule: rule)
        let b = Runner.run(configured, on: instance, seed: 7, rule: rule)
        report.check("same seed, same bits", sameRun(a, b))
        report.check("charges epochs", a.steps > 0 && a.final.epoch > 0 ? nil : "\(a.steps) steps charged \(a.final.epoch) epochs in a run of 4")

        report.check("cells independent of the jobs running them", jobsFailure(entry, hyperParameters, host, catalog))

        if configured.requirements.capabilities.contains(.layers) {
            report.skipped.append("honest charges: the rule needs a layer view, which the counting objective does not offer")
        } else {
            report.check("honest charges", chargeFailure(configured))
        }
        return report
    }

    /// A run's records and status compared bit for bit.
    static func sameRun(_ a: RunResult, _ b: RunResult) -> String? {
        guard a.status == b.status, a.steps == b.steps, a.records.count == b.records.count else {
            return "runs differ: \(a.status) in \(a.steps) steps vs \(b.status) in \(b.steps)"
        }
        for (x, y) in zip(a.records, b.records) where x.loss.bitPattern != y.loss.bitPattern || x.epoch != y.epoch
            || x.gradientNorm.bitPattern != y.gradientNorm.bitPattern {
            return "at epoch \(x.epoch): loss \(x.loss) vs \(y.loss)"
        }
        return nil
    }

    /// A two-seed, two-rate grid of the rule on `host`, run with 1 and with 2 jobs.
    static func jobsFailure(_ entry: OptimizerEntry, _ hp: [String], _ host: (name: String, settings: [String]), _ catalog: Catalog) -> String? {
        do {
            let column = try catalog.column(entry.name, hp, learningRates: entry.hasLearningRate ? nil : [])
            let suite = Suite(name: "conformance", summary: "", problems: [try catalog.row(host.name, host.settings)], optimizers: [column],
                              seeds: [1, 2], rule: StoppingRule(target: 0, maxEpochs: 3), learningRates: [1e-3, 1e-2])
            var outcomes: [[CellSummary]] = []
            for jobs in [1, 2] {
                let dir = FileManager.default.temporaryDirectory.appendingPathComponent("optbench-conformance-\(getpid())-\(entry.name)-\(jobs)")
                defer { try? FileManager.default.removeItem(at: dir) }
                guard let outcome = try Grid(suite: suite, jobs: jobs).run(in: dir) else { return "no outcome" }
                outcomes.append(outcome.pairs.flatMap(\.sweep))
            }
            guard outcomes[0].count == outcomes[1].count else { return "\(outcomes[0].count) cells with 1 job, \(outcomes[1].count) with 2" }
            for (x, y) in zip(outcomes[0], outcomes[1]) where x.status != y.status || x.epochs != y.epochs
                || x.finalAccuracy?.bitPattern != y.finalAccuracy?.bitPattern || x.steps != y.steps {
                return "lr \(x.lr.map(formatNumber) ?? "-") seed \(x.seed): \(x.status) acc \(x.finalAccuracy ?? .nan) with 1 job, \(y.status) acc \(y.finalAccuracy ?? .nan) with 2"
            }
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// Steps of the rule on an objective that counts its own evaluations: the epochs the oracle
    /// charged must equal full + samples/n + partials/d as counted there, and a step that charges
    /// nothing must leave w where it was (a rule that has stopped, as L-BFGS at its tolerance).
    static func chargeFailure(_ configured: ConfiguredOptimizer) -> String? {
        let objective = CountingQuadratic(n: 24, d: 6)
        let oracle = GradientOracle(objective: objective)
        let run = configured.float64.start(on: oracle, seed: 5)
        var w = (0..<6).map { 0.3 * Double($0) - 0.7 }
        for step in 1...60 {
            let before = oracle.chargedUnits, previous = w
            w.withUnsafeMutableBufferPointer { run.step($0) }
            let counted = Double(objective.full) + Double(objective.samples) / 24 + Double(objective.partials) / 6
            guard abs(oracle.epochs - counted) <= 1e-12 * max(1, counted) else {
                return "after step \(step) the oracle charged \(oracle.epochs) epochs; the objective counted \(counted)"
            }
            guard oracle.chargedUnits > before || w == previous else { return "step \(step) moved w and charged nothing" }
        }
        return nil
    }

    // MARK: Problems

    /// The battery for `entry` built with `settings` (small sizes keep it fast); finite
    /// differences agree to `tolerance` relative (a float32 problem is checked in float64
    /// when it has a `dtype` setting).
    public static func check(problem entry: ProblemEntry, in catalog: Catalog, settings: [String] = [], tolerance: Double = 1e-6) -> Report {
        var report = Report(subject: "problem '\(entry.name)'")
        report.check("declarations", declarationFailure(entry.settings, owner: "problem '\(entry.name)'"))
        var words = settings
        if entry.settings.contains(where: { $0.name == "dtype" }), !settings.contains(where: { $0.hasPrefix("dtype=") }) {
            words.append("dtype=float64")
        }
        let first: ProblemInstance, second: ProblemInstance
        do {
            first = try entry.make(words)
            second = try entry.make(words)
        } catch {
            report.check("builds with \(words)", "\(error)")
            return report
        }
        report.check("builds", nil)
        let optimizer = catalog.optimizers.first { $0.name == "gd" }?.name ?? catalog.optimizers.first?.name ?? "gd"
        report.check("refuses bad settings with exit 2",
                     refusalFailure(kind: "--set", declarations: entry.settings, catalog: catalog,
                                    command: ["run", "--problem", entry.name, "--optimizer", optimizer, "--epochs", "1"], fixed: settings))
        guard case .float64(let p) = first, case .float64(let q) = second else {
            report.skipped.append("gradient checks: the problem builds in float32 only")
            return report
        }
        report.check("same settings and seed, same problem", sameProblem(p, q))
        report.check("finite-difference gradient", gradientFailure(p, tolerance: tolerance))
        report.check("sample gradients average to ∇F", sampleFailure(p, tolerance: tolerance))
        report.check("views agree with the gradient", viewFailure(p, tolerance: tolerance))
        return report
    }

    static func sameProblem(_ p: AnyProblem<Double>, _ q: AnyProblem<Double>) -> String? {
        let w = p.initialPoint(seed: 3), v = q.initialPoint(seed: 3)
        guard w.map(\.bitPattern) == v.map(\.bitPattern) else { return "the start for seed 3 differs between two builds" }
        let f = p.makeObjective().loss(w), g = q.makeObjective().loss(v)
        return f.bitPattern == g.bitPattern ? nil : "F at the start differs between two builds: \(f) vs \(g)"
    }

    /// Coordinates checked by finite differences: all of a small problem, 24 spread ones of a large one.
    static func coordinates(_ d: Int) -> [Int] { d <= 24 ? Array(0..<d) : (0..<24).map { $0 * (d - 1) / 23 } }

    /// A point near the start that is not special (not 0, not a saddle).
    static func points(_ p: AnyProblem<Double>) -> [[Double]] {
        let start = p.initialPoint(seed: 1)
        var rng = Xoshiro256(seed: 99, stream: 0)
        let scale = max(1e-2, start.map(abs).max() ?? 0)
        return [start, start.map { $0 + 0.1 * scale * rng.nextGaussian() }]
    }

    static func gradientFailure(_ p: AnyProblem<Double>, tolerance: Double) -> String? {
        let objective = p.makeObjective()
        for w in points(p) {
            var g = [Double](repeating: 0, count: p.dimension)
            _ = w.withUnsafeBufferPointer { wp in g.withUnsafeMutableBufferPointer { objective.lossAndGradient(at: wp, into: $0) } }
            let scale = max(1e-8, g.map(abs).max() ?? 0)
            var x = w
            for j in coordinates(p.dimension) {
                // Richardson-extrapolated central differences: error O(h⁴).
                func central(_ h: Double) -> Double {
                    x[j] = w[j] + h
                    let fp = objective.loss(x)
                    x[j] = w[j] - h
                    let fm = objective.loss(x)
                    x[j] = w[j]
                    return (fp - fm) / (2 * h)
                }
                let h = 1e-4 * max(1, abs(w[j]))
                let fd = (4 * central(h / 2) - central(h)) / 3
                guard abs(fd - g[j]) <= tolerance * max(scale, abs(g[j])) * 10 + 1e-9 else {
                    return "∂F/∂w[\(j)] = \(g[j]), finite differences \(fd)"
                }
            }
        }
        return nil
    }

    static func sampleFailure(_ p: AnyProblem<Double>, tolerance: Double) -> String? {
        let objective = p.makeObjective()
        let w = points(p)[1]
        var full = [Double](repeating: 0, count: p.dimension), mean = full
        _ = w.withUnsafeBufferPointer { wp in full.withUnsafeMutableBufferPointer { objective.lossAndGradient(at: wp, into: $0) } }
        let all = Array(0..<p.sampleCount)
        w.withUnsafeBufferPointer { wp in
            all.withUnsafeBufferPointer { s in mean.withUnsafeMutableBufferPointer { objective.sampleGradient(at: wp, samples: s, into: $0) } }
        }
        let scale = max(1e-12, full.map(abs).max() ?? 0)
        for j in 0..<p.dimension where abs(full[j] - mean[j]) > tolerance * scale {
            return "the mean of all n sample gradients differs from ∇F at w[\(j)]: \(mean[j]) vs \(full[j])"
        }
        return nil
    }

    static func viewFailure(_ p: AnyProblem<Double>, tolerance: Double) -> String? {
        let objective = p.makeObjective()
        let w = points(p)[1]
        var g = [Double](repeating: 0, count: p.dimension)
        _ = w.withUnsafeBufferPointer { wp in g.withUnsafeMutableBufferPointer { objective.lossAndGradient(at: wp, into: $0) } }
        let scale = max(1e-12, g.map(abs).max() ?? 0)
        if let view = objective.coordinates() {
            for j in coordinates(p.dimension) {
                let partial = w.withUnsafeBufferPointer { view.partial($0, j) }
                guard abs(partial - g[j]) <= tolerance * scale else { return "coordinate view: ∂F/∂w[\(j)] = \(partial), gradient \(g[j])" }
            }
        }
        if let model = objective.linearModel() {
            // ∇fᵢ(w) = φᵢ′(xᵢᵀw)·xᵢ + λw for a few samples, against the sample gradient.
            for i in Set([0, p.sampleCount / 2, p.sampleCount - 1]) {
                var gi = [Double](repeating: 0, count: p.dimension)
                w.withUnsafeBufferPointer { wp in
                    [i].withUnsafeBufferPointer { s in gi.withUnsafeMutableBufferPointer { objective.sampleGradient(at: wp, samples: s, into: $0) } }
                }
                let phi = w.withUnsafeBufferPointer { model.derivative($0, i) }
                let x = model.features(i)
                for j in 0..<p.dimension {
                    let expected = phi * x[j] + model.l2Penalty * w[j]
                    guard abs(expected - gi[j]) <= tolerance * max(1e-12, gi.map(abs).max() ?? 0) + 1e-12 else {
                        return "linear-model view: φ′xᵢ + λw for sample \(i) differs from ∇fᵢ at w[\(j)]: \(expected) vs \(gi[j])"
                    }
                }
            }
        }
        return nil
    }

    // MARK: Shared

    /// Unique names; each default in its range and read back by its own parser.
    static func declarationFailure(_ declarations: [ParameterDeclaration], owner: String) -> String? {
        var seen = Set<String>()
        for d in declarations {
            guard seen.insert(d.name).inserted else { return "'\(d.name)' is declared twice" }
            guard !d.name.isEmpty, !d.name.contains(where: { $0 == "=" || $0 == " " || $0 == "," || $0 == "[" || $0 == "]" }) else {
                return "'\(d.name)' cannot be written as key=value"
            }
            if d.defaultValue == .text("") || d.defaultValue == .vector([]) { continue }
            do {
                let back = try d.parse(d.defaultValue.description, owner: owner)
                guard back == d.defaultValue else { return "\(d.name)'s default \(d.defaultValue) reads back as \(back)" }
            } catch {
                return "\(d.name)'s default is refused by its own declaration: \(error.message)"
            }
        }
        return nil
    }

    /// `command` with a bad value of each kind for `kind` (`--hp` or `--set`): every one must
    /// exit 2 with a message naming the parameter; the unknown name must list the valid ones.
    static func refusalFailure(kind: String, declarations: [ParameterDeclaration], catalog: Catalog, command: [String],
                               fixed: [String] = []) -> String? {
        var cases: [(words: [String], mentions: [String])] = [
            (["no_such_parameter=1"], ["no_such_parameter"] + declarations.map(\.name)),
        ]
        for d in declarations where !fixed.contains(where: { $0.hasPrefix(d.name + "=") }) {
            switch d.kind {
            case .real, .integer, .pair, .vector, .optionalReal, .integerOrAuto: cases.append((["\(d.name)=not-a-number"], [d.name]))
            case .boolean: cases.append((["\(d.name)=maybe"], [d.name]))
            case .choice: cases.append((["\(d.name)=no-such-choice"], [d.name]))
            case .text: continue
            }
            if let r = d.range, r.lowerBound > -1e300, [.real, .integer, .optionalReal, .integerOrAuto].contains(d.kind) {
                let below = r.lowerBound - max(1, abs(r.lowerBound))
                cases.append((["\(d.name)=\([.integer, .integerOrAuto].contains(d.kind) ? String(Int(below)) : "\(below)")"], [d.name]))
            }
        }
        if let first = declarations.first(where: { d in !fixed.contains { $0.hasPrefix(d.name + "=") } }) {
            cases.append((["\(first.name)=\(first.defaultValue)", "\(first.name)=\(first.defaultValue)"], [first.name]))
        }
        for c in cases {
            var message = ""
            let words = c.words.flatMap { [kind, $0] } + (kind == "--set" ? fixed.flatMap { ["--set", $0] } : [])
            let status = OptBench.main(command + words, catalog: catalog, output: { _ in }, errors: { message += $0 })
            guard status == 2 else { return "\(words.joined(separator: " ")) exited \(status); expected 2" }
            for name in c.mentions where !message.contains(name) {
                return "\(words.joined(separator: " ")): the message does not name '\(name)': \(message)"
            }
        }
        return nil
    }
}

/// F(w) = (1/2n) Σᵢ (xᵢᵀw − yᵢ)² + (λ/2)‖w‖² on fixed data, counting every evaluation it does
/// itself, with coordinate and linear-model views: the independent count the oracle's charges
/// are checked against.
final class CountingQuadratic: Objective {
    let n: Int, d: Int
    /// Row-major n×d features, owned for the objective's lifetime (the linear-model view reads them in place).
    let x: UnsafeMutablePointer<Double>
    let y: [Double]
    let lambda = 0.01
    var full = 0, samples = 0, partials = 0

    init(n: Int, d: Int) {
        self.n = n
        self.d = d
        var rng = Xoshiro256(seed: 11, stream: 0)
        x = .allocate(capacity: n * d)
        for k in 0..<(n * d) { x[k] = rng.nextGaussian() }
        y = (0..<n).map { _ in rng.nextGaussian() }
    }

    deinit { x.deallocate() }

    var dimension: Int { d }
    var sampleCount: Int { n }

    func residual(_ w: UnsafeBufferPointer<Double>, _ i: Int) -> Double {
        var s = -y[i]
        for j in 0..<d { s += x[i * d + j] * w[j] }
        return s
    }

    func value(_ w: UnsafeBufferPointer<Double>) -> Double {
        var f = 0.0
        for i in 0..<n { f += 0.5 * residual(w, i) * residual(w, i) }
        return f / Double(n) + 0.5 * lambda * w.reduce(0) { $0 + $1 * $1 }
    }

    func loss(at w: UnsafeBufferPointer<Double>) -> Double {
        full += 1
        return value(w)
    }

    func lossAndGradient(at w: UnsafeBufferPointer<Double>, into g: UnsafeMutableBufferPointer<Double>) -> Double {
        full += 1
        for j in 0..<d { g[j] = lambda * w[j] }
        for i in 0..<n {
            let r = residual(w, i) / Double(n)
            for j in 0..<d { g[j] += r * x[i * d + j] }
        }
        return value(w)
    }

    func sampleGradient(at w: UnsafeBufferPointer<Double>, samples batch: UnsafeBufferPointer<Int>, into g: UnsafeMutableBufferPointer<Double>) {
        samples += batch.count
        for j in 0..<d { g[j] = lambda * w[j] }
        for i in batch {
            let r = residual(w, i) / Double(batch.count)
            for j in 0..<d { g[j] += r * x[i * d + j] }
        }
    }

    func coordinates() -> CoordinateView<Double>? {
        let lipschitz = (0..<d).map { j in (0..<n).reduce(0.0) { $0 + x[$1 * d + j] * x[$1 * d + j] } / Double(n) + lambda }
        return CoordinateView(partial: { [self] w, j in
            partials += 1
            var s = lambda * w[j]
            for i in 0..<n { s += residual(w, i) * x[i * d + j] / Double(n) }
            return s
        }, lipschitzConstants: lipschitz)
    }

    func linearModel() -> LinearModelView<Double>? {
        LinearModelView(derivative: { [self] w, i in
            samples += 1
            return residual(w, i)
        }, rows: UnsafePointer(x), rowLength: d, l2Penalty: lambda)
    }
}
