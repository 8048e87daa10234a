import Foundation
import OptBenchCatalog
import OptBenchCore
import OptBenchHarness
import Testing
import TestSupport

/// Grids as files: the schema's mistakes, each refused with exit 2 naming the file and the field
/// before any cell runs; the committed suites read back from their canonical form; and the
/// ad-hoc grid of the command line in filter syntax.
@Suite struct SuiteFileTests {
    static let good = """
    {
      "name": "tiny",
      "summary": "a tiny grid",
      "problems": [{"name": "least-squares", "settings": {"n": 40, "d": 5, "kappa": 10}}],
      "optimizers": ["gd", {"name": "nesterov", "hyperparameters": {"momentum": 0.9}}],
      "learning_rates": {"from": 0.01, "to": 1, "per_decade": 1},
      "seeds": [1],
      "stop": {"target": 1e-4, "criterion": "relative"},
      "budget": {"epochs": 50}
    }
    """

    /// One mistake each: (what is wrong, the text it replaces in `good`, its replacement, what
    /// the message must name besides the file).
    static let mistakes: [(String, String, String, [String])] = [
        ("unknown top-level key", #""seeds": [1],"#, #""seed": [1], "seeds": [1],"#, ["seed", "expected"]),
        ("unknown problem", #""name": "least-squares""#, #""name": "least-square""#, ["least-square", "problems"]),
        ("unknown optimizer", #"["gd","#, #"["gdd","#, ["gdd", "optimizers"]),
        ("unknown setting", #""kappa": 10"#, #""kapa": 10"#, ["kapa", "kappa"]),
        ("setting of the wrong type", #""n": 40"#, #""n": "forty""#, ["n", "integer"]),
        ("hyper-parameter out of range", #""momentum": 0.9"#, #""momentum": -3"#, ["momentum"]),
        ("unknown hyper-parameter", #""momentum": 0.9"#, #""momentun": 0.9"#, ["momentun"]),
        ("seeds not a list of integers", #""seeds": [1]"#, #""seeds": [1.5]"#, ["seeds"]),
        ("unknown criterion", #""criterion": "relative""#, #""criterion": "relativ""#, ["stop.criterion", "relative, loss or metric"]),
        ("budget of the wrong type", #""epochs": 50"#, #""epochs": "fifty""#, ["budget.epochs"]),
        ("malformed expression", #"{"name": "nesterov","#, #"{"name": "nesterov", "prescribed": {"lr": "1/(L"},"#, ["prescribed", "lr"]),
        ("duplicate key", #""seeds": [1],"#, #""seeds": [1], "seeds": [2],"#, ["seeds", "twice"]),
        // Not JSON: the reader names the line and column (no field exists yet).
        ("trailing comma", #""budget": {"epochs": 50}"#, #""budget": {"epochs": 50,}"#, [".json:9:", "expected a key in double quotes"]),
    ]

    @Test(arguments: 0..<mistakes.count)
    func aMistakeIsRefusedNamingFileAndField(_ k: Int) throws {
        let (what, old, new, words) = Self.mistakes[k]
        #expect(Self.good.contains(old), "\(what): the mistake does not apply")
        let dir = try IDXFixture.temporaryDirectory()
        let file = dir.appendingPathComponent("mistake-\(k).json")
        try Self.good.replacingOccurrences(of: old, with: new).write(to: file, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("never")
        let r = optbench("bench", "--suite", file.path, "--out", out.path)
        #expect(r.status == 2, "\(what): exit \(r.status): \(r.err)")
        #expect(r.err.contains("mistake-\(k).json"), "\(what): \(r.err)")
        for word in words { #expect(r.err.contains(word), "\(what): '\(word)' not in \(r.err)") }
        #expect(!FileManager.default.fileExists(atPath: out.path), "\(what): output written before the refusal")
    }

    /// The good file runs and writes the usual tables (the mistakes above are refused for their
    /// mistake alone).
    @Test func theGoodFileRuns() throws {
        let dir = try IDXFixture.temporaryDirectory()
        let file = dir.appendingPathComponent("tiny.json")
        try Self.good.write(to: file, atomically: true, encoding: .utf8)
        let r = optbench("bench", "--suite", file.path, "--out", dir.appendingPathComponent("out").path)
        #expect(r.status == 0, "\(r.err)")
        let table = try String(contentsOf: dir.appendingPathComponent("out/table.md"), encoding: .utf8)
        #expect(table.contains("nesterov") && table.contains("gd"), "\(table)")
    }

    /// The README's example suite file is a valid grid of the standard catalog.
    @Test func theReadmeExampleIsAValidSuite() throws {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        let section = try #require(text.range(of: "## Grids as files"))
        let open = try #require(text.range(of: "```json\n", range: section.upperBound..<text.endIndex))
        let close = try #require(text.range(of: "```", range: open.upperBound..<text.endIndex))
        let suite = try SuiteFile(name: "my-grid", path: "README.md", text: String(text[open.upperBound..<close.lowerBound])).suite(in: .standard)
        #expect(suite.problems.count == 2 && suite.optimizers.count == 3)
    }

    /// Every committed suite, written in canonical form and read back, is the same grid.
    @Test(arguments: Catalog.standard.suites.map(\.name))
    func canonicalDefinitionReadsBack(_ name: String) throws {
        let suite = try Catalog.standard.suite(name)
        let again = try SuiteFile(name: name, path: "\(name).canonical.json", text: suite.canonicalDefinition).suite(in: .standard)
        #expect(again.canonicalDefinition == suite.canonicalDefinition)
        #expect(again.problems.count == suite.problems.count && again.optimizers.count == suite.optimizers.count)
    }

    /// The ad-hoc grid of the issue, smaller: filter syntax for a problem's settings and a
    /// column's fixed values, the same tables as a suite file.
    @Test func anAdHocGridWritesTheSameTables() throws {
        let dir = try IDXFixture.temporaryDirectory()
        let r = optbench("bench", "--problem", "least-squares[kappa=100,n=60,d=6]", "--optimizer", "gd",
                         "--optimizer", "nesterov[momentum=0.9]", "--seeds", "2", "--target", "1e-6", "--epochs", "200",
                         "--out", dir.path)
        #expect(r.status == 0, "\(r.err)")
        let table = try String(contentsOf: dir.appendingPathComponent("table.md"), encoding: .utf8)
        #expect(table.contains("kappa=100") && table.contains("nesterov") && table.contains("momentum=0.9"), "\(table)")
        let bad = optbench("bench", "--problem", "least-squares[kapa=100]", "--optimizer", "gd", "--out", dir.appendingPathComponent("x").path)
        #expect(bad.status == 2 && bad.err.contains("kapa"), "\(bad.err)")
    }

    @Test func filterSyntaxReadsValuesPairsAndLists() throws {
        let spec = try FilterSpec(parsing: "adam[lr=0.1,betas=(0.9,0.99),batch_size=[16,32]]", what: "--optimizer")
        #expect(spec.name == "adam")
        #expect(spec.assignments.map(\.key) == ["lr", "betas", "batch_size"])
        #expect(spec.assignments[1].values == ["0.9,0.99"] && !spec.assignments[1].isList)
        #expect(spec.assignments[2].values == ["16", "32"] && spec.assignments[2].isList)
        for bad in ["adam[lr=0.1", "adam[=1]", "adam[lr]", "[lr=1]"] {
            #expect(throws: ConfigurationError.self, "\(bad)") { try FilterSpec(parsing: bad, what: "--optimizer") }
        }
    }

    @Test func theoryExpressionsEvaluateOverTheConstants() throws {
        var t = TheoryConstants(sampleCount: 100, dimension: 10)
        (t.smoothness, t.strongConvexity) = (4, 0.25)
        #expect(try TheoryExpression("1/L").value(for: t, user: "test") == 0.25)
        let k = 16.0, momentum = ((k.squareRoot() - 1) / (k.squareRoot() + 1)) * ((k.squareRoot() - 1) / (k.squareRoot() + 1))
        #expect(try TheoryExpression("((sqrt(kappa)-1)/(sqrt(kappa)+1))^2").value(for: t, user: "test") == momentum)
        #expect(try TheoryExpression("min(1/L, n/d) + -2*mu").value(for: t, user: "test") == 0.25 - 0.5)
        for bad in ["1/", "1/(L", "foo(L)", "1/Lmax", "L L"] {
            #expect(throws: ConfigurationError.self, "\(bad)") { try TheoryExpression(bad) }
        }
        // A constant the problem does not know is refused when evaluated, naming it.
        do {
            _ = try TheoryExpression("1/L_max").value(for: t, user: "column gd")
            Issue.record("L_max was unknown")
        } catch { #expect(error.message.contains("L_max"), "\(error.message)") }
    }
}
