import Foundation
import OptBenchCore
import OptBenchOptimizers
import OptBenchProblems

/// Everything the suite can run, as values: problems, optimizers, suites and experiments.
/// `Catalog.standard` (in `OptBenchCatalog`) is the one that ships; a plugin package builds
/// `Catalog.standard.adding(…)` with its own entries and hands it to `OptBench.main`. Names are
/// resolved here, once, where the command line or a suite file names something; below that,
/// suites hold entries and typed values.
public struct Catalog: Sendable {
    public var problems: [ProblemEntry]
    public var optimizers: [OptimizerEntry]
    public var suites: [SuiteFile]
    public var experiments: [ExperimentEntry]

    public init(problems: [ProblemEntry] = [], optimizers: [OptimizerEntry] = [], suites: [SuiteFile] = [],
                experiments: [ExperimentEntry] = []) {
        self.problems = problems
        self.optimizers = optimizers
        self.suites = suites
        self.experiments = experiments
    }

    /// This catalog with more entries after its own.
    public func adding(problems: [ProblemEntry] = [], optimizers: [OptimizerEntry] = [], suites: [SuiteFile] = [],
                       experiments: [ExperimentEntry] = []) -> Catalog {
        Catalog(problems: self.problems + problems, optimizers: self.optimizers + optimizers, suites: self.suites + suites,
                experiments: self.experiments + experiments)
    }

    /// Names given to two entries of one kind, as `kind 'name'`: a catalog with any is refused.
    public var conflicts: [String] {
        func repeated(_ kind: String, _ names: [String]) -> [String] {
            var seen = Set<String>(), twice: [String] = []
            for n in names where !seen.insert(n).inserted && !twice.contains("\(kind) '\(n)'") { twice.append("\(kind) '\(n)'") }
            return twice
        }
        return repeated("problem", problems.map(\.name)) + repeated("optimizer", optimizers.map(\.name))
            + repeated("suite", suites.map(\.name)) + repeated("experiment", experiments.map(\.name))
    }

    static func unknown(_ kind: String, _ name: String, _ valid: [String]) -> ConfigurationError {
        ConfigurationError("unknown \(kind) '\(name)'; valid \(kind)s: \(valid.joined(separator: ", "))")
    }

    public func problem(named name: String) throws(ConfigurationError) -> ProblemEntry {
        guard let e = problems.first(where: { $0.name == name }) else { throw Self.unknown("problem", name, problems.map(\.name)) }
        return e
    }

    public func optimizer(named name: String) throws(ConfigurationError) -> OptimizerEntry {
        guard let e = optimizers.first(where: { $0.name == name }) else { throw Self.unknown("optimizer", name, optimizers.map(\.name)) }
        return e
    }

    public func experiment(named name: String) throws(ConfigurationError) -> ExperimentEntry {
        guard let e = experiments.first(where: { $0.name == name }) else { throw Self.unknown("experiment", name, experiments.map(\.name)) }
        return e
    }

    /// The suite a catalog name names, or the suite file at a path (a word with `/` or ending
    /// in `.json`), read and checked against this catalog before any work.
    public func suite(_ nameOrPath: String) throws(ConfigurationError) -> Suite {
        if let file = suites.first(where: { $0.name == nameOrPath }) { return try file.suite(in: self) }
        guard nameOrPath.contains("/") || nameOrPath.hasSuffix(".json") else {
            throw ConfigurationError("unknown suite '\(nameOrPath)'; valid suites: \(suites.map(\.name).joined(separator: ", ")), or a suite file's path")
        }
        return try SuiteFile(path: nameOrPath).suite(in: self)
    }
}

/// A suite file: its name in a catalog, where it was read from, and its text.
public struct SuiteFile: Sendable {
    public var name: String
    /// Where the text came from, for messages (a path, or `suites/NAME.json` for a built-in one).
    public var path: String
    public var text: String

    public init(name: String, path: String, text: String) {
        self.name = name
        self.path = path
        self.text = text
    }

    /// The file at `path`, named by its `name` field.
    public init(path: String) throws(ConfigurationError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError("suite file \(path): cannot be read; expected a readable JSON suite file (see 'optbench help suite-file')")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError("suite file \(path): is not UTF-8 text; expected a JSON suite file")
        }
        let root = try JSONReader.parse(text, file: path)
        var name = (path as NSString).lastPathComponent
        if case .object(let members) = root.value, let node = members.first(where: { $0.key == "name" })?.node,
           case .string(let s) = node.value { name = s }
        self.init(name: name, path: path, text: text)
    }

    /// The suite this file describes, with every name resolved in `catalog`.
    public func suite(in catalog: Catalog) throws(ConfigurationError) -> Suite {
        try SuiteReader(file: path, catalog: catalog).suite(from: JSONReader.parse(text, file: path), definition: text)
    }
}

extension Catalog {
    /// A problem row by name with `key=value` settings, for suites built in code.
    public func row(_ name: String, _ settings: [String] = [], series: [String] = []) throws(ConfigurationError) -> SuiteProblem {
        try SuiteProblem(problem(named: name), settings, series: series)
    }

    /// An optimizer column by name with `key=value` hyper-parameters, `SELECTOR:KEY=VALUE`
    /// groups and prescribed expressions, for suites built in code.
    public func column(_ name: String, _ hyperParameters: [String] = [], groups: [String] = [], learningRates: [Double]? = nil,
                       sweeping sweeps: [SweepAxis] = [], prescribed: KeyValuePairs<String, String> = [:], complexity: Complexity? = nil,
                       tag: String? = nil) throws(ConfigurationError) -> SuiteOptimizer {
        let entry = try optimizer(named: name)
        var parsed: [ParameterGroup] = []
        for g in groups { parsed.append(try ParameterGroup(parsing: g)) }
        var expressions: [(name: String, expression: TheoryExpression)] = []
        for (key, text) in prescribed { expressions.append((key, try TheoryExpression(text))) }
        return SuiteOptimizer(entry, values: try entry.parameters(hyperParameters), fixed: hyperParameters.map { String($0.prefix { $0 != "=" }) },
                              groups: parsed, learningRates: learningRates, sweeping: sweeps, prescribed: expressions,
                              complexity: complexity, tag: tag)
    }
}
