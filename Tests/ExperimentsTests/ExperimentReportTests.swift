import Foundation
import OptBenchCore
import OptBenchHarness
import Testing
@testable import OptBenchReports

@Suite struct ExperimentReportTests {
    static let outcome = ExperimentOutcome(
        columns: ["a", "b"], rows: [["1", "2.5"], ["3", "x"]], notes: ["a note"],
        figures: [ExperimentPlot(title: "t", xTitle: "x", yTitle: "y", lines: [.init("l", x: [1, 2], y: [1, 10])]).figure("curve", caption: "cap")],
        result: .object(["numbers": .array([.object(["a": 1, "b": 2.5])])]),
        verdicts: [Verdict(test: "b > 2", measured: "2.5", holds: true), Verdict(test: "a < 0", measured: "1", holds: false)])

    @Test func folderHoldsTableFiguresJSONAndPage() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("optbench-exp-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let report = ExperimentReport(name: "demo", claim: "A claim (Someone 2020).", command: "optbench experiment demo", quick: false,
                                      outcome: Self.outcome)
        try report.write(to: root.appendingPathComponent("experiments/demo"))
        let folder = root.appendingPathComponent("experiments/demo")
        let table = try String(contentsOf: folder.appendingPathComponent("table.md"), encoding: .utf8)
        let header = table.components(separatedBy: "| a")[0]
        #expect(header.contains("A claim (Someone 2020).") && header.contains("does not hold here")
                && header.contains("✓ holds: b > 2") && header.contains("✗ fails: a < 0"))
        #expect(table.contains("| 3 | x   |") && table.contains("![cap](curve.svg)"))
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("curve.svg").path))
        let json = try String(contentsOf: folder.appendingPathComponent("result.json"), encoding: .utf8)
        let root0 = try JSONReader.parse(json, file: "result.json")
        guard case .object(let members) = root0.value else { Issue.record("not an object"); return }
        #expect(members.map(\.key) == ["experiment", "claim", "command", "quick", "holds", "verdicts", "figures", "numbers"])
        // Read back for results/index.html, which lists the experiment with its verdicts and figure.
        let summary = try ExperimentReport.summary(folder: "demo", in: root.appendingPathComponent("experiments"))
        #expect(summary.verdicts == Self.outcome.verdicts && summary.figures == ["curve.svg"] && summary.name == "demo")
        let index = try ResultsIndex(directory: root)
        let html = index.html()
        #expect(html.contains("Experiment <code>demo</code>") && html.contains("src=\"experiments/demo/curve.svg\"")
                && html.contains("href=\"experiments/demo/table.md\"") && html.contains("✗ fails: a &lt; 0"))
    }

    @Test func unreadableResultIsRefusedWithItsPath() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("optbench-exp-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let folder = root.appendingPathComponent("experiments/broken")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data("{\"experiment\": \"broken\"}".utf8).write(to: folder.appendingPathComponent("result.json"))
        #expect { try ResultsIndex(directory: root) } throws: { error in
            guard let e = error as? ConfigurationError else { return false }
            return e.message.contains("broken/result.json") && e.message.contains("verdicts")
        }
    }
}
