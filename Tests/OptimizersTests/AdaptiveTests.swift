import OptBenchCatalog
import OptBenchHarness
import Testing
import OptBenchCore
import OptBenchKernels
import OptBenchOptimizers
import TestSupport

/// The adaptive rules' names, each with a rate at which it converges on the float32 test problem.
let adaptiveRules: [(String, [String])] = [
    ("adagrad", ["lr=0.5"]),
    ("rmsprop", ["lr=0.01", "schedule=inverse-power", "power=0.5"]),
    ("adam", ["lr=0.05", "schedule=inverse-power"]),
    ("amsgrad", ["lr=0.05", "schedule=inverse-power"]),
    ("adamw", ["lr=0.05", "weight_decay=0", "schedule=inverse-power"]),
    ("nadam", ["lr=0.05", "schedule=inverse-power"]),
    ("adadelta", ["lr=0.3"]),
    ("adamax", ["lr=0.02"]),
    ("radam", ["lr=0.05"]),
    ("nadamw", ["lr=0.05", "schedule=inverse-power"]),
]

/// Every adaptive rule runs in float32 with the same code as in float64: full-gradient runs on
/// a least-squares problem (d = 20, a partial last vector) reach a relative suboptimality of
/// 1e-4 against the float64 minimiser, in both precisions.
@Test(arguments: adaptiveRules.map(\.0))
func float32ReachesTheTargetOnLeastSquares(name: String) throws {
    let settings = adaptiveRules.first { $0.0 == name }!.1
    let optimizer = try configured(name, settings)
    let fStar = value(TestLeastSquares<Double>.random(n: 64, d: 20, l2Penalty: 0.05),
                      TestLeastSquares<Double>.random(n: 64, d: 20, l2Penalty: 0.05).minimizer())
    func suboptimality<S: KernelScalar>(_ run: AnyOptimizer<S>) -> Double {
        let f = TestLeastSquares<S>.random(n: 64, d: 20, l2Penalty: 0.05)
        let start = [S](repeating: 0, count: 20)
        let path = iterates(run, oracle: oracle(f), start: start, steps: 3000)
        return (value(f, path.last!) - fStar) / (value(f, start) - fStar)
    }
    let single = suboptimality(optimizer.float32), double = suboptimality(optimizer.float64)
    #expect(single <= 1e-4, "\(name) float32: \(single)")
    #expect(double <= 1e-4, "\(name) float64: \(double)")
}

/// Parameter groups (torch's param_groups) give each block its group's Adam: the weights keep
/// the base rule, the biases run AMSGrad with another rate, each as if run alone.
@Test func adamGroupsRunEachBlockWithItsOwnRule() throws {
    let grouped = try configured("adam", ["lr=0.05", "betas=0.5,0.9"], groups: groups("bias:amsgrad=true", "bias:lr=0.02"))
    let path = iterates(grouped.float64, oracle: oracle(network()), start: start, steps: 20)
    let base = iterates(try rule("adam", "lr=0.05", "betas=0.5,0.9"), oracle: oracle(network()), start: start, steps: 20)
    let biases = iterates(try rule("amsgrad", "lr=0.02", "betas=0.5,0.9"), oracle: oracle(network()), start: start, steps: 20)
    let biasEntries = [4, 5, 8]
    for t in 0...20 {
        for j in 0..<9 { #expect(path[t][j] == (biasEntries.contains(j) ? biases : base)[t][j], "step \(t), entry \(j)") }
    }
}

@Test func betasOfOneAreRefused() throws {
    for name in ["adam", "amsgrad", "adamw", "nadam"] {
        do {
            _ = try configured(name, ["betas=0.9,1"])
            Issue.record("\(name) accepted β₂ = 1")
        } catch let error as ConfigurationError {
            #expect(error.message.contains("betas=0.9,1") && error.message.contains("[0, 1)"), "\(error.message)")
        }
    }
    #expect(throws: ConfigurationError.self) { try configured("adam", ["betas=0.9"]) }
    #expect(throws: ConfigurationError.self) { try configured("rmsprop", ["alpha=1", "bias_correction=true"]) }
    #expect(throws: ConfigurationError.self) { try configured("rmsprop", ["centered=true", "bias_correction=true"]) }
    #expect(throws: ConfigurationError.self) { try configured("adam", [], groups: groups("bias:betas=1,0.9")) }
}

/// torch's defaults, as `optbench list` shows them.
@Test func adaptiveDefaultsAreTorchs() throws {
    func defaults(_ name: String) throws -> String { try Catalog.standard.optimizer(named: name).parameters([]).description }
    #expect(try defaults("adam").hasPrefix("lr=0.001 betas=0.9,0.999 eps=1e-08 weight_decay=0 amsgrad=false decoupled_weight_decay=false"))
    #expect(try defaults("amsgrad").contains("amsgrad=true"))
    #expect(try defaults("adamw").hasPrefix("lr=0.001 betas=0.9,0.999 eps=1e-08 weight_decay=0.01 amsgrad=false decoupled_weight_decay=true"))
    #expect(try defaults("nadam").hasPrefix("lr=0.002 betas=0.9,0.999 eps=1e-08 weight_decay=0 momentum_decay=0.004 decoupled_weight_decay=false"))
    #expect(try defaults("rmsprop").hasPrefix("lr=0.01 alpha=0.99 eps=1e-08 weight_decay=0 momentum=0 centered=false"))
    #expect(try defaults("adagrad").hasPrefix("lr=0.01 lr_decay=0 weight_decay=0 initial_accumulator_value=0 eps=1e-10"))
    #expect(try defaults("adadelta").hasPrefix("lr=1 rho=0.9 eps=1e-06 weight_decay=0"))
}
