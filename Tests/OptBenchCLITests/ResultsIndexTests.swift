@testable import OptBenchReports
import OptBenchCatalog
import Foundation
import Testing
import TestSupport
@testable import OptBenchHarness

/// `optbench index DIR`: one self-contained page over every suite folder in DIR.
@Suite struct ResultsIndexTests {
    static func suite(_ name: String) -> Suite {
        Suite(name: name, summary: "test", problems: [try! Catalog.standard.row("least-squares", ["n=50", "d=5", "kappa=10"])],
              optimizers: [try! Catalog.standard.column("gd"), try! Catalog.standard.column("sgd", ["batch_size=5"])],
              seeds: [1, 2], rule: StoppingRule(target: 1e-4, maxEpochs: 100), learningRates: [0.1, 1, 3])
    }

    @Test func indexLinksEverySuiteAndIsSelfContained() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("optbench-index-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        for name in ["alpha", "beta"] {
            try Grid(suite: Self.suite(name), jobs: 2).run(writingTo: root.appendingPathComponent(name), command: "optbench bench --suite \(name)")
        }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("not-a-suite"), withIntermediateDirectories: true)
        let r = optbench("index", root.path)
        #expect(r.status == 0 && r.out.contains("2 suite(s)"), "\(r.err)")
        let html = try String(contentsOf: root.appendingPathComponent("index.html"), encoding: .utf8)
        for name in ["alpha", "beta"] {
            #expect(html.contains("href=\"\(name)/index.html\"") && html.contains("href=\"\(name)/table.md\"")
                    && html.contains("href=\"\(name)/rankings.md\""))
            #expect(html.contains("optbench bench --suite \(name)"))
        }
        #expect(!html.contains("not-a-suite"))
        // Both suites' scores at each target, from their table.json.
        let doc = try Comparison.load(root.appendingPathComponent("alpha")).document
        let score = try #require(doc.rankings?.last?.scores.first)
        #expect(html.contains(String(format: "%.3f (#%d)", score.score, score.rank)))
        #expect(html.contains("ε = 0.01") && html.contains("ε = 0.0001"))
        #expect(!html.contains("http") && !html.lowercased().contains("<script") && !html.contains("<link") && !html.contains("url("))
        // Deterministic: rebuilt from the same tables, the same bytes.
        let before = try Data(contentsOf: root.appendingPathComponent("index.html"))
        #expect(optbench("index", root.path).status == 0)
        #expect(try Data(contentsOf: root.appendingPathComponent("index.html")) == before)
    }

    @Test func aFolderWithoutSuitesIsRefused() {
        let r = optbench("index", "/nonexistent/results")
        #expect(r.status == 2 && r.err.contains("/nonexistent/results") && r.err.contains("table.json"))
    }
}
