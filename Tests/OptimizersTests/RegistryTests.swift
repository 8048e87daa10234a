import OptBenchCatalog
import OptBenchHarness
import Testing
import Foundation
import OptBenchCore
import OptBenchKernels
import OptBenchOptimizers
import TestSupport

@Test(arguments: Catalog.standard.optimizers.map(\.name))
func rejectsUnknownHyperParametersListingTheValidOnes(name: String) throws {
    let entry = try Catalog.standard.optimizer(named: name)
    do {
        _ = try entry.make(["no_such_parameter=1"])
        Issue.record("\(name) accepted an unknown parameter")
    } catch {
        #expect(error.message.contains("unknown parameter 'no_such_parameter'"))
        for spec in entry.parameters { #expect(error.message.contains(spec.name), "\(spec.name) missing from: \(error.message)") }
    }
}

@Test(arguments: Catalog.standard.optimizers.map(\.name))
func rejectsOutOfRangeLearningRates(name: String) throws {
    let entry = try Catalog.standard.optimizer(named: name)
    guard entry.hasLearningRate else { return }
    #expect(throws: ConfigurationError.self) { try entry.make(["lr=-1"]) }
}

@Test(arguments: Catalog.standard.optimizers.map(\.name))
func rejectsRepeatedHyperParameters(name: String) throws {
    #expect(throws: ConfigurationError.self) { try configured(name, ["lr=0.1", "lr=0.2"]) }
}

/// Defaults (and, on the generic path, the same problem without its linear-model view) go downhill.
@Test(arguments: leastSquaresRules, [true, false])
func goesDownhillOnAQuadraticWithDefaults(name: String, linear: Bool) throws {
    let f = TestLeastSquares<Double>.random(n: 16, d: 4, l2Penalty: 0.1, linear: linear)
    let path = iterates(try rule(name), oracle: oracle(f), start: [1, -1, 2, 0.5], steps: 40)
    let first = value(f, path[0]), last = value(f, path.last!)
    #expect(last < first, "\(name): \(first) → \(last)")
}

@Test(arguments: leastSquaresRules)
func isDeterministicUnderASeed(name: String) throws {
    func run() throws -> [[Double]] {
        iterates(try rule(name, "lr=0.01"), oracle: oracle(TestLeastSquares<Double>.random(n: 16, d: 4, l2Penalty: 0.1)),
                 start: [1, -1, 2, 0.5], steps: 50, seed: 42)
    }
    let a = try run(), b = try run()
    #expect(a.map { $0.map(\.bitPattern) } == b.map { $0.map(\.bitPattern) })
}

/// Settings under which every rule makes real progress in 25 steps on the test least squares.
func progressSettings(_ name: String) -> [String] {
    switch name {
    case "lbfgs": []
    case "bb": ["lr=0.05"]
    case "rcd": ["lr=0.5", "sampling=lipschitz"]
    case "adadelta": ["lr=1", "eps=1e-3"]
    // Prodigy's d starts at d0 and grows from the distance travelled; Muon steps a 1-D block by its AdamW.
    case "prodigy": ["d0=0.1"]
    case "muon": ["adamw_lr=0.05"]
    default: ["lr=0.05"]
    }
}

/// Every entry in both precisions: Float and Double runs go downhill, and their iterates agree
/// to about Float's precision (same seed, so the same samples).
@Test(arguments: leastSquaresRules, [true, false])
func floatAndDoubleIteratesAgree(name: String, linear: Bool) throws {
    let settings = progressSettings(name)
    let optimizer = try configured(name, settings)
    let steps = 25, start: [Double] = [1, -1, 2, 0.5]
    let f64 = TestLeastSquares<Double>.random(n: 16, d: 4, l2Penalty: 0.1, linear: linear)
    let f32 = TestLeastSquares<Float>.random(n: 16, d: 4, l2Penalty: 0.1, linear: linear)
    let double = iterates(optimizer.float64, oracle: oracle(f64), start: start, steps: steps, seed: 3)
    let float = iterates(optimizer.float32, oracle: oracle(f32), start: start.map { Float($0) }, steps: steps, seed: 3)
    #expect(value(f64, double.last!) < 0.9 * value(f64, double[0]), "\(name) float64 barely moved")
    #expect(value(f32, float.last!) < 0.9 * value(f32, float[0]), "\(name) float32 barely moved")
    for (t, (x, y)) in zip(float, double).enumerated() {
        let scale = y.map(abs).max()!
        let worst = zip(x, y).map { abs(Double($0) - $1) }.max()!
        #expect(worst <= 1e-4 * max(1, scale), "\(name) step \(t): \(x) vs \(y)")
    }
}

@Test func namesAreUnique() {
    let names = Catalog.standard.optimizers.map(\.name)
    #expect(Set(names).count == names.count)
}

@Test func unknownOptimizerListsTheRegisteredOnes() {
    do {
        _ = try Catalog.standard.optimizer(named: "adamx")
        Issue.record("adamx found")
    } catch {
        for entry in Catalog.standard.optimizers { #expect(error.message.contains(entry.name)) }
    }
}

/// Every file under Sources/Optimizers that declares an entry has it in the registry.
@Test func everyOptimizerFileIsRegistered() throws {
    let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Sources/Optimizers").standardized
    let enumerator = try #require(FileManager.default.enumerator(atPath: sources.path))
    var declared: [String] = []
    for case let file as String in enumerator where file.hasSuffix(".swift") {
        let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
        for part in text.components(separatedBy: "= OptimizerEntry(").dropFirst() {
            guard let open = part.range(of: "name: \"") else { continue }
            let rest = part[open.upperBound...]
            declared.append(String(rest[..<rest.firstIndex(of: "\"")!]))
        }
    }
    #expect(declared.count >= 16)
    for name in declared { #expect(Catalog.standard.optimizers.contains { $0.name == name }, "\(name) is not in Catalog.standard.optimizers") }
}

/// The generic least-squares tests leave out only the rules that need a view least squares lacks.
@Test func onlyKFACIsLeftOutOfTheLeastSquaresTests() {
    #expect(Set(Catalog.standard.optimizers.map(\.name)).subtracting(leastSquaresRules) == ["kfac"])
}
