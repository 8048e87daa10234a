import Foundation
import OptBenchHarness
import OptBenchReports

/// `optbench compare BASELINE NEW`: the regression gate between two results folders of one
/// suite. Exit 0 when every pair is equal or better, 1 on a regression, 2 on unusable input.
enum CompareCommand: Subcommand {
    static let declaration = CommandDeclaration(
        name: "compare", summary: "compare two results folders of a suite; exit 1 on a regression, 0 when equal or better",
        positional: ("BASELINE NEW", "the committed tables (e.g. results/smoke) and a fresh run of the same suite", []),
        positionalCount: 2,
        options: [
            OptionDeclaration(name: "--time-band", valueName: "F",
                              help: "relative slow-down beyond the seeds' spread that counts as a time regression (default: the larger timing noise the two runs measured, timings.json; 0.5 without)"),
            OptionDeclaration(name: "--ignore-time", valueName: nil, help: "compare outcomes only (runs from another machine)"),
        ])

    static func run(_ arguments: ParsedArguments, _ context: CommandContext) throws {
        let output = context.output
        let band = try declaration.number(arguments, "--time-band", as: Double.self, expected: "a non-negative fraction")
        if let band, !(band >= 0 && band.isFinite) {
            throw UsageError(message: "optbench compare: --time-band \(band) must be ≥ 0", command: "compare")
        }
        guard arguments.positionals.count == 2 else {
            throw UsageError(message: "optbench compare: expected two folders, BASELINE and NEW; got \(arguments.positionals.count)", command: "compare")
        }
        let comparison = try Comparison(baseline: URL(fileURLWithPath: arguments.positionals[0]),
                                        new: URL(fileURLWithPath: arguments.positionals[1]),
                                        timeBand: band, compareTime: !arguments.has("--ignore-time"))
        output(comparison.report)
        if comparison.regressed { throw ExitStatus(code: 1) }
    }
}

/// A command's verdict as an exit status, with its report already printed.
struct ExitStatus: Error {
    var code: Int32
}
