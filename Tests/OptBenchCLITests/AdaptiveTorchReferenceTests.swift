import Foundation
import OptBenchCLI
import Testing
import TestSupport

/// `optbench trace` against the Adam family of torch.optim — Adagrad, RMSprop, Adam (with
/// AMSGrad and decoupled decay), AdamW, NAdam, Adadelta — step by step: torch's own float64
/// iterates over 30 steps, on Rosenbrock from (−1.5, 2) and on (w⁷ − 1)² from 0.5, under
/// default and non-default settings, made by Tests/Fixtures/make_torch_adaptive_fixtures.py.
@Suite struct AdaptiveTorchReferenceTests {
    struct Reference: Sendable, CustomStringConvertible {
        var problem: String
        var start: String
        var optimizer: String
        var hyperParameters: [String]
        var rows: [[Double]]  // step, loss, x0, …
        var description: String { "\(problem): \(optimizer) \(hyperParameters.joined(separator: " "))" }
    }

    static let problems = [("rosenbrock", "-1.5,2"), ("w7", "0.5")]

    /// The fields of one CSV line; a field in double quotes may hold commas.
    static func fields(_ line: Substring) -> [String] {
        var fields: [String] = [], field = "", quoted = false
        for c in line {
            if c == "\"" {
                quoted.toggle()
            } else if c == "," && !quoted {
                fields.append(field)
                field = ""
            } else {
                field.append(c)
            }
        }
        return fields + [field]
    }

    static let references: [Reference] = {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures")
        var refs: [Reference] = []
        for (problem, start) in problems {
            let url = folder.appendingPathComponent("torch_adaptive_\(problem).csv")
            guard let text = try? String(contentsOf: url, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                let f = fields(line)
                let hp = f[1].split(separator: " ").map(String.init)
                if refs.last?.problem != problem || refs.last?.optimizer != f[0] || refs.last?.hyperParameters != hp {
                    refs.append(Reference(problem: problem, start: start, optimizer: f[0], hyperParameters: hp, rows: []))
                }
                refs[refs.count - 1].rows.append(f[2...].map { Double($0)! })
            }
        }
        return refs
    }()

    /// 19 configurations per problem, every rule with non-default settings among them.
    @Test func fixturesArePresent() {
        #expect(Self.references.count == 38)
        for problem in Self.problems.map(\.0) {
            let names = Set(Self.references.filter { $0.problem == problem }.map(\.optimizer))
            #expect(names == ["adagrad", "rmsprop", "adam", "amsgrad", "adamw", "nadam", "adadelta"], "\(problem)")
        }
        for r in Self.references { #expect(r.rows.count == 31, "\(r)") }
    }

    @Test(arguments: references)
    func traceMatchesTorch(_ reference: Reference) {
        var args = ["trace", "--problem", reference.problem, "--x0", reference.start, "--optimizer", reference.optimizer,
                    "--steps", String(reference.rows.count - 1)]
        for hp in reference.hyperParameters { args += ["--hp", hp] }
        var out: [String] = [], err: [String] = []
        let status = OptBenchCLI.OptBench.main(args, output: { out.append($0) }, errors: { err.append($0) })
        #expect(status == 0, "\(err.joined())")
        let rows = out.joined().split(separator: "\n").dropFirst().map { $0.split(separator: ",").map { Double($0)! } }
        #expect(rows.count == reference.rows.count)
        // Iterates agree to 1e-10 relative (1e-12 absolute where a coordinate crosses 0). Near
        // F* = 0 a loss magnifies its iterate's last bit (F ≈ c(w − w*)², δF/F ≈ 2δw/|w − w*|),
        // so losses are held to 1e-10 relative or 1e-10 of the starting loss.
        let f0 = reference.rows[0][1]
        for (ours, torch) in zip(rows, reference.rows) {
            #expect(ours.count == torch.count && ours[0] == torch[0])
            #expect(isClose(Array(ours.dropFirst(2)), Array(torch.dropFirst(2)), rtol: 1e-10, atol: 1e-12),
                    "step \(torch[0]): \(ours) vs torch \(torch)")
            #expect(isClose(ours[1], torch[1], rtol: 1e-10, atol: 1e-10 * f0), "step \(torch[0]) loss: \(ours[1]) vs torch \(torch[1])")
        }
    }
}
