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

    /// Every integer option of every command refuses a fraction (and `--epochs`, once a real,
    /// is an integer as its `N` says), naming the option and the integer expected.
    @Test(arguments: [
        ["run", "--problem", "w7", "--optimizer", "gd", "--epochs", "1.5"],
        ["run", "--problem", "w7", "--optimizer", "gd", "--seed", "1.5"],
        ["trace", "--problem", "w7", "--optimizer", "gd", "--steps", "1.5"],
        ["bench", "--problem", "w7", "--optimizer", "gd", "--out", "/tmp/optbench-never", "--epochs", "1.5"],
        ["bench", "--problem", "w7", "--optimizer", "gd", "--out", "/tmp/optbench-never", "--seeds", "1.5"],
        ["bench", "--problem", "w7", "--optimizer", "gd", "--out", "/tmp/optbench-never", "--seeds", "100000000000"],
        ["bench", "--suite", "smoke", "--jobs", "1.5"],
        ["bench", "--suite", "smoke", "--kernel-threads", "1.5"],
        ["bench", "--suite", "smoke", "--out", "/tmp/optbench-never", "--shard", "1.5/2"],
        ["bench", "--suite", "smoke", "--out", "/tmp/optbench-never", "--shard", "1/1e9"],
        ["merge", "/tmp/optbench-never", "--out", "/tmp/optbench-never", "--jobs", "1.5"],
    ])
    func fractionalIntegerOptionsAreRefused(_ arguments: [String]) {
        defer { try? FileManager.default.removeItem(atPath: "/tmp/optbench-never") }
        let option = arguments[arguments.count - 2], value = arguments[arguments.count - 1]
        let r = optbench(arguments)
        #expect(r.status == 2, "\(arguments): \(r.out)")
        #expect(r.err.contains("\(option) \(value) is not valid") && r.err.contains("integer"), "\(arguments): \(r.err)")
        #expect(!FileManager.default.fileExists(atPath: "/tmp/optbench-never/table.json"))
    }

    /// Labels of 255 in a file, with `classes` left at its default of 10: refused with the file,
    /// the label and the range, not a 256-class model; with classes=256 the same files run.
    @Test func labelsBeyondTheDefaultClassesAreRefused() throws {
        let dir = try IDXFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let images = try IDXFixture.write(IDXFixture.bytes(type: 0x08, dims: [3, 2, 2], payload: [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110]),
                                          "images.idx", in: dir)
        let labels = try IDXFixture.write(IDXFixture.bytes(type: 0x08, dims: [3], payload: [0, 255, 1]), "labels.idx", in: dir)
        let run = ["run", "--problem", "mlp", "--set", "train-images=\(images)", "--set", "train-labels=\(labels)", "--set", "width=2",
                   "--optimizer", "gd", "--epochs", "1"]
        let r = optbench(run)
        #expect(r.status == 2 && r.err.contains("file \(labels): label 1 is 255; expected a class in 0..<10 (classes = 10)"), "\(r.out)\(r.err)")
        #expect(optbench(run + ["--set", "classes=256"]).status == 0)
    }

    /// A float IDX whose largest |x| is subnormal (2⁻¹³⁰): preprocess=unit divides by it, so the
    /// run sees finite features, not 0·∞.
    @Test func subnormalFloatImagesScaleToFiniteFeatures() throws {
        let dir = try IDXFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let values: [Float] = [0x1p-130, -0x1p-131, 0x1p-132, 0, 0x1p-131, 0, -0x1p-130, 0x1p-133]
        var payload: [UInt8] = []
        for v in values { withUnsafeBytes(of: v.bitPattern.bigEndian) { payload += $0 } }
        let images = try IDXFixture.write(IDXFixture.bytes(type: 0x0D, dims: [2, 2, 2], payload: payload), "images.idx", in: dir)
        let labels = try IDXFixture.write(IDXFixture.bytes(type: 0x08, dims: [2], payload: [0, 1]), "labels.idx", in: dir)
        let r = optbench("run", "--problem", "mlp", "--set", "train-images=\(images)", "--set", "train-labels=\(labels)", "--set", "width=2",
                         "--set", "dtype=float64", "--optimizer", "gd", "--epochs", "2")
        #expect(r.status == 0, "\(r.err)")
        #expect(!r.out.contains("diverged") && !r.out.lowercased().contains("nan"), "\(r.out)")
    }

    /// `index` into a folder it cannot write: exit 2 naming the page, not a raw Foundation error.
    @Test func indexIntoAnUnwritableFolderIsRefused() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("optbench-index-ro-\(UUID().uuidString)")
        let suite = root.appendingPathComponent("records")
        try FileManager.default.createDirectory(at: suite, withIntermediateDirectories: true)
        defer {
            chmod(root.path, 0o755)
            try? FileManager.default.removeItem(at: root)
        }
        try FileManager.default.copyItem(atPath: IDXFixture.fixture("records/table.json"), toPath: suite.appendingPathComponent("table.json").path)
        #expect(optbench("index", root.path).status == 0)
        // Root writes through a chmod; nobody writes a file where a non-empty folder stands.
        let page = root.appendingPathComponent("index.html")
        try FileManager.default.removeItem(at: page)
        try FileManager.default.createDirectory(at: page.appendingPathComponent("x"), withIntermediateDirectories: true)
        let r = optbench("index", root.path)
        #expect(r.status == 2 && r.err.contains("file \(page.path): cannot be written") && r.err.contains("expected a writable folder"), "\(r.err)")
        try FileManager.default.removeItem(at: page)
        if getuid() != 0 {
            chmod(root.path, 0o555)
            let ro = optbench("index", root.path)
            #expect(ro.status == 2 && ro.err.contains("file \(page.path): cannot be written"), "\(ro.err)")
        }
    }
}
