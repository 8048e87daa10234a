import Foundation
import OptBenchHarness
import OptBenchReports

/// `optbench index DIR`: `DIR/index.html`, the page over every suite folder in DIR.
enum IndexCommand: Subcommand {
    static let declaration = CommandDeclaration(
        name: "index", summary: "write DIR/index.html, a self-contained page over every suite's results in DIR (default results)",
        positional: ("DIR", "the folder holding the suites' folders", []),
        options: [])

    static func run(_ arguments: ParsedArguments, _ context: CommandContext) throws {
        let output = context.output
        let path = arguments.positionals.first ?? "results"
        let directory = URL(fileURLWithPath: path)
        let index = try ResultsIndex(directory: directory)
        try index.write(to: directory)
        output("\(path)/index.html: \(index.entries.count) suite(s)")
    }
}
