import OptBenchCatalog
import Foundation
import OptBenchHarness
import OptBenchOptimizers
import OptBenchProblems
import Testing
import TestSupport
@testable import OptBenchCLI

/// What a new user runs into: incompatible pairs, repeated keys, bad paths. Each is refused
/// with exit status 2 and a plain reason, before any work.
@Suite struct RefusalTests {
    @Test func lipschitzCoordinateDescentOnDeepLinearIsRefused() {
        let r = optbench("run", "--problem", "deep-linear", "--optimizer", "rcd", "--hp", "sampling=lipschitz")
        #expect(r.status == 2, "\(r.err)")
        #expect(r.err.contains("rcd") && r.err.contains("deep-linear") && r.err.contains("does not offer"))
    }

    /// Every registered problem × optimizer (and Lipschitz R-CD): a pair the harness calls
    /// incompatible is refused by `run` with that reason; every other pair runs an epoch.
    @Test func everyPairRunsOrIsRefusedWithItsReason() throws {
        var optimizers: [(String, [String])] = Catalog.standard.optimizers.map { ($0.name, []) }
        optimizers.append(("rcd", ["sampling=lipschitz", "lr=1"]))
        // The networks at small sizes: what is compatible does not depend on them.
        let small = ["mlp": ["samples=64", "test_samples=16", "width=8"],
                     "resnet": ["depth=8", "width=2", "samples=32", "test_samples=8"]]
        for problem in Catalog.standard.problems {
            let settings = small[problem.name] ?? []
            let instance = try problem.make(settings)
            for (name, hp) in optimizers {
                let configured = try Catalog.standard.optimizer(named: name).make(hp)
                let reason = Grid.incompatibility(configured, label: name, groups: [], problem: instance)
                let r = optbench(["run", "--problem", problem.name, "--optimizer", name, "--epochs", "1"]
                                 + settings.flatMap { ["--set", $0] } + hp.flatMap { ["--hp", $0] })
                if let reason {
                    // The reason names the optimizer with its hyper-parameters; what is missing is the same.
                    let missing = reason.components(separatedBy: " needs ").last ?? reason
                    #expect(r.status == 2 && r.err.contains(missing), "\(problem.name) × \(name): \(r.err) vs \(reason)")
                } else {
                    #expect(r.status == 0, "\(problem.name) × \(name): \(r.err)")
                }
            }
        }
    }

    /// Sizes that cannot fit in memory are refused before anything is allocated.
    @Test func oversizedSyntheticProblemsAreRefused() {
        let ls = optbench("run", "--problem", "least-squares", "--set", "n=100000000", "--set", "d=100000", "--optimizer", "gd")
        #expect(ls.status == 2 && ls.err.contains("n=100000000 d=100000") && ls.err.contains("2^30"), "\(ls.err)")
        let net = optbench("run", "--problem", "deep-linear", "--set", "widths=1e300,3", "--optimizer", "gd")
        #expect(net.status == 2 && net.err.contains("widths"), "\(net.err)")
    }

    /// A rule that stops evaluating short of ε is `stalled`, not out of budget.
    @Test func aRuleThatStopsIsStalled() {
        let r = optbench("run", "--problem", "w7", "--optimizer", "lbfgs", "--hp", "tolerance_grad=1e10", "--epochs", "50")
        #expect(r.status == 0 && r.out.contains("status     stalled"), "\(r.out)")
    }

    /// Whitespace around a setting's key and value is not part of them (the rule `--set`'s help
    /// states): `' p = 3 '` is `p=3`, same label and result; an empty key or value is refused.
    @Test func spacesAroundKeyAndValueAreIgnored() {
        let plain = optbench("run", "--problem", "w7", "--set", "p=3", "--optimizer", "gd", "--epochs", "2")
        for word in ["p= 3", " p = 3 ", "p =3"] {
            let spaced = optbench("run", "--problem", "w7", "--set", word, "--optimizer", "gd", "--epochs", "2")
            #expect(spaced.status == 0 && spaced.out.contains("w7(p=3)"), "'\(word)': \(spaced.err)")
            // Same lines but the timing.
            #expect(spaced.out.split(separator: "\n").filter { !$0.hasPrefix("epochs") && !$0.hasPrefix("peak") }
                    == plain.out.split(separator: "\n").filter { !$0.hasPrefix("epochs") && !$0.hasPrefix("peak") })
        }
        for word in [" =3", "p= ", "p="] {
            let r = optbench("run", "--problem", "w7", "--set", word, "--optimizer", "gd")
            #expect(r.status == 2 && (r.err.contains("is not of the form key=value") || r.err.contains("is not valid")), "'\(word)': \(r.err)")
        }
        let hp = optbench("run", "--problem", "w7", "--optimizer", "gd", "--hp", " lr = 0.01", "--epochs", "1")
        #expect(hp.status == 0 && hp.out.contains("lr=0.01"), "\(hp.err)")
    }

    @Test func repeatedKeysAreErrors() {
        let hp = optbench("run", "--problem", "w7", "--optimizer", "gd", "--hp", "lr=0.1", "--hp", "lr=0.2")
        #expect(hp.status == 2 && hp.err.contains("'lr' is given more than once"))
        let set = optbench("run", "--problem", "least-squares", "--set", "n=50", "--set", "n=60", "--optimizer", "gd")
        #expect(set.status == 2 && set.err.contains("'n' is given more than once"))
    }

    @Test func helpRunPrintsRunsHelp() {
        let r = optbench("help", "run")
        #expect(r.status == 0 && r.out.hasPrefix("usage: optbench run"))
        #expect(r.out == optbench("run", "--help").out)
        #expect(optbench("help", "nope").status == 2)
    }

    /// An unwritable --out is refused before the run, in a plain sentence.
    @Test(arguments: ["/proc/optbench-x", "FILE"])
    func unwritableOutputIsRefusedFirst(_ path: String) throws {
        var target = path
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("optbench-file-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        if path == "FILE" {
            try Data("x".utf8).write(to: file)
            target = file.path
        }
        let r = optbench("run", "--problem", "least-squares", "--optimizer", "gd", "--out", target)
        #expect(r.status == 2, "\(r.err)")
        #expect(r.err.contains("--out \(target)") && !r.err.contains("NSCocoaErrorDomain"))
        #expect(r.out.isEmpty)
        let b = optbench("bench", "--suite", "default", "--out", target)
        #expect(b.status == 2 && b.err.contains("--out \(target)"))
    }

    @Test func groupsNamingNoBlockAreRefused() {
        let r = optbench("run", "--problem", "least-squares", "--optimizer", "sgd", "--group", "bias:weight_decay=0")
        #expect(r.status == 2 && r.err.contains("'bias' names no block"), "\(r.err)")
        let ok = optbench("run", "--problem", "least-squares", "--optimizer", "sgd", "--group", "parameters:weight_decay=0.01",
                          "--epochs", "2")
        #expect(ok.status == 0, "\(ok.err)")
        let lbfgs = optbench("run", "--problem", "least-squares", "--optimizer", "lbfgs", "--group", "parameters:lr=0.5")
        #expect(lbfgs.status == 2 && lbfgs.err.contains("group"), "\(lbfgs.err)")
        let malformed = optbench("run", "--problem", "least-squares", "--optimizer", "sgd", "--group", "weight_decay=0")
        #expect(malformed.status == 2 && malformed.err.contains("SELECTOR:KEY=VALUE"))
    }
}

/// A user's least-squares data in IDX files: from w = 0 (the default start), GD at 1/L takes
/// exactly as many epochs to a relative suboptimality of 1e-6 as the plain numpy loop
/// `w -= lr·Xᵀ(Xw − y)/n` (Tests/Fixtures/make_user_least_squares.py, which also checks the
/// crossing is not borderline).
@Suite struct UserDataTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/user_least_squares")

    @Test func gradientDescentEpochsMatchTheNumpyLoop() throws {
        let expected = try String(contentsOf: Self.fixtures.appendingPathComponent("expected.txt"), encoding: .utf8)
        var values: [String: String] = [:]
        for line in expected.split(separator: "\n") {
            let kv = line.split(separator: "=", maxSplits: 1).map(String.init)
            values[kv[0]] = kv[1]
        }
        let lr = try #require(values["lr"]), epochs = try #require(values["epochs"])
        let r = optbench("run", "--problem", "least-squares",
                         "--set", "data=\(Self.fixtures.appendingPathComponent("X.idx").path)",
                         "--set", "targets=\(Self.fixtures.appendingPathComponent("y.idx").path)",
                         "--optimizer", "gd", "--hp", "lr=\(lr)", "--epochs", "1000")
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("status     reached at epoch \(epochs)\n"), "\(r.out)")
    }

    @Test func syntheticSettingsWithDataAreRefused() {
        let r = optbench("run", "--problem", "least-squares",
                         "--set", "data=\(Self.fixtures.appendingPathComponent("X.idx").path)",
                         "--set", "targets=\(Self.fixtures.appendingPathComponent("y.idx").path)",
                         "--set", "kappa=10", "--optimizer", "gd")
        #expect(r.status == 2 && r.err.contains("kappa"), "\(r.err)")
    }

    /// Targets whose squares overflow: refused at load, naming the file and the entry, never a
    /// made-up F* or a "reached at epoch 0".
    @Test func overflowingTargetsAreRefusedAtLoad() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("optbench-overflow-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func idx(_ shape: [UInt32], _ values: [Double]) -> Data {
            var d = Data([0, 0, 0x0E, UInt8(shape.count)])
            for s in shape { withUnsafeBytes(of: s.bigEndian) { d.append(contentsOf: $0) } }
            for v in values { withUnsafeBytes(of: v.bitPattern.bigEndian) { d.append(contentsOf: $0) } }
            return d
        }
        let x = dir.appendingPathComponent("X.idx"), y = dir.appendingPathComponent("y.idx")
        try idx([1, 2], [1, 2]).write(to: x)
        try idx([1], [1e160]).write(to: y)
        let r = optbench("run", "--problem", "least-squares", "--set", "data=\(x.path)", "--set", "targets=\(y.path)", "--optimizer", "gd")
        #expect(r.status == 2 && r.err.contains(y.path), "\(r.err)")
        #expect(!r.out.contains("reached"))
    }
}
