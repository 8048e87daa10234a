import Foundation
import OptBenchCatalog
import OptBenchHarness
import OptBenchProblems
import Testing
@testable import OptBenchCLI

/// Each problem's memory estimate against the memory a process running it actually takes.
///
/// How it is measured: the `optbench` binary (`InterruptionTests.binary()`) runs the problem in
/// a child process — construction and two epochs of GD — and reports the peak resident set of
/// that process, the kernel's high-water mark VmHWM of /proc/self/status, read after the run.
/// (`wait4`'s `ru_maxrss` would not do: a child started by posix_spawn shares the parent's
/// memory until it executes, and the kernel carries that high-water mark over.) A fresh process per size means
/// no heap left over from other tests, no freed pages reused, and nothing of the parallel tests
/// in the figure. The same binary running `w7` (a problem of a few bytes) gives the baseline —
/// the runtime, the code, the kernels' thread stacks — and the difference is what the problem
/// took. The resident set counts pages written, which is what the estimate counts. Its
/// resolution is a few hundred kB of run-to-run jitter, so the comparison within 2× is made
/// for sizes of tens of MB and more; the toy problems, whose memory is a few values, are held
/// below that resolution instead.
@Suite(.serialized) struct MemoryEstimateTests {
    /// The child's peak resident set in bytes, as its `run` reports it (VmHWM), or nil when it
    /// could not be run or failed.
    static func peakResidentSet(_ arguments: [String]) -> Int? {
        guard let binary = InterruptionTests.binary() else { return nil }
        let p = Process()
        p.executableURL = binary
        p.arguments = arguments
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return nil }
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        guard p.terminationStatus == 0, let line = text.split(separator: "\n").first(where: { $0.hasPrefix("peak rss") }),
              let open = line.firstIndex(of: "(") else { return nil }
        return Int(line[line.index(after: open)...].prefix { $0.isNumber })
    }

    static func run(_ problem: String, _ settings: [String]) -> [String] {
        ["run", "--problem", problem, "--optimizer", "gd", "--epochs", "2"] + settings.flatMap { ["--set", $0] }
    }

    static func estimate(_ problem: String, _ settings: [String]) throws -> MemoryEstimate? {
        let entry = try Catalog.standard.problem(named: problem)
        return try entry.memory(entry.parameters(settings))
    }

    /// Two sizes of each problem, tens to hundreds of MB, each path of the references among
    /// them (logistic's dense Newton and Newton-CG, deep-linear's Gram of Ŷ on either side).
    static let sized: [(String, [String])] = [
        ("least-squares", ["n=10000", "d=400"]),
        ("least-squares", ["n=40000", "d=400"]),
        ("logistic", ["n=2000", "d=2000"]),
        ("logistic", ["n=20", "d=100000"]),
        ("deep-linear", ["samples=4000", "input=500", "output=500", "noise=1"]),
        ("deep-linear", ["samples=100", "input=3", "output=100000", "noise=1"]),
        ("matrix-factorization", ["m=2000", "n=2000"]),
        ("matrix-factorization", ["m=4000", "n=4000"]),
        ("mlp", ["samples=5000", "test_samples=0", "width=64"]),
        ("mlp", ["samples=1000", "test_samples=0", "width=1024", "dtype=float64"]),
        ("resnet", ["samples=500", "test_samples=0", "depth=8", "width=4"]),
        ("resnet", ["form=fully-connected", "samples=5000", "test_samples=0", "width=256"]),
    ]

    /// The toys: their memory is a few values at any size.
    static let toys: [(String, [String])] = [
        ("rosenbrock", []), ("rosenbrock", ["b=1000000"]),
        ("w7", []), ("w7", ["p=64"]),
        ("product", []), ("product", ["depth=1000"]),
    ]

    @Test func everyCatalogProblemHasAnEstimateAndIsMeasuredHere() throws {
        let measured = Set((Self.sized + Self.toys).map(\.0))
        for entry in Catalog.standard.problems {
            #expect(try entry.memory(entry.defaults) != nil, "\(entry.name) declares no memory estimate")
            #expect(measured.contains(entry.name), "\(entry.name) is not measured by MemoryEstimateTests")
        }
    }

    @Test func estimatesAreWithinTwiceTheMeasuredPeak() throws {
        let baseline = try #require(Self.peakResidentSet(Self.run("w7", [])), "the optbench binary did not run")
        for (problem, settings) in Self.sized {
            let estimate = try #require(try Self.estimate(problem, settings)).peak()
            let peak = try #require(Self.peakResidentSet(Self.run(problem, settings)), "\(problem) \(settings) failed")
            let used = Double(peak - baseline), ratio = Double(estimate) / used
            #expect(used > 16e6, "\(problem) \(settings): only \(used) bytes measured; too small a size to compare")
            #expect(ratio >= 0.5 && ratio <= 2, "\(problem) \(settings): estimate \(estimate) bytes, measured \(Int(used)): ratio \(ratio)")
        }
        for (problem, settings) in Self.toys {
            let estimate = try #require(try Self.estimate(problem, settings)).peak()
            let peak = try #require(Self.peakResidentSet(Self.run(problem, settings)), "\(problem) \(settings) failed")
            #expect(estimate < 1 << 20 && peak - baseline < 4 << 20,
                    "\(problem) \(settings): estimate \(estimate) bytes, measured \(peak - baseline): expected both below the 4 MB resolution")
        }
    }

    /// The commands that aborted with SIGABRT (a d×d float64 reference no guard covered) now
    /// run: F* by Newton-CG, XXᵀ known singular, Ŷ's Gram on its N×N side.
    @Test(arguments: [
        ["--problem", "logistic", "--set", "n=20", "--set", "d=100000"],
        ["--problem", "deep-linear", "--set", "input=100000", "--set", "width=3"],
        ["--problem", "deep-linear", "--set", "input=100000", "--set", "noise=1"],
        ["--problem", "deep-linear", "--set", "input=3", "--set", "output=100000", "--set", "noise=1"],
    ])
    func formerAbortsRunWithinTheirEstimate(_ words: [String]) {
        let r = optbench(["run", "--optimizer", "gd", "--epochs", "1"] + words)
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("memory     about"), "\(r.out)")
        if words.contains("d=100000") { #expect(r.out.contains("Newton-CG") && r.out.contains("F* ="), "\(r.out)") }
    }

    /// Settings past the machine are refused with exit 2 before anything is allocated, naming
    /// the settings and the bytes; the limit is lowered for the child by OPTBENCH_MEMORY_LIMIT.
    @Test func settingsPastTheLimitAreRefusedWithTheBytesNeeded() throws {
        let estimate = try #require(try Self.estimate("least-squares", ["n=40000", "d=400"])).peak()
        let limit = estimate / 2
        let r = try childRun(["run", "--problem", "least-squares", "--set", "n=40000", "--set", "d=400", "--optimizer", "gd"],
                             environment: ["OPTBENCH_MEMORY_LIMIT": String(limit)])
        #expect(r.status == 2, "\(r.err)")
        #expect(r.err.contains("n=40000 d=400") && r.err.contains("\(estimate) bytes") && r.err.contains("\(limit) bytes"), "\(r.err)")
        // The same settings fit a limit above the estimate.
        let fits = try childRun(["run", "--problem", "least-squares", "--set", "n=40000", "--set", "d=400", "--optimizer", "gd", "--epochs", "1"],
                                environment: ["OPTBENCH_MEMORY_LIMIT": String(2 * estimate)])
        #expect(fits.status == 0, "\(fits.err)")
    }

    /// A suite is checked as a whole: its problems kept together, and `jobs` runs at once.
    @Test func aSuiteIsCheckedWithItsJobs() throws {
        let estimate = try #require(try Self.estimate("mlp", ["samples=1000", "test_samples=0", "width=1024"]))
        // Room for one run, not for two at once.
        let limit = estimate.resident + estimate.perRun + estimate.perRun / 2
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("optbench-memory-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let r = try childRun(["bench", "--problem", "mlp[samples=1000,test_samples=0,width=1024]", "--optimizer", "gd", "--lr", "0.1",
                              "--seeds", "1", "--epochs", "1", "--jobs", "2", "--out", out.path],
                             environment: ["OPTBENCH_MEMORY_LIMIT": String(max(limit, estimate.construction))])
        #expect(r.status == 2 && r.err.contains("2 concurrent runs"), "\(r.err)")
    }

    /// `optbench` run as a child with `environment` added; its status and stderr.
    func childRun(_ arguments: [String], environment: [String: String]) throws -> (status: Int32, err: String) {
        let binary = try #require(InterruptionTests.binary(), "the optbench binary is not built")
        let p = Process()
        p.executableURL = binary
        p.arguments = arguments
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        p.standardError = pipe
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
