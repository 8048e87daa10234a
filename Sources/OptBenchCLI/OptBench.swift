import OptBenchCore
import Foundation
import OptBenchHarness

/// The `optbench` command line: `list`, `trace`, `run` and `bench`. Returns the exit status:
/// 0 on success, 2 on a usage or configuration error, 1 when a run fails.
public enum OptBench {
    static let commands: [Command] = [
        Command(ListCommand.self), Command(TraceCommand.self), Command(RunCommand.self), Command(BenchCommand.self),
        Command(CompareCommand.self), Command(MergeCommand.self), Command(IndexCommand.self),
    ]

    public static func main(_ arguments: [String], output: (String) -> Void = { print($0) },
                            errors: (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }) -> Int32 {
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
            guard let command = commands.first(where: { $0.declaration.name == topic }) else {
                errors(UsageError(message: "optbench help: unknown command '\(topic)'; valid commands: "
                                  + commands.map(\.declaration.name).joined(separator: ", ")).description)
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
            try command.run(parsed, output: output, errors: errors)
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
         + commands.map { "  \($0.declaration.name.padding(8))\($0.declaration.summary)" }
         + ["", "'optbench <command> --help' or 'optbench help <command>' describes a command's options."]).joined(separator: "\n")
    }
}

/// A subcommand's declaration and its action, type-erased for the command table.
struct Command: Sendable {
    let declaration: CommandDeclaration
    let action: @Sendable (ParsedArguments, (String) -> Void, (String) -> Void) throws -> Void
    init<C: Subcommand>(_ type: C.Type) {
        declaration = C.declaration
        action = { try C.run($0, output: $1, errors: $2) }
    }
    func run(_ a: ParsedArguments, output: (String) -> Void, errors: (String) -> Void) throws { try action(a, output, errors) }
}

protocol Subcommand: SendableMetatype {
    static var declaration: CommandDeclaration { get }
    static func run(_ arguments: ParsedArguments, output: (String) -> Void, errors: (String) -> Void) throws
}
