import OptBenchCatalog
import OptBenchCore
import Foundation
import OptBenchKernels
import OptBenchOptimizers
import OptBenchProblems
import Testing
import TestSupport
@testable import OptBenchHarness

/// Every plugin file's entry is reachable by name: forgetting the one registry line fails here.
@Suite struct RegistrationTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources")

    /// The `name: "…"` of every `static let x = KindEntry(` in a source folder and its subfolders.
    func declaredNames(folder: String, kind: String) throws -> [String] {
        let dir = Self.sources.appendingPathComponent(folder)
        var names: [String] = []
        let files = FileManager.default.enumerator(atPath: dir.path)?.compactMap { $0 as? String } ?? []
        for file in files where file.hasSuffix(".swift") {
            let text = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
            // `Kind(name: "…"` wherever an entry is declared (a `static let`, or a computed `static var`).
            let pattern = try Regex("\\b" + kind + #"\(\s*name:\s*"([^"]+)""#)
            for match in text.matches(of: pattern) {
                if let name = match.output[1].substring { names.append(String(name)) }
            }
        }
        return names.sorted()
    }

    @Test func everyOptimizerFileIsRegistered() throws {
        let declared = try declaredNames(folder: "Optimizers", kind: "OptimizerEntry")
        #expect(declared.count >= 4)
        #expect(declared == Catalog.standard.optimizers.map(\.name).sorted())
    }

    @Test func everyProblemFileIsRegistered() throws {
        let declared = try declaredNames(folder: "Problems", kind: "ProblemEntry")
        #expect(declared.count >= 3)
        #expect(declared == Catalog.standard.problems.map(\.name).sorted())
    }

    @Test func namesAreUnique() {
        #expect(Set(Catalog.standard.optimizers.map(\.name)).count == Catalog.standard.optimizers.count)
        #expect(Set(Catalog.standard.problems.map(\.name)).count == Catalog.standard.problems.count)
    }

    /// Every registered optimizer builds with its defaults, and unknown or ill-typed
    /// hyper-parameters are refused with a message listing the valid names.
    @Test(arguments: Catalog.standard.optimizers.map(\.name))
    func rejectsUnknownHyperParameters(_ name: String) throws {
        let entry = try Catalog.standard.optimizer(named: name)
        _ = try entry.make()
        do {
            _ = try entry.make(["no_such_parameter=1"])
            Issue.record("accepted an unknown hyper-parameter")
        } catch {
            for p in entry.parameters { #expect(error.message.contains(p.name)) }
        }
        for p in entry.parameters where p.kind == .real || p.kind == .integer {
            #expect(throws: ConfigurationError.self) { try entry.make(["\(p.name)=not-a-number"]) }
        }
    }

    /// A new optimizer is one type with an entry, and the harness runs it.
    @Test func readmeExampleOptimizerRunsInTheHarness() throws {
        let sign = try OptimizerEntry.sign.make(["lr=0.01"])
        let w7 = try Catalog.standard.problem(named: "w7").make(["x0=0.9"])
        let r = Runner.run(sign, on: w7, seed: 0, rule: StoppingRule(target: 1e-3, maxEpochs: 100))
        // From 0.9 the step 0.01 moves w by exactly 0.01 towards 1 per epoch: 10 steps reach 1.
        #expect(r.status == .reached)
        #expect(r.epochsToTarget == 10)
    }
}

/// Sign descent, θ ← θ − η·sign(∇F(θ)).
public struct SignDescent<Scalar: KernelScalar>: Optimizer, ParameterSet {
    @HyperParameter("lr", range: 0...1e12, "learning rate η")
    public var lr = 1e-3
    public init() {}

    public struct State { var g: [Scalar] }
    public var requirements: Requirements { Requirements() }
    public func makeState(for oracle: GradientOracle<Scalar>, seed: UInt64) -> State {
        State(g: .init(repeating: 0, count: oracle.dimension))
    }
    public func step(_ w: UnsafeMutableBufferPointer<Scalar>, state: inout State, oracle: GradientOracle<Scalar>) {
        let eta = Scalar(lr)
        state.g.withUnsafeMutableBufferPointer { g in
            _ = oracle.lossAndGradient(at: UnsafeBufferPointer(w), into: g)   // charged: 1 epoch
            for i in 0..<w.count { w[i] -= eta * (g[i] > 0 ? 1 : g[i] < 0 ? -1 : 0) }
        }
    }
}

extension OptimizerEntry {
    public static let sign = OptimizerEntry(
        name: "sign", summary: "sign descent θ ← θ − η·sign(∇F)",
        float: SignDescent<Float>.self, double: SignDescent<Double>.self, groupsRefused: "one step for all parameters")
}
