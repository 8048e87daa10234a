import OptBenchCore
import OptBenchHarness
import OptBenchOptimizers
import OptBenchProblems

/// `optbench trace`: full-gradient steps on a deterministic problem from a given point, as CSV
/// `step,loss,x0,x1,…` with `%.17g`, to compare update rules with other libraries step by step:
/// x is the iterate the rule steps (schedule-free's gradient point y), and `--evaluation-point`
/// adds the point the model is evaluated at (schedule-free's x). A trace whose loss or iterate
/// stops being finite has diverged, as `run` would report it: the rows end at that step, a line
/// on stderr says so, and the exit status is 1.
enum TraceCommand: Subcommand {
    static let declaration = CommandDeclaration(
        name: "trace", summary: "print the iterates of an optimizer on a deterministic problem, step by step, as CSV (exit 1 when it diverges)",
        positional: nil,
        options: [
            OptionDeclaration(name: "--problem", valueName: "NAME", help: "a deterministic problem (rosenbrock, w7, …)", required: true),
            OptionDeclaration(name: "--set", valueName: "KEY=VALUE", help: "a problem setting; spaces around KEY and VALUE are ignored", repeatable: true),
            OptionDeclaration(name: "--x0", valueName: "V1,V2,…", help: "starting point (default: the problem's)"),
            OptionDeclaration(name: "--optimizer", valueName: "NAME", help: "optimizer name (see 'optbench list optimizers')", required: true),
            OptionDeclaration(name: "--hp", valueName: "KEY=VALUE", help: "an optimizer hyper-parameter; spaces around KEY and VALUE are ignored", repeatable: true),
            OptionDeclaration(name: "--steps", valueName: "N", help: "number of steps (default 10)"),
            OptionDeclaration(name: "--evaluation-point", valueName: nil,
                              help: "add columns e0,e1,… with the point the model is evaluated at (schedule-free's x; w itself for most rules)"),
        ])

    static func run(_ arguments: ParsedArguments, _ context: CommandContext) throws {
        let output = context.output
        let entry = try context.catalog.problem(named: arguments.value("--problem")!)
        guard entry.deterministic else {
            throw UsageError(message: "optbench trace: problem '\(entry.name)' is a finite sum; trace takes a deterministic problem ("
                             + context.catalog.problems.filter(\.deterministic).map(\.name).joined(separator: ", ") + "); use 'optbench run'",
                             command: "trace")
        }
        let instance = try entry.make(arguments.all("--set"))
        guard case .float64(let problem) = instance else {
            throw UsageError(message: "optbench trace: trace prints float64 iterates; drop dtype=float32", command: "trace")
        }
        let optimizerEntry = try context.catalog.optimizer(named: arguments.value("--optimizer")!)
        let optimizer = try optimizerEntry.make(arguments.all("--hp"))
        if let reason = Grid.incompatibility(optimizer, label: optimizerEntry.name, groups: [], problem: instance) {
            throw ConfigurationError("cannot run: \(reason)")
        }
        let steps = try declaration.number(arguments, "--steps", as: Int.self, expected: "a non-negative integer") ?? 10
        guard steps >= 0 else { throw UsageError(message: "optbench trace: --steps \(steps) is negative; expected ≥ 0", command: "trace") }
        var start = problem.initialPoint(seed: 0)
        if let text = arguments.value("--x0") {
            start = try ParameterDeclaration.vector("x0", [], "").parse(text, owner: "optbench trace --x0").vectorValue
            guard start.count == problem.dimension else {
                throw UsageError(message: "optbench trace: --x0 has \(start.count) value(s); problem '\(entry.name)' has dimension \(problem.dimension)",
                                 command: "trace")
            }
        }
        let rows = Runner.trace(optimizer.float64, on: problem, from: start, steps: steps)
        let withEvaluation = arguments.has("--evaluation-point")
        var lines = [(["step", "loss"] + (0..<problem.dimension).map { "x\($0)" }
                      + (withEvaluation ? (0..<problem.dimension).map { "e\($0)" } : [])).joined(separator: ",")]
        let diverged = rows.firstIndex { !$0.loss.isFinite || $0.point.contains { !$0.isFinite } }
        for (k, row) in rows.enumerated().prefix(diverged.map { $0 + 1 } ?? rows.count) {
            let evaluation = withEvaluation ? (row.evaluation ?? row.point).map(format17) : []
            lines.append(([String(k), format17(row.loss)] + row.point.map(format17) + evaluation).joined(separator: ","))
        }
        output(lines.joined(separator: "\n"))
        if let k = diverged {
            let row = rows[k]
            let what = row.loss.isFinite ? "the iterate is not finite" : "the loss is \(format17(row.loss))"
            context.errors("optbench trace: diverged at step \(k) of \(steps): \(what); the steps after it are not printed")
            throw ExitStatus(code: 1)
        }
    }
}

extension ParameterValue {
    var vectorValue: [Double] {
        if case .vector(let v) = self { return v }
        return []
    }
}
