import Foundation
/// One option of a subcommand: `--name VALUE` (or a bare flag), with its help line.
struct OptionDeclaration: Sendable {
    var name: String
    var valueName: String?
    var help: String
    var repeatable = false
    var required = false

    var isFlag: Bool { valueName == nil }
    var usage: String { valueName.map { "\(name) \($0)" } ?? name }
}

/// A subcommand's declaration: parsing, `--help` and error messages all come from it.
struct CommandDeclaration: Sendable {
    var name: String
    var summary: String
    var positional: (name: String, help: String, choices: [String])?
    /// How many positional words the command takes (`compare BASELINE NEW` takes two).
    var positionalCount = 1
    var options: [OptionDeclaration]

    var help: String {
        var lines = ["usage: optbench \(name)" + (positional.map { " [\($0.name)]" } ?? "")
                     + options.map { o in
                        let u = o.usage + (o.repeatable ? "]…" : "")
                        return o.required ? " \(o.usage)" : (o.repeatable ? " [\(u)" : " [\(u)]")
                     }.joined(), "", summary, ""]
        if let p = positional { lines.append("  \(p.name.padding(24))\(p.help)") }
        for o in options { lines.append("  \(o.usage.padding(24))\(o.help)") }
        lines.append("  \("--help".padding(24))show this help")
        return lines.joined(separator: "\n")
    }
}

/// A mistake in how the command line is written; printed with a pointer to `--help`, exit 2.
struct UsageError: Error, CustomStringConvertible {
    var message: String
    var command: String?
    var description: String {
        message + "\n" + (command.map { "see 'optbench \($0) --help'" } ?? "see 'optbench --help'")
    }
}

struct ParsedArguments {
    var values: [String: [String]] = [:]
    var positionals: [String] = []
    var positional: String? { positionals.first }
    var help = false

    func value(_ name: String) -> String? { values[name]?.last }
    func all(_ name: String) -> [String] { values[name] ?? [] }
    func has(_ name: String) -> Bool { values[name] != nil }
}

extension CommandDeclaration {
    func parse(_ args: ArraySlice<String>) throws -> ParsedArguments {
        var parsed = ParsedArguments()
        var i = args.startIndex
        while i < args.endIndex {
            let word = args[i]
            i += 1
            if word == "--help" || word == "-h" {
                parsed.help = true
                return parsed
            }
            if word.hasPrefix("--") {
                var name = word
                var inline: String?
                if let eq = word.firstIndex(of: "=") {
                    name = String(word[..<eq])
                    inline = String(word[word.index(after: eq)...])
                }
                guard let option = options.first(where: { $0.name == name }) else {
                    throw UsageError(message: "optbench \(self.name): unknown option '\(name)'; valid options: "
                                     + options.map(\.name).joined(separator: ", "), command: self.name)
                }
                if option.isFlag {
                    parsed.values[name, default: []].append("true")
                    continue
                }
                let value: String
                if let inline { value = inline } else {
                    guard i < args.endIndex else {
                        throw UsageError(message: "optbench \(self.name): \(name) needs a value (\(option.usage))", command: self.name)
                    }
                    value = args[i]
                    i += 1
                }
                if !option.repeatable, parsed.values[name] != nil {
                    throw UsageError(message: "optbench \(self.name): \(name) given twice", command: self.name)
                }
                parsed.values[name, default: []].append(value)
            } else if let p = positional, parsed.positionals.count < positionalCount {
                guard p.choices.isEmpty || p.choices.contains(word) else {
                    throw UsageError(message: "optbench \(self.name): '\(word)' is not one of \(p.choices.joined(separator: ", "))",
                                     command: self.name)
                }
                parsed.positionals.append(word)
            } else {
                throw UsageError(message: "optbench \(self.name): unexpected argument '\(word)'", command: self.name)
            }
        }
        for o in options where o.required && parsed.values[o.name] == nil {
            throw UsageError(message: "optbench \(self.name): missing required option \(o.usage)", command: self.name)
        }
        return parsed
    }

    /// The value of a numeric option, or a usage error naming the option and what was expected.
    func number<T: LosslessStringConvertible>(_ parsed: ParsedArguments, _ name: String, as: T.Type, expected: String) throws -> T? {
        guard let text = parsed.value(name) else { return nil }
        guard let v = T(text) else {
            throw UsageError(message: "optbench \(self.name): \(name) \(text) is not valid; expected \(expected)", command: self.name)
        }
        return v
    }
}

extension String {
    func padding(_ width: Int) -> String {
        count >= width ? self + "  " : self + String(repeating: " ", count: width - count)
    }
}

/// Limits the threads every kernel of this process uses (`availableThreads`); read when the
/// first kernel runs, so it is set before any work.
func setKernelThreads(_ count: Int) {
    setenv("OPTBENCH_KERNEL_THREADS", String(count), 1)
}
