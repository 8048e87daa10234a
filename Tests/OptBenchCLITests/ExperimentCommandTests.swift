import Foundation
import OptBenchCatalog
import OptBenchHarness
import Testing

/// `optbench experiment NAME`: the folder it writes and the inputs it refuses (exit 2).
@Suite struct ExperimentCommandTests {
    @Test func quickRunWritesTableFiguresAndJSON() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("optbench-experiment-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let r = optbench("experiment", "adam-counterexample", "--quick", "--out", out.path, "--set", "T=3000")
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("Adam final x > 0.9"))
        let files = try FileManager.default.contentsOfDirectory(atPath: out.path)
        #expect(files.contains("table.md") && files.contains("result.json") && files.contains("index.html"))
        #expect(files.contains { $0.hasSuffix(".svg") })
        let json = try String(contentsOf: out.appendingPathComponent("result.json"), encoding: .utf8)
        #expect(json.contains("\"adam_counterexample\"") && json.contains("\"final_x\"") && json.contains("--set T=3000"))
        let table = try String(contentsOf: out.appendingPathComponent("table.md"), encoding: .utf8)
        #expect(table.contains(Catalog.standard.experiments.first { $0.name == "adam-counterexample" }!.claim))
    }

    @Test func everyStandardExperimentIsListed() {
        let r = optbench("list", "experiments")
        for name in ["signal-propagation", "toy-depth", "sgd-vs-gd", "adam-counterexample", "lazy-training"] {
            #expect(r.out.contains(name))
        }
    }

    @Test func badNameOrSettingExitsTwo() {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("optbench-experiment-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let unknown = optbench("experiment", "no-such-experiment", "--out", out)
        #expect(unknown.status == 2 && unknown.err.contains("unknown experiment 'no-such-experiment'") && unknown.err.contains("toy-depth"))
        let key = optbench("experiment", "toy-depth", "--quick", "--out", out, "--set", "widht=3")
        #expect(key.status == 2 && key.err.contains("unknown setting 'widht'") && key.err.contains("depths"))
        let value = optbench("experiment", "lazy-training", "--quick", "--out", out, "--set", "widths=16,abc")
        #expect(value.status == 2 && value.err.contains("widths=16,abc") && value.err.contains("comma-separated list of integers"))
        let range = optbench("experiment", "adam-counterexample", "--out", out, "--set", "T=0")
        #expect(range.status == 2 && range.err.contains("T=0"))
        let form = optbench("experiment", "adam-counterexample", "--out", out, "--set", "T")
        #expect(form.status == 2 && form.err.contains("KEY=VALUE"))
        let missing = optbench("experiment")
        #expect(missing.status == 2 && missing.err.contains("missing NAME"))
        let jobs = optbench("experiment", "toy-depth", "--jobs", "0", "--out", out)
        #expect(jobs.status == 2 && jobs.err.contains("--jobs"))
        #expect(!FileManager.default.fileExists(atPath: out + "/result.json"))
    }
}
