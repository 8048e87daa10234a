import Foundation
import Testing
import TestSupport
@testable import OptBenchCLI

/// Runs the CLI in-process, capturing stdout, stderr and the exit status.
func optbench(_ args: String...) -> (status: Int32, out: String, err: String) { optbench(args) }

func optbench(_ args: [String]) -> (status: Int32, out: String, err: String) {
    var out: [String] = [], err: [String] = []
    let status = OptBench.main(args, output: { out.append($0) }, errors: { err.append($0) })
    return (status, out.joined(separator: "\n"), err.joined(separator: "\n"))
}

@Suite struct CommandLineErrorTests {
    @Test func unknownOptimizerListsTheValidOnes() {
        let r = optbench("trace", "--problem", "rosenbrock", "--optimizer", "adamx", "--steps", "2")
        #expect(r.status == 2)
        #expect(r.err.contains("unknown optimizer 'adamx'") && r.err.contains("gd, sgd"))
    }

    @Test func badHyperParameterNamesTheParameterAndTheExpectedType() {
        let unknown = optbench("run", "--problem", "w7", "--optimizer", "gd", "--hp", "learning_rate=0.1")
        #expect(unknown.status == 2 && unknown.err.contains("unknown parameter 'learning_rate'") && unknown.err.contains("lr"))
        let illTyped = optbench("run", "--problem", "w7", "--optimizer", "sgd", "--hp", "batch_size=two")
        #expect(illTyped.status == 2 && illTyped.err.contains("batch_size=two") && illTyped.err.contains("integer"))
        let outOfRange = optbench("run", "--problem", "w7", "--optimizer", "momentum", "--hp", "momentum=1.5")
        #expect(outOfRange.status == 2 && outOfRange.err.contains("[0, 1]"))
        let notKeyValue = optbench("run", "--problem", "w7", "--optimizer", "gd", "--hp", "lr")
        #expect(notKeyValue.status == 2 && notKeyValue.err.contains("key=value"))
        let nesterov = optbench("run", "--problem", "w7", "--optimizer", "nesterov", "--hp", "dampening=0.1")
        #expect(nesterov.status == 2 && nesterov.err.contains("dampening=0"))
    }

    @Test func wrongX0LengthNamesTheDimension() {
        let r = optbench("trace", "--problem", "rosenbrock", "--optimizer", "gd", "--x0", "1,2,3")
        #expect(r.status == 2 && r.err.contains("--x0 has 3 value(s)") && r.err.contains("dimension 2"))
        let notNumbers = optbench("trace", "--problem", "w7", "--optimizer", "gd", "--x0", "a")
        #expect(notNumbers.status == 2 && notNumbers.err.contains("x0=a"))
    }

    @Test func usageErrorsExitWithStatusTwo() {
        #expect(optbench().status == 2)
        #expect(optbench("frobnicate").status == 2)
        #expect(optbench("run", "--problem", "w7").err.contains("missing required option --optimizer"))
        #expect(optbench("run", "--problem", "w7", "--optimizer", "gd", "--bogus").status == 2)
        #expect(optbench("run", "--problem", "w7", "--optimizer", "gd", "--epochs", "many").status == 2)
        #expect(optbench("trace", "--problem", "least-squares", "--optimizer", "gd").err.contains("deterministic"))
        #expect(optbench("list", "everything").status == 2)
        #expect(optbench("run", "--problem", "nope", "--optimizer", "gd").err.contains("valid problems: rosenbrock"))
        #expect(optbench("bench", "--suite", "nope").err.contains("valid suites: default"))
    }

    @Test(arguments: ["list", "trace", "run", "bench"])
    func everySubcommandHasHelp(_ command: String) {
        let r = optbench(command, "--help")
        #expect(r.status == 0 && r.out.hasPrefix("usage: optbench \(command)"))
    }
}

@Suite struct CommandLineOutputTests {
    /// GD on Rosenbrock from (−1.2, 1), by hand: ∇F = (−2(1 − x) − 400x(y − x²), 200(y − x²)).
    @Test func traceMatchesHandComputedGradientSteps() throws {
        let r = optbench("trace", "--problem", "rosenbrock", "--optimizer", "gd", "--hp", "lr=0.001", "--steps", "2")
        #expect(r.status == 0)
        let lines = r.out.split(separator: "\n")
        #expect(lines[0] == "step,loss,x0,x1")
        var x = -1.2, y = 1.0
        for step in 0...2 {
            let fields = lines[step + 1].split(separator: ",").map { Double($0)! }
            #expect(fields[0] == Double(step))
            #expect(isClose(fields[2], x, rtol: 1e-15) && isClose(fields[3], y, rtol: 1e-15))
            #expect(isClose(fields[1], (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x), rtol: 1e-14))
            let gx = -2 * (1 - x) - 400 * x * (y - x * x), gy = 200 * (y - x * x)
            x -= 0.001 * gx
            y -= 0.001 * gy
        }
    }

    /// A trace whose loss leaves the finite numbers is reported as diverged, as `run` calls it:
    /// F(10³⁰⁸, 10³⁰⁸) = (1 − x)² + 100(y − x²)² overflows at the start, so the rows stop at
    /// step 0 and the status is 1; a finite trace of the same length still exits 0.
    @Test func traceStopsAtDivergenceWithStatusOne() throws {
        let r = optbench("trace", "--problem", "rosenbrock", "--x0", "1e308,1e308", "--optimizer", "gd", "--steps", "3")
        #expect(r.status == 1, "\(r.err)")
        #expect(r.out.split(separator: "\n") == ["step,loss,x0,x1", "0,inf,1e+308,1e+308"], "\(r.out)")
        #expect(r.err.contains("diverged at step 0") && !r.out.contains("nan"), "\(r.err)")
        // Divergence a few steps in: GD with a step far past 2/L from (2, 2).
        let late = optbench("trace", "--problem", "rosenbrock", "--x0", "2,2", "--optimizer", "gd", "--hp", "lr=1", "--steps", "50")
        let rows = late.out.split(separator: "\n").dropFirst()
        #expect(late.status == 1 && rows.count > 2 && rows.dropLast().allSatisfy { Double($0.split(separator: ",")[1])!.isFinite },
                "\(late.out)")
        #expect(optbench("trace", "--problem", "rosenbrock", "--optimizer", "gd", "--steps", "3").status == 0)
    }

    @Test func listNamesEveryRegisteredOptimizerWithItsDefaults() {
        let r = optbench("list", "optimizers")
        #expect(r.status == 0)
        for name in ["gd", "sgd", "momentum", "nesterov"] { #expect(r.out.contains("\n  \(name) ")) }
        #expect(r.out.contains("momentum (real, default 0.9"))
    }

    @Test func runWritesATraceWithTheDocumentedColumns() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("optbench-run-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = optbench("run", "--problem", "least-squares", "--set", "n=50", "--set", "d=5", "--optimizer", "sgd",
                         "--hp", "lr=0.05", "--hp", "batch_size=5", "--epochs", "3", "--target", "0", "--seed", "4", "--out", dir.path)
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("status     budget"))
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(files.count == 1)
        let csv = try String(contentsOf: dir.appendingPathComponent(files[0]), encoding: .utf8).split(separator: "\n")
        #expect(csv[0] == "epoch,loss,suboptimality,grad_norm,seconds")
        #expect(csv.count == 5)
        #expect(csv[1].hasPrefix("0,") && csv[4].hasPrefix("3,"))
    }

    /// `run` says which mini-batch it drew and what its ε measured.
    @Test func runNamesItsBatchAndItsCriterion() {
        let ls = optbench("run", "--problem", "least-squares", "--set", "n=50", "--set", "d=5", "--optimizer", "sgd", "--epochs", "1")
        #expect(ls.status == 0, "\(ls.err)")
        #expect(ls.out.contains("batch      1 samples   (batch_size=auto: the rule's default, as the problem declares none)"), "\(ls.out)")
        #expect(ls.out.contains("criterion  (F − F*)/(F₀ − F*) = "), "\(ls.out)")
        let gd = optbench("run", "--problem", "rosenbrock", "--optimizer", "gd", "--epochs", "1")
        #expect(gd.out.contains("batch      full gradient   (gd always takes the full gradient)"), "\(gd.out)")
        #expect(gd.out.contains("criterion  (F − F*)/(F₀ − F*) = "), "\(gd.out)")
        let mlp = optbench("run", "--problem", "mlp", "--set", "samples=300", "--set", "widths=8", "--optimizer", "adam", "--epochs", "1",
                           "--criterion", "metric:test_accuracy", "--target", "0.5")
        #expect(mlp.status == 0, "\(mlp.err)")
        #expect(mlp.out.contains("batch      128 samples   (batch_size=auto: the problem's mini-batch"), "\(mlp.out)")
        #expect(mlp.out.contains("steps 3 "), "\(mlp.out)")  // ⌈300/128⌉ mini-batches make the epoch
        #expect(mlp.out.contains("criterion  test_accuracy = ") && mlp.out.contains("(target ≥ 0.5)"), "\(mlp.out)")
        let loss = optbench("run", "--problem", "mlp", "--set", "samples=300", "--set", "widths=8", "--optimizer", "adam",
                            "--hp", "batch_size=50", "--epochs", "1", "--criterion", "loss", "--target", "0.01")
        #expect(loss.out.contains("batch      50 samples   (batch_size=50)") && loss.out.contains("steps 6 "), "\(loss.out)")
        #expect(loss.out.contains("criterion  training loss F = ") && loss.out.contains("(target ≤ 0.01)"), "\(loss.out)")
    }

    /// The README's `run` example, word for word, reaches the target it sets.
    @Test func readmeRunExampleReachesItsTarget() throws {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("README.md")
        let lines = try String(contentsOf: readme, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let start = try #require(lines.firstIndex { $0.hasPrefix("$B run ") }, "no '$B run' example in the README")
        var command = ""
        for line in lines[start...] {
            let text = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0].trimmingCharacters(in: .whitespaces)
            command += " " + (text.hasSuffix("\\") ? String(text.dropLast()) : text)
            if !text.hasSuffix("\\") { break }
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("optbench-readme-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        var words = command.split(separator: " ").map(String.init)
        #expect(words.first == "$B")
        words.removeFirst()
        if let k = words.firstIndex(of: "--out") { words[k + 1] = dir.path }
        let r = optbench(words)
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("status     reached"), "\(words.joined(separator: " "))\n\(r.out)")
    }
}
