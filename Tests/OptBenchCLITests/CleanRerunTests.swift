import Foundation
import Glibc
import OptBenchCatalog
import Testing
import TestSupport
@testable import OptBenchHarness
@testable import OptBenchReports

/// A rerun of a suite leaves `git status` clean: every file it writes that git tracks — those the
/// repository's `.gitignore` does not ignore under `results/*/` — is byte for byte the same
/// whatever the clock, the thread count or the binary; wall-clock timings, provenance and the
/// resume cache (whose keys hold the binary's digest) are the ignored ones.
@Suite struct CleanRerunTests {
    static let suite = Suite(
        name: "rerun", summary: "test",
        problems: [try! Catalog.standard.row("least-squares", ["n=50", "d=5", "kappa=10"]),
                   try! Catalog.standard.row("mlp", ["samples=200", "test_samples=50", "widths=8"])],
        optimizers: [try! Catalog.standard.column("gd"), try! Catalog.standard.column("adam")],
        seeds: [1, 2], rule: StoppingRule(target: 1e-3, maxEpochs: 20), learningRates: [0.01, 0.1])

    /// The repository's ignore patterns for a suite's folder, relative to it (`results/*/X` → X).
    static func ignoredPatterns() throws -> [String] {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".gitignore")
        return try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
            .filter { $0.hasPrefix("results/*/") }.map { String($0.dropFirst("results/*/".count)) }
    }

    /// Every file under `root` git would track, by relative path.
    static func trackedFiles(_ root: URL, ignoring patterns: [String]) throws -> [String: Data] {
        var out: [String: Data] = [:]
        let e = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])!
        for case let url as URL in e where (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true {
            let relative = String(url.standardizedFileURL.path.dropFirst(root.standardizedFileURL.path.count + 1))
            // In the suite's folder (rerun/…), a path matching a pattern is ignored, as git's fnmatch does.
            let inSuite = relative.split(separator: "/", maxSplits: 1).dropFirst().first.map(String.init)
            if let inSuite, patterns.contains(where: { fnmatch($0, inSuite, FNM_PATHNAME) == 0 || inSuite.hasPrefix($0 + "/")
                || fnmatch($0, String(inSuite.split(separator: "/")[0]), FNM_PATHNAME) == 0 }) { continue }
            out[relative] = try Data(contentsOf: url)
        }
        return out
    }

    @Test func aRerunChangesNoTrackedFile() throws {
        let patterns = try Self.ignoredPatterns()
        #expect(patterns.contains("cells.jsonl") && patterns.contains("timings*") && patterns.contains("provenance.json"))
        let a = FileManager.default.temporaryDirectory.appendingPathComponent("optbench-rerun-\(UUID().uuidString)")
        let b = FileManager.default.temporaryDirectory.appendingPathComponent("optbench-rerun-\(UUID().uuidString)")
        defer { for d in [a, b] { try? FileManager.default.removeItem(at: d) } }
        try Grid(suite: Self.suite, jobs: 2).run(writingTo: a.appendingPathComponent("rerun"), command: "optbench bench --suite rerun")
        try Grid(suite: Self.suite, jobs: 1).run(writingTo: b.appendingPathComponent("rerun"), command: "optbench bench --suite rerun")
        for d in [a, b] { try ResultsIndex(directory: d).write(to: d) }
        let first = try Self.trackedFiles(a, ignoring: patterns), second = try Self.trackedFiles(b, ignoring: patterns)
        #expect(first.keys.sorted() == second.keys.sorted())
        for name in ["rerun/table.json", "rerun/table.md", "rerun/index.html", "index.html", "rerun/rankings.md"] {
            #expect(first[name] != nil, "\(name) missing")
        }
        for (name, data) in first where second[name] != data { Issue.record("\(name) differs between two runs") }
        // What differs between runs is there, but ignored: timings and the cache's keys.
        let all = try FileManager.default.contentsOfDirectory(atPath: a.appendingPathComponent("rerun").path)
        for name in ["cells.jsonl", "timings.jsonl", "timings.md", "timings.html", "provenance.json"] {
            #expect(all.contains(name), "\(name) not written")
            #expect(first["rerun/" + name] == nil, "\(name) is not ignored")
        }
        let table = String(decoding: first["rerun/table.json"]!, as: UTF8.self)
        #expect(!table.contains("\"key\""), "table.json holds cache keys")
        #expect(!String(decoding: first["rerun/index.html"]!, as: UTF8.self).contains("Over seconds"))
    }
}
