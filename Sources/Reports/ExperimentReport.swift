import Foundation
import OptBenchCore
import OptBenchHarness

/// An experiment's results folder (`results/experiments/NAME/`): `table.md` with the claim and
/// the verdicts in its header, then the table, its notes and links to the figures; each figure
/// as `NAME.svg`; `result.json` with the experiment's name, claim, command and verdicts followed
/// by every number of the table under the keys its doc comment names; and `index.html`, the
/// same as a self-contained page with the figures inline (the HTML report of the experiment).
public struct ExperimentReport {
    public var name: String
    public var claim: String
    public var command: String
    public var quick: Bool
    public var outcome: ExperimentOutcome

    public init(name: String, claim: String, command: String, quick: Bool, outcome: ExperimentOutcome) {
        self.name = name
        self.claim = claim
        self.command = command
        self.quick = quick
        self.outcome = outcome
    }

    /// "holds" when every verdict holds, else "does not hold here".
    public static func overall(_ verdicts: [Verdict]) -> String {
        verdicts.allSatisfy(\.holds) ? "holds" : "does not hold here"
    }

    /// The figure's file: its name, with `.svg` added when missing.
    public static func fileName(_ figure: ExperimentFigure) -> String {
        figure.name.hasSuffix(".svg") ? figure.name : figure.name + ".svg"
    }

    public func markdown() -> String {
        var o = ["# Experiment `\(name)`", "", "**Claim.** \(claim)", "",
                 "**Verdict: the claim \(Self.overall(outcome.verdicts)).**", ""]
        for v in outcome.verdicts { o.append("- \(v.holds ? "✓ holds" : "✗ fails"): \(v.test) — measured \(v.measured)") }
        o += ["", "Made by `\(command)`" + (quick ? " (quick sizes)." : "."), ""]
        let widths = outcome.columns.indices.map { c in
            max(outcome.columns[c].count, outcome.rows.map { c < $0.count ? $0[c].count : 0 }.max() ?? 0)
        }
        func line(_ cells: [String]) -> String {
            "| " + outcome.columns.indices.map { c in
                let s = c < cells.count ? cells[c] : ""
                return s + String(repeating: " ", count: widths[c] - s.count)
            }.joined(separator: " | ") + " |"
        }
        o.append(line(outcome.columns))
        o.append("|" + widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "|") + "|")
        for r in outcome.rows { o.append(line(r)) }
        if !outcome.notes.isEmpty { o += [""] + outcome.notes }
        if !outcome.figures.isEmpty {
            o.append("")
            for f in outcome.figures { o.append("![\(f.caption)](\(Self.fileName(f)))") }
        }
        return o.joined(separator: "\n") + "\n"
    }

    public func json() -> JSONValue {
        var members: [JSONValue.Member] = [
            .init("experiment", .string(name)), .init("claim", .string(claim)), .init("command", .string(command)),
            .init("quick", .bool(quick)), .init("holds", .bool(outcome.verdicts.allSatisfy(\.holds))),
            .init("verdicts", .array(outcome.verdicts.map {
                .object(["test": .string($0.test), "measured": .string($0.measured), "holds": .bool($0.holds)])
            })),
            .init("figures", .array(outcome.figures.map { .string(Self.fileName($0)) })),
        ]
        if case .object(let own) = outcome.result { members += own } else { members.append(.init("result", outcome.result)) }
        return .object(members)
    }

    public func html() -> String {
        let e = SVGPlot.escape
        var o = ["<!DOCTYPE html>", "<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">", "<title>OptBench experiment: \(e(name))</title>",
                 "<style>\n\(HTMLReport.css)\n</style>\n</head>\n<body>", "<h1>Experiment <code>\(e(name))</code></h1>",
                 "<p><strong>Claim.</strong> \(e(claim))</p>"]
        o += Self.verdictHTML(outcome.verdicts)
        o.append("<p class=\"note\">Made by <code>\(e(command))</code>\(quick ? " (quick sizes)" : "").</p>")
        o.append("<table>\n<tr>" + outcome.columns.map { "<th>\(e($0))</th>" }.joined() + "</tr>")
        for r in outcome.rows { o.append("<tr>" + r.map { "<td class=\"num\">\(e($0))</td>" }.joined() + "</tr>") }
        o.append("</table>")
        for n in outcome.notes { o.append("<p class=\"note\">\(e(n))</p>") }
        o.append("<div class=\"figs\">")
        for f in outcome.figures { o.append("<figure>\n\(f.svg)<figcaption>\(e(f.caption))</figcaption>\n</figure>") }
        o.append("</div>\n</body>\n</html>")
        return o.joined(separator: "\n") + "\n"
    }

    static func verdictHTML(_ verdicts: [Verdict]) -> [String] {
        let e = SVGPlot.escape
        return ["<p><strong>Verdict: the claim \(overall(verdicts)).</strong></p>",
                "<ul>" + verdicts.map { "<li>\($0.holds ? "✓ holds" : "✗ fails"): \(e($0.test)) — measured \(e($0.measured))</li>" }.joined()
                + "</ul>"]
    }

    /// Writes the folder's files, each atomically.
    public func write(to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for f in outcome.figures {
            try Data(f.svg.utf8).write(to: directory.appendingPathComponent(Self.fileName(f)), options: .atomic)
        }
        try Data(markdown().utf8).write(to: directory.appendingPathComponent("table.md"), options: .atomic)
        try Data((json().text() + "\n").utf8).write(to: directory.appendingPathComponent("result.json"), options: .atomic)
        try Data(html().utf8).write(to: directory.appendingPathComponent("index.html"), options: .atomic)
    }

    /// What `results/index.html` shows of a written experiment folder, read back from its
    /// `result.json`.
    public struct Summary {
        public var folder: String
        public var name: String
        public var claim: String
        public var command: String
        public var verdicts: [Verdict]
        public var figures: [String]
    }

    /// The summary of the folder `directory/folder`; a `result.json` that does not read is a
    /// `ConfigurationError` naming it and the field.
    public static func summary(folder: String, in directory: URL) throws(ConfigurationError) -> Summary {
        let path = directory.appendingPathComponent(folder).appendingPathComponent("result.json").path
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError("\(path): cannot be read; expected the result.json 'optbench experiment' writes")
        }
        let root = try JSONReader.parse(text, file: path)
        guard case .object(let members) = root.value else { throw ConfigurationError("\(path): expected an object at the top") }
        func field(_ key: String) -> JSONNode.Value? { members.first { $0.key == key }?.node.value }
        func string(_ key: String, _ value: JSONNode.Value?) throws(ConfigurationError) -> String {
            guard case .string(let s)? = value else { throw ConfigurationError("\(path): field '\(key)' is missing or not a string; expected a string") }
            return s
        }
        var verdicts: [Verdict] = []
        guard case .array(let items)? = field("verdicts") else {
            throw ConfigurationError("\(path): field 'verdicts' is missing or not a list; expected a list of {test, measured, holds}")
        }
        for item in items {
            guard case .object(let v) = item.value, case .bool(let holds)? = v.first(where: { $0.key == "holds" })?.node.value else {
                throw ConfigurationError("\(path): a verdict at line \(item.line) has no boolean 'holds'; expected {test, measured, holds}")
            }
            verdicts.append(Verdict(test: try string("test", v.first { $0.key == "test" }?.node.value),
                                    measured: try string("measured", v.first { $0.key == "measured" }?.node.value), holds: holds))
        }
        var figures: [String] = []
        if case .array(let names)? = field("figures") {
            for n in names { if case .string(let s) = n.value { figures.append(s) } }
        }
        return Summary(folder: folder, name: try string("experiment", field("experiment")), claim: try string("claim", field("claim")),
                       command: try string("command", field("command")), verdicts: verdicts, figures: figures)
    }
}
