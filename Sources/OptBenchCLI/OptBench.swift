import Foundation
import OptBenchCatalog
import OptBenchCore
import OptBenchHarness
import OptBenchKernels

/// The `optbench` command line over a catalog: `list`, `trace`, `run`, `bench`, `compare`,
/// `merge`, `index`, `experiment`. Returns the exit status: 0 on success, 2 on a usage or
/// configuration error (settings whose memory estimate exceeds the machine's among them), 1 when
/// a run fails (a `trace` that diverges, a `compare` that finds a regression). A plugin package's
/// `main.swift` calls it with its own catalog:
///
///     exit(OptBench.main(Array(CommandLine.arguments.dropFirst()), catalog: .standard.adding(optimizers: [.mine])))
public enum OptBench {
    static let commands: [Command] = [
        Command(ListCommand.self), Command(TraceCommand.self), Command(RunCommand.self), Command(BenchCommand.self),
        Command(CompareCommand.self), Command(MergeCommand.self), Command(IndexCommand.self), Command(ExperimentCommand.self),
    ]

    public static func main(_ arguments: [String], catalog: Catalog = .standard, output: (String) -> Void = { print($0) },
                            errors: (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }) -> Int32 {
        if let conflict = catalog.conflicts.first {
            errors("optbench: the catalog defines \(conflict) twice; expected each name once")
            return 2
        }
        if let problem = KernelISA.environmentProblem() {
            errors("optbench: \(problem)")
            return 2
        }
        guard let name = arguments.first, name != "--help", name != "-h" else {
            output(usage)
            return arguments.isEmpty ? 2 : 0
        }
        if name == "help" {
            // `optbench help run` is `optbench run --help`.
            guard let topic = arguments.dropFirst().first else {
                output(usage)
                return 0
            }
            if topic == "suite-file" {
                output(SuiteFile.schema)
                return 0
            }
            guard let command = commands.first(where: { $0.declaration.name == topic }) else {
                errors(UsageError(message: "optbench help: unknown topic '\(topic)'; valid topics: "
                                  + (commands.map(\.declaration.name) + ["suite-file"]).joined(separator: ", ")).description)
                return 2
            }
            output(command.declaration.help)
            return 0
        }
        guard let command = commands.first(where: { $0.declaration.name == name }) else {
            errors(UsageError(message: "optbench: unknown command '\(name)'; valid commands: "
                              + commands.map(\.declaration.name).joined(separator: ", ")).description)
            return 2
        }
        do {
            let parsed = try command.declaration.parse(arguments.dropFirst())
            if parsed.help {
                output(command.declaration.help)
                return 0
            }
            try withoutActuallyEscaping(output) { output in
                try withoutActuallyEscaping(errors) { errors in
                    try command.run(parsed, CommandContext(catalog: catalog, output: output, errors: errors))
                }
            }
            return 0
        } catch let e as ExitStatus {
            return e.code
        } catch let e as UsageError {
            errors(e.description)
            return 2
        } catch let e as ConfigurationError {
            errors("optbench \(name): \(e.message)\nsee 'optbench \(name) --help' and 'optbench list'")
            return 2
        } catch {
            errors("optbench \(name): \(error)")
            return 1
        }
    }

    static var usage: String {
        (["usage: optbench <command> [options]", "", "Benchmarks optimization algorithms side by side, in epochs (n sample gradients each).", ""]
         + commands.map { "  \($0.declaration.name.padding(12))\($0.declaration.summary)" }
         + ["", "'optbench <command> --help' or 'optbench help <command>' describes a command's options;",
            "'optbench help suite-file' the suite files 'optbench bench --suite FILE' runs."]).joined(separator: "\n")
    }
}

/// What every subcommand runs against: the catalog names resolve in, and where text goes.
struct CommandContext {
    let catalog: Catalog
    let output: (String) -> Void
    let errors: (String) -> Void
}

/// A subcommand's declaration and its action, type-erased for the command table.
struct Command: Sendable {
    let declaration: CommandDeclaration
    let action: @Sendable (ParsedArguments, CommandContext) throws -> Void
    init<C: Subcommand>(_ type: C.Type) {
        declaration = C.declaration
        action = { try C.run($0, $1) }
    }
    func run(_ a: ParsedArguments, _ context: CommandContext) throws { try action(a, context) }
}

protocol Subcommand: SendableMetatype {
    static var declaration: CommandDeclaration { get }
    static func run(_ arguments: ParsedArguments, _ context: CommandContext) throws
}
