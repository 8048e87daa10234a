import Testing
import Foundation
import Core
import Optimizers
import TestSupport

@Test(arguments: OptimizerRegistry.all.map(\.name))
func rejectsUnknownHyperParametersListingTheValidOnes(name: String) throws {
    let entry = try OptimizerRegistry.entry(named: name)
    do {
        _ = try entry.make(["no_such_parameter=1"])
        Issue.record("\(name) accepted an unknown parameter")
    } catch {
        #expect(error.message.contains("unknown parameter 'no_such_parameter'"))
        for spec in entry.parameters { #expect(error.message.contains(spec.name), "\(spec.name) missing from: \(error.message)") }
    }
}

@Test(arguments: OptimizerRegistry.all.map(\.name))
func rejectsOutOfRangeLearningRates(name: String) throws {
    let entry = try OptimizerRegistry.entry(named: name)
    guard entry.hasLearningRate else { return }
    #expect(throws: ConfigurationError.self) { try entry.make(["lr=-1"]) }
}

/// Defaults (and, on the generic path, the same problem without `.linearSamples`) go downhill.
@Test(arguments: OptimizerRegistry.all.map(\.name), [true, false])
func goesDownhillOnAQuadraticWithDefaults(name: String, linear: Bool) throws {
    let oracle = LinearModelOracle.random(n: 16, d: 4, l2Penalty: 0.1, linear: linear)
    let path = iterates(try rule(name), oracle: oracle, start: [1, -1, 2, 0.5], steps: 40)
    let first = path[0].withUnsafeBufferPointer { oracle.uncharged($0) }
    let last = path.last!.withUnsafeBufferPointer { oracle.uncharged($0) }
    #expect(last < first, "\(name): \(first) → \(last)")
}

@Test(arguments: OptimizerRegistry.all.map(\.name))
func isDeterministicUnderASeed(name: String) throws {
    func run() throws -> [[Double]] {
        let oracle = LinearModelOracle.random(n: 16, d: 4, l2Penalty: 0.1)
        return iterates(try rule(name, "lr=0.01"), oracle: oracle, start: [1, -1, 2, 0.5], steps: 50, seed: 42)
    }
    let a = try run(), b = try run()
    #expect(a.map { $0.map(\.bitPattern) } == b.map { $0.map(\.bitPattern) })
}

@Test func namesAreUnique() {
    let names = OptimizerRegistry.all.map(\.name)
    #expect(Set(names).count == names.count)
}

/// Every file under Sources/Optimizers that declares an entry has it in the registry.
@Test func everyOptimizerFileIsRegistered() throws {
    let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Sources/Optimizers").standardized
    let files = try FileManager.default.contentsOfDirectory(atPath: sources.path).filter { $0.hasSuffix(".swift") }
    var declared: [String] = []
    for file in files {
        let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
        guard text.contains("OptimizerEntry(") , file != "OptimizerRegistry.swift" else { continue }
        for part in text.components(separatedBy: "OptimizerEntry(").dropFirst() {
            guard let open = part.range(of: "name: \"") else { continue }
            let rest = part[open.upperBound...]
            declared.append(String(rest[..<rest.firstIndex(of: "\"")!]))
        }
    }
    #expect(declared.count >= 9)
    for name in declared { #expect(OptimizerRegistry.all.contains { $0.name == name }, "\(name) is not in OptimizerRegistry.all") }
}
