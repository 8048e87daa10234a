import Testing
import OptBenchCore
import OptBenchOptimizers
import TestSupport

/// A small network's layout: d = 9 in four blocks of roles weight and bias.
let networkLayout = ParameterLayout([
    ("layer.weight", [2, 2], .weight), ("layer.bias", [2], .bias),
    ("out.weight", [1, 2], .weight), ("out.bias", [1], .bias),
])
let curvature: [Double] = [1, 2, 3, 4, 5, 6, 7, 8, 9]
let target: [Double] = [1, -1, 0.5, 2, 0, 1, -2, 0.25, 3]
let start: [Double] = [0.5, 1, -1, 2, 1, -0.5, 0.25, 1.5, -1]

func network<S>(_: S.Type = Double.self) -> TestObjective<S> {
    TestObjective<S>.quadratic(diagonal: curvature, linear: target, layout: networkLayout)
}

func groups(_ words: String...) throws -> [ParameterGroup] { try words.map { try ParameterGroup(parsing: $0) } }

/// `bias:weight_decay=0` and `out.weight:lr=0.5` on GD with lr 0.1 and weight decay 0.1: one
/// step by hand, θ_j − η_j(g_j + λ_j θ_j), per block.
@Test func groupOverridesChangeExactlyTheNamedBlocks() throws {
    let o = oracle(network())
    let grouped = try configured("gd", ["lr=0.1", "weight_decay=0.1"], groups: groups("bias:weight_decay=0", "out.weight:lr=0.5"))
    let path = iterates(grouped.float64, oracle: o, start: start, steps: 1)
    let plain = iterates(try rule("gd", "lr=0.1", "weight_decay=0.1"), oracle: oracle(network()), start: start, steps: 1)
    let lr = [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.5, 0.5, 0.1]
    let decay = [0.1, 0.1, 0.1, 0.1, 0, 0, 0.1, 0.1, 0]
    for j in 0..<9 {
        let g = curvature[j] * start[j] - target[j]
        let byHand = start[j] - lr[j] * (g + decay[j] * start[j])
        #expect(isClose(path[1][j], byHand, rtol: 1e-14), "entry \(j)")
    }
    // Blocks no group names take the ungrouped step bit for bit; every named entry moves differently.
    for j in 0..<4 { #expect(path[1][j] == plain[1][j], "entry \(j)") }
    for j in 4..<9 { #expect(path[1][j] != plain[1][j], "entry \(j)") }
    #expect(o.charges.full == 1)
}

/// A group with momentum 0 is GD on its blocks while the others keep heavy-ball momentum; each
/// block's path equals the ungrouped rule's with that group's values.
@Test func groupMomentumOverrideSplitsTheRule() throws {
    let grouped = try configured("momentum", ["lr=0.05", "momentum=0.9"], groups: groups("bias:momentum=0", "out.weight:nesterov=true"))
    let path = iterates(grouped.float64, oracle: oracle(network()), start: start, steps: 4)
    let heavyBall = iterates(try rule("momentum", "lr=0.05", "momentum=0.9"), oracle: oracle(network()), start: start, steps: 4)
    let nesterov = iterates(try rule("nesterov", "lr=0.05", "momentum=0.9"), oracle: oracle(network()), start: start, steps: 4)
    let gd = iterates(try rule("gd", "lr=0.05"), oracle: oracle(network()), start: start, steps: 4)
    for t in 0...4 {
        for j in 0..<4 { #expect(path[t][j] == heavyBall[t][j]) }
        for j in [4, 5, 8] { #expect(path[t][j] == gd[t][j]) }
        for j in [6, 7] { #expect(path[t][j] == nesterov[t][j]) }
    }
}

@Test func scheduleScalesEveryGroupsRate() throws {
    // F = ½Σ h w², step schedule halving every epoch: the bias group's lr 0.15 halves too.
    let f = TestObjective<Double>.quadratic(diagonal: curvature, layout: networkLayout)
    let grouped = try configured("gd", ["lr=0.1", "schedule=step", "step_size=1", "gamma=0.5"], groups: groups("bias:lr=0.15"))
    let path = iterates(grouped.float64, oracle: oracle(f), start: start, steps: 2)
    for j in 0..<9 {
        let lr = networkLayout.blocks.first { $0.range.contains(j) }!.role == .bias ? 0.15 : 0.1
        let w1 = start[j] - lr * curvature[j] * start[j]
        let w2 = w1 - 0.5 * lr * curvature[j] * w1
        #expect(isClose(path[2][j], w2, rtol: 1e-14), "entry \(j)")
    }
}

@Test func groupsWorkInFloat() throws {
    let grouped = try configured("sgd", ["lr=0.1", "weight_decay=0.1", "batch_size=1"], groups: groups("bias:weight_decay=0"))
    let f32 = iterates(grouped.float32, oracle: oracle(network(Float.self)), start: start.map { Float($0) }, steps: 3)
    let f64 = iterates(grouped.float64, oracle: oracle(network()), start: start, steps: 3)
    for (x, y) in zip(f32, f64) { #expect(isClose(x.map { Double($0) }, y, rtol: 1e-6, atol: 1e-6)) }
}

@Test func mergedGroupsWithOneSelectorCombineTheirAssignments() throws {
    let split = try configured("gd", ["lr=0.1", "weight_decay=0.1"], groups: groups("bias:weight_decay=0", "bias:lr=0.3"))
    let joined = try configured("gd", ["lr=0.1", "weight_decay=0.1"],
                                groups: [ParameterGroup(selector: "bias", assignments: ["weight_decay=0", "lr=0.3"])])
    let a = iterates(split.float64, oracle: oracle(network()), start: start, steps: 2)
    let b = iterates(joined.float64, oracle: oracle(network()), start: start, steps: 2)
    #expect(a == b)
    #expect(isClose(a[1][4], start[4] - 0.3 * (curvature[4] * start[4] - target[4]), rtol: 1e-15))
}

/// A selector naming no block, or two groups naming one block, do not fit the layout: the
/// harness's check (`ParameterGroup.assignment`) says why before a run, and a run started
/// anyway takes no step and charges nothing instead of using the wrong values.
@Test(arguments: [["embedding:lr=0.5"], ["bias:lr=0.5", "out.bias:weight_decay=0"]])
func groupsThatDoNotFitTheLayoutAreErrors(words: [String]) throws {
    let given = try words.map { try ParameterGroup(parsing: $0) }
    #expect(throws: ConfigurationError.self) { try ParameterGroup.assignment(of: ParameterGroup.merged(given), to: networkLayout) }
    let o = oracle(network())
    let path = iterates(try configured("sgd", [], groups: given).float64, oracle: o, start: start, steps: 2)
    #expect(path.last! == start)
    #expect(o.charges == EpochCharges())
}

@Test(arguments: [
    ("bias:momentun=0", "unknown parameter 'momentun'"),
    ("bias:batch_size=4", "cannot be set per group"),
    ("bias:schedule=step", "cannot be set per group"),
    ("bias:lr=-1", "out of range"),
    ("bias:nesterov=true", "nesterov=true requires momentum > 0"),
])
func groupAssignmentsAreValidatedLikeHyperParameters(word: String, message: String) throws {
    do {
        _ = try configured("sgd", [], groups: groups(word))
        Issue.record("\(word) accepted")
    } catch let error as ConfigurationError {
        #expect(error.message.contains(message), "\(error.message)")
        #expect(error.message.contains("'bias'"), "\(error.message)")
    }
}

@Test func repeatedKeyInAGroupIsRefused() throws {
    #expect(throws: ConfigurationError.self) { try configured("sgd", [], groups: groups("bias:lr=0.1", "bias:lr=0.2")) }
}

@Test(arguments: ["svrg", "saga", "rcd", "bb", "lbfgs"])
func rulesWithoutGroupsRefuseThemNamingTheRule(name: String) throws {
    do {
        _ = try configured(name, [], groups: groups("parameters:lr=0.5"))
        Issue.record("\(name) accepted a parameter group")
    } catch let error as ConfigurationError {
        #expect(error.message.contains("optimizer '\(name)'") && error.message.contains("parameter groups"), "\(error.message)")
    }
    #expect(try configured(name, []).requirements.parameterGroups == false)
}
