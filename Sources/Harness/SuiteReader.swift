import OptBenchCore
import OptBenchKernels
import OptBenchOptimizers
import OptBenchProblems

/// Reads a suite file (JSON, schema in `SuiteFile.schema`) into a `Suite`, resolving every
/// name in a catalog and checking every value against its declaration before any work: a
/// mistake names the file, line and column, the field, and what was expected.
struct SuiteReader {
    let file: String
    let catalog: Catalog

    func error(_ node: JSONNode, _ field: String, _ message: String) -> ConfigurationError {
        ConfigurationError("\(file):\(node.line):\(node.column): \(field): \(message)")
    }

    /// The members of an object node; unknown keys are refused, listing the known ones.
    func members(_ node: JSONNode, _ field: String, allowed: [String], required: [String] = []) throws(ConfigurationError) -> [String: JSONNode] {
        guard case .object(let list) = node.value else { throw error(node, field, "\(node.kind); expected an object") }
        var out: [String: JSONNode] = [:]
        for (key, value) in list {
            guard allowed.contains(key) else {
                throw error(value, field.isEmpty ? key : "\(field).\(key)", "unknown key '\(key)'; expected one of \(allowed.joined(separator: ", "))")
            }
            out[key] = value
        }
        for key in required where out[key] == nil {
            throw error(node, field.isEmpty ? "top level" : field, "missing '\(key)'; expected \(required.joined(separator: ", "))")
        }
        return out
    }

    func string(_ node: JSONNode, _ field: String) throws(ConfigurationError) -> String {
        guard case .string(let s) = node.value else { throw error(node, field, "\(node.kind); expected a string") }
        return s
    }

    func number(_ node: JSONNode, _ field: String) throws(ConfigurationError) -> Double {
        guard case .number(let v, _) = node.value else { throw error(node, field, "\(node.kind); expected a number") }
        return v
    }

    func list(_ node: JSONNode, _ field: String, nonEmpty: Bool = true) throws(ConfigurationError) -> [JSONNode] {
        guard case .array(let items) = node.value else { throw error(node, field, "\(node.kind); expected a list") }
        if nonEmpty, items.isEmpty { throw error(node, field, "an empty list; expected at least one entry") }
        return items
    }

    /// An object's members in the order written.
    func ordered(_ node: JSONNode, _ field: String) throws(ConfigurationError) -> [(key: String, node: JSONNode)] {
        guard case .object(let list) = node.value else { throw error(node, field, "\(node.kind); expected an object") }
        return list
    }

    /// A JSON value as a value of `declaration`'s kind.
    func value(_ node: JSONNode, of declaration: ParameterDeclaration, _ field: String) throws(ConfigurationError) -> ParameterValue {
        let expected = "\(declaration.kind.description) (\(declaration.usage))"
        func bad() -> ConfigurationError { error(node, field, "\(node.text) is \(node.kind); expected \(expected)") }
        switch (declaration.kind, node.value) {
        case (.real, .number(let v, _)), (.optionalReal, .number(let v, _)): return .real(v)
        case (.optionalReal, .string("none")): return .text("none")
        case (.integerOrAuto, .string("auto")): return .text("auto")
        case (.integer, .number(let v, _)), (.integerOrAuto, .number(let v, _)):
            guard v == v.rounded(), abs(v) < 9e15 else { throw error(node, field, "\(node.text) is not an integer; expected \(expected)") }
            return .integer(Int(v))
        case (.boolean, .bool(let b)): return .boolean(b)
        case (.pair, .array(let items)):
            guard items.count == 2, case .number(let a, _) = items[0].value, case .number(let b, _) = items[1].value else { throw bad() }
            return .pair(a, b)
        case (.vector, .array(let items)):
            var v: [Double] = []
            for item in items {
                guard case .number(let x, _) = item.value else { throw bad() }
                v.append(x)
            }
            return .vector(v)
        case (.choice, .string(let s)), (.text, .string(let s)):
            return .text(s)
        default: throw bad()
        }
    }

    /// `values` with `key` set to the JSON value `node`, checked against its declaration.
    func assign(_ values: Parameters, _ key: String, _ node: JSONNode, _ field: String) throws(ConfigurationError) -> Parameters {
        guard let declaration = values.declarations.first(where: { $0.name == key }) else {
            throw error(node, field, "unknown parameter '\(key)' of \(values.owner); valid parameters: \(values.declarations.map(\.name).joined(separator: ", "))")
        }
        do {
            return try values.setting(key, value(node, of: declaration, field))
        } catch {
            throw self.error(node, field, error.message)
        }
    }

    /// `values` with `key` set to the text `word` (filter syntax).
    func assign(_ values: Parameters, _ key: String, text word: String, at node: JSONNode, _ field: String) throws(ConfigurationError) -> Parameters {
        guard let declaration = values.declarations.first(where: { $0.name == key }) else {
            throw error(node, field, "unknown parameter '\(key)' of \(values.owner); valid parameters: \(values.declarations.map(\.name).joined(separator: ", "))")
        }
        do {
            return try values.setting(key, declaration.parse(word, owner: values.owner))
        } catch {
            throw self.error(node, field, error.message)
        }
    }

    func suite(from root: JSONNode, definition: String) throws(ConfigurationError) -> Suite {
        let top = try members(root, "", allowed: ["name", "summary", "problems", "optimizers", "learning_rates", "seeds", "stop", "budget"],
                              required: ["name", "summary", "problems", "optimizers", "learning_rates", "seeds", "stop", "budget"])
        let name = try string(top["name"]!, "name")
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw error(top["name"]!, "name", "'\(name)' is not a valid suite name; expected letters, digits, '-' and '_'")
        }
        let summary = try string(top["summary"]!, "summary")
        var problems: [SuiteProblem] = []
        for (i, item) in try list(top["problems"]!, "problems").enumerated() { problems += try problemRows(item, "problems[\(i)]") }
        var optimizers: [SuiteOptimizer] = []
        for (i, item) in try list(top["optimizers"]!, "optimizers").enumerated() { optimizers.append(try column(item, "optimizers[\(i)]")) }
        let rates = try learningRates(top["learning_rates"]!, "learning_rates")
        var seeds: [UInt64] = []
        for (i, node) in try list(top["seeds"]!, "seeds").enumerated() {
            let v = try number(node, "seeds[\(i)]")
            guard v >= 0, v == v.rounded(), v < 9e15 else { throw error(node, "seeds[\(i)]", "\(node.text) is not a seed; expected a non-negative integer") }
            guard !seeds.contains(UInt64(v)) else { throw error(node, "seeds[\(i)]", "seed \(node.text) is given twice; expected distinct seeds") }
            seeds.append(UInt64(v))
        }
        let rule = try stoppingRule(stop: top["stop"]!, budget: top["budget"]!)
        let suite = Suite(name: name, summary: summary, problems: problems, optimizers: optimizers, seeds: seeds, rule: rule,
                          learningRates: rates, definition: definition)
        return suite
    }

    /// One row, or one per value of a filter-syntax list.
    func problemRows(_ node: JSONNode, _ field: String) throws(ConfigurationError) -> [SuiteProblem] {
        if case .string(let text) = node.value {
            let spec: FilterSpec
            do { spec = try FilterSpec(parsing: text, what: "problem") } catch { throw self.error(node, field, error.message) }
            let entry = try resolve(at: node, field) { () throws(ConfigurationError) in try catalog.problem(named: spec.name) }
            var rows = [(entry.defaults, [String]())]
            for a in spec.assignments {
                var next: [(Parameters, [String])] = []
                for (values, given) in rows {
                    for word in a.values { next.append((try assign(values, a.key, text: word, at: node, field), given + [a.key])) }
                }
                rows = next
            }
            return rows.map { SuiteProblem(entry, settings: $0.0, given: $0.1) }
        }
        let m = try members(node, field, allowed: ["name", "settings", "series"], required: ["name"])
        let entry = try resolve(at: m["name"]!, "\(field).name") { () throws(ConfigurationError) in try catalog.problem(named: try string(m["name"]!, "\(field).name")) }
        var values = entry.defaults, given: [String] = []
        if let settings = m["settings"] {
            for (key, v) in try ordered(settings, "\(field).settings") {
                values = try assign(values, key, v, "\(field).settings.\(key)")
                given.append(key)
            }
        }
        var series: [String] = []
        if let s = m["series"] {
            for (k, item) in try list(s, "\(field).series").enumerated() {
                let name = try string(item, "\(field).series[\(k)]")
                guard TheoryConstants.Name(rawValue: name) != nil else {
                    throw error(item, "\(field).series[\(k)]", "unknown constant '\(name)'; expected one of \(TheoryConstants.Name.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                series.append(name)
            }
        }
        return [SuiteProblem(entry, settings: values, given: given, series: series)]
    }

    /// A name looked up in the catalog, its error placed at `node`.
    func resolve<T>(at node: JSONNode, _ field: String, _ lookup: () throws(ConfigurationError) -> T) throws(ConfigurationError) -> T {
        do { return try lookup() } catch { throw self.error(node, field, error.message) }
    }

    func column(_ node: JSONNode, _ field: String) throws(ConfigurationError) -> SuiteOptimizer {
        if case .string(let text) = node.value {
            let spec: FilterSpec
            do { spec = try FilterSpec(parsing: text, what: "optimizer") } catch { throw self.error(node, field, error.message) }
            let entry = try resolve(at: node, field) { () throws(ConfigurationError) in try catalog.optimizer(named: spec.name) }
            var values = entry.defaults, fixed: [String] = [], sweeps: [SweepAxis] = []
            for a in spec.assignments {
                if a.isList {
                    var axis: [ParameterValue] = []
                    for word in a.values {
                        let checked = try assign(values, a.key, text: word, at: node, field)
                        if let v = checked.value(of: a.key) { axis.append(v) }
                    }
                    sweeps.append(SweepAxis(a.key, values: axis))
                } else {
                    values = try assign(values, a.key, text: a.values[0], at: node, field)
                    fixed.append(a.key)
                }
            }
            return try checked(SuiteOptimizer(entry, values: values, fixed: fixed, sweeping: sweeps), node, field)
        }
        let m = try members(node, field, allowed: ["name", "hyperparameters", "groups", "learning_rates", "sweep", "prescribed", "complexity", "tag"],
                            required: ["name"])
        let entry = try resolve(at: m["name"]!, "\(field).name") { () throws(ConfigurationError) in try catalog.optimizer(named: try string(m["name"]!, "\(field).name")) }
        var values = entry.defaults, fixed: [String] = []
        if let hp = m["hyperparameters"] {
            for (key, v) in try ordered(hp, "\(field).hyperparameters") {
                values = try assign(values, key, v, "\(field).hyperparameters.\(key)")
                fixed.append(key)
            }
        }
        var groups: [ParameterGroup] = []
        if let g = m["groups"] {
            for (selector, body) in try ordered(g, "\(field).groups") {
                var words: [String] = []
                for (key, v) in try ordered(body, "\(field).groups.\(selector)") {
                    let checked = try assign(entry.defaults, key, v, "\(field).groups.\(selector).\(key)")
                    guard entry.groupParameters.contains(key) else {
                        throw error(v, "\(field).groups.\(selector).\(key)",
                                    entry.groupParameters.isEmpty ? "\(entry.name) does not take parameter groups"
                                        : "'\(key)' applies to every group; a group may set \(entry.groupParameters.joined(separator: ", "))")
                    }
                    words.append("\(key)=\(checked.value(of: key)!)")
                }
                groups.append(ParameterGroup(selector: selector, assignments: words))
            }
        }
        var rates: [Double]?
        if let r = m["learning_rates"] {
            guard entry.hasLearningRate else { throw error(r, "\(field).learning_rates", "\(entry.name) has no lr to sweep; expected no learning_rates") }
            if case .string("none") = r.value { rates = [] } else { rates = try learningRates(r, "\(field).learning_rates") }
        }
        var sweeps: [SweepAxis] = []
        if let s = m["sweep"] {
            for (key, v) in try ordered(s, "\(field).sweep") {
                guard key != ParameterDeclaration.learningRate else {
                    throw error(v, "\(field).sweep.lr", "lr is swept by learning_rates; expected another hyper-parameter")
                }
                var axis: [ParameterValue] = []
                for (k, item) in try list(v, "\(field).sweep.\(key)").enumerated() {
                    let checked = try assign(values, key, item, "\(field).sweep.\(key)[\(k)]")
                    if let value = checked.value(of: key) { axis.append(value) }
                }
                guard !fixed.contains(key) else { throw error(v, "\(field).sweep.\(key)", "\(key) is also fixed in hyperparameters; expected one or the other") }
                sweeps.append(SweepAxis(key, values: axis))
            }
        }
        var prescribed: [(name: String, expression: TheoryExpression)] = []
        if let p = m["prescribed"] {
            for (key, v) in try ordered(p, "\(field).prescribed") {
                let f = "\(field).prescribed.\(key)"
                guard let declaration = entry.parameters.first(where: { $0.name == key }) else {
                    throw error(v, f, "unknown parameter '\(key)' of optimizer '\(entry.name)'; valid parameters: \(entry.parameters.map(\.name).joined(separator: ", "))")
                }
                guard declaration.kind == .real else { throw error(v, f, "\(key) is \(declaration.kind.description); expected a real hyper-parameter") }
                guard !fixed.contains(key), !sweeps.contains(where: { $0.name == key }) else {
                    throw error(v, f, "\(key) is also fixed or swept; expected one or the other")
                }
                do { prescribed.append((key, try TheoryExpression(try string(v, f)))) } catch { throw self.error(v, f, error.message) }
            }
            if !prescribed.isEmpty, m["learning_rates"] != nil || m["sweep"] != nil {
                throw error(p, "\(field).prescribed", "a prescribed column is not swept; expected no learning_rates or sweep beside it")
            }
        }
        var complexity: Complexity?
        if let c = m["complexity"] {
            let word = try string(c, "\(field).complexity")
            guard let k = Complexity.allCases.first(where: { $0.fileName == word }) else {
                throw error(c, "\(field).complexity", "unknown complexity '\(word)'; expected one of \(Complexity.allCases.map(\.fileName).joined(separator: ", "))")
            }
            complexity = k
        }
        let tag = try m["tag"].map { n throws(ConfigurationError) in try string(n, "\(field).tag") }
        return try checked(SuiteOptimizer(entry, values: values, fixed: fixed, groups: groups, learningRates: rates, sweeping: sweeps,
                                          prescribed: prescribed, complexity: complexity, tag: tag), node, field)
    }

    /// The column built at its defaults (and at each sweep point), so that a constraint between
    /// values (nesterov without momentum) is refused here, before any work.
    func checked(_ column: SuiteOptimizer, _ node: JSONNode, _ field: String) throws(ConfigurationError) -> SuiteOptimizer {
        var theory = TheoryConstants(sampleCount: 100, dimension: 10, optimalValue: 0)
        (theory.smoothness, theory.strongConvexity, theory.maxSampleSmoothness) = (1, 0.01, 1)
        (theory.lambdaMax, theory.lambdaMin, theory.lambdaAverage) = (1, 0.01, 0.1)
        do {
            for point in SweepPoint.product(axes: column.sweeps, learningRates: [nil]) {
                _ = try column.entry.make(column.parameters(point, theory: theory))
            }
        } catch {
            throw self.error(node, field, error.message)
        }
        return column
    }

    func learningRates(_ node: JSONNode, _ field: String) throws(ConfigurationError) -> [Double] {
        if case .array = node.value {
            var rates: [Double] = []
            for (k, item) in try list(node, field).enumerated() {
                let v = try number(item, "\(field)[\(k)]")
                guard v > 0 else { throw error(item, "\(field)[\(k)]", "\(item.text) is not a learning rate; expected a positive real") }
                rates.append(v)
            }
            return rates
        }
        let m = try members(node, field, allowed: ["from", "to", "per_decade"], required: ["from", "to", "per_decade"])
        func exponent(_ key: String) throws(ConfigurationError) -> Int {
            let v = try number(m[key]!, "\(field).\(key)")
            let e = v > 0 ? Math.log10(v).rounded() : .nan
            guard e.isFinite, abs(e) <= 300, threeSignificantDigits(pow10(e)) == v else {
                throw error(m[key]!, "\(field).\(key)", "\(m[key]!.text) is not a power of ten; expected 1e-4, 0.01, 1, 10, …")
            }
            return Int(e)
        }
        let lo = try exponent("from"), hi = try exponent("to")
        let perDecade = try number(m["per_decade"]!, "\(field).per_decade")
        guard perDecade >= 1, perDecade <= 100, perDecade == perDecade.rounded() else {
            throw error(m["per_decade"]!, "\(field).per_decade", "\(m["per_decade"]!.text); expected an integer from 1 to 100")
        }
        guard lo < hi else { throw error(node, field, "from \(m["from"]!.text) is not below to \(m["to"]!.text); expected from < to") }
        return logGrid(from: lo, to: hi, perDecade: Int(perDecade))
    }

    func stoppingRule(stop: JSONNode, budget: JSONNode) throws(ConfigurationError) -> StoppingRule {
        let s = try members(stop, "stop", allowed: ["target", "criterion", "divergence_factor"], required: ["target"])
        var rule = StoppingRule()
        rule.target = try number(s["target"]!, "stop.target")
        if let c = s["criterion"] {
            let word = try string(c, "stop.criterion")
            guard let criterion = StoppingCriterion(word) else {
                throw error(c, "stop.criterion", "'\(word)' is not a criterion; expected relative, loss or metric:NAME")
            }
            rule.criterion = criterion
        }
        guard rule.target >= 0 else { throw error(s["target"]!, "stop.target", "\(s["target"]!.text); expected a target ε ≥ 0") }
        if let f = s["divergence_factor"] {
            rule.divergenceFactor = try number(f, "stop.divergence_factor")
            guard rule.divergenceFactor > 1 else { throw error(f, "stop.divergence_factor", "\(f.text); expected a factor above 1") }
        }
        let b = try members(budget, "budget", allowed: ["epochs", "steps"], required: ["epochs"])
        rule.maxEpochs = try number(b["epochs"]!, "budget.epochs")
        guard rule.maxEpochs > 0 else { throw error(b["epochs"]!, "budget.epochs", "\(b["epochs"]!.text); expected a positive number of epochs") }
        if let steps = b["steps"] {
            let v = try number(steps, "budget.steps")
            guard v >= 1, v == v.rounded(), v < 9e15 else { throw error(steps, "budget.steps", "\(steps.text); expected a positive integer") }
            rule.maxSteps = Int(v)
        }
        return rule
    }
}

extension Complexity {
    /// How suite files name it.
    public var fileName: String {
        switch self {
        case .gradientDescent: "gradient-descent"
        case .accelerated: "accelerated"
        case .coordinate: "coordinate"
        case .varianceReduced: "variance-reduced"
        case .varianceReducedAsPrinted: "variance-reduced-as-printed"
        case .sgdRealizable: "sgd-realizable"
        }
    }
}

extension StoppingCriterion {
    /// `relative`, `loss` or `metric:NAME`; nil for anything else.
    public init?(_ word: String) {
        switch word {
        case "relative": self = .relative
        case "loss": self = .loss
        case _ where word.hasPrefix("metric:") && word.count > "metric:".count: self = .metric(String(word.dropFirst("metric:".count)))
        default: return nil
        }
    }
}

extension ParameterValue {
    /// The value as a suite file writes it.
    var json: JSONValue {
        switch self {
        case .real(let v): .number(v)
        case .integer(let v): .number(Double(v))
        case .boolean(let b): .bool(b)
        case .pair(let a, let b): .array([.number(a), .number(b)])
        case .text(let s): .string(s)
        case .vector(let v): .array(v.map { .number($0) })
        }
    }
}

extension Suite {
    /// The suite as a suite file that reads back to it (learning rates listed, every name and
    /// value explicit): what shards keep, so that a merge runs the grid they were cut from.
    public var canonicalDefinition: String {
        func settings(_ names: [String], _ values: Parameters) -> JSONValue {
            .object(names.map { JSONValue.Member($0, values.value(of: $0)?.json ?? .null) })
        }
        let problemList: [JSONValue] = problems.map { p in
            var m = [JSONValue.Member("name", .string(p.name))]
            if !p.given.isEmpty { m.append(.init("settings", settings(p.given, p.settings))) }
            if !p.series.isEmpty { m.append(.init("series", .array(p.series.map { .string($0) }))) }
            return .object(m)
        }
        let optimizerList: [JSONValue] = optimizers.map { o in
            var m = [JSONValue.Member("name", .string(o.name))]
            if !o.fixed.isEmpty { m.append(.init("hyperparameters", settings(o.fixed, o.values))) }
            if !o.groups.isEmpty {
                m.append(.init("groups", .object(o.groups.map { g in
                    let values = (try? o.entry.parameters(g.assignments)) ?? o.entry.defaults
                    return JSONValue.Member(g.selector, settings(g.assignments.map { String($0.prefix { $0 != "=" }) }, values))
                })))
            }
            if let rates = o.learningRates, o.prescribed.isEmpty {
                m.append(.init("learning_rates", rates.isEmpty ? "none" : .array(rates.map { .number($0) })))
            }
            if !o.sweeps.isEmpty {
                m.append(.init("sweep", .object(o.sweeps.map { .init($0.name, .array($0.values.map(\.json))) })))
            }
            if !o.prescribed.isEmpty {
                m.append(.init("prescribed", .object(o.prescribed.map { .init($0.name, .string($0.expression.description)) })))
            }
            if let c = o.complexity { m.append(.init("complexity", .string(c.fileName))) }
            if let t = o.tag { m.append(.init("tag", .string(t))) }
            return .object(m)
        }
        var stop: [JSONValue.Member] = [.init("target", .number(rule.target)), .init("criterion", .string(rule.criterion.description))]
        if rule.divergenceFactor != StoppingRule().divergenceFactor { stop.append(.init("divergence_factor", .number(rule.divergenceFactor))) }
        var budget: [JSONValue.Member] = [.init("epochs", .number(rule.maxEpochs))]
        if rule.maxSteps != StoppingRule().maxSteps { budget.append(.init("steps", .number(Double(rule.maxSteps)))) }
        return JSONValue.object([
            .init("name", .string(name)), .init("summary", .string(summary)),
            .init("problems", .array(problemList)), .init("optimizers", .array(optimizerList)),
            .init("learning_rates", .array(learningRates.map { .number($0) })),
            .init("seeds", .array(seeds.map { .number(Double($0)) })),
            .init("stop", .object(stop)), .init("budget", .object(budget)),
        ]).text() + "\n"
    }
}

extension SuiteFile {
    /// The schema, as `optbench help suite-file` prints it.
    public static let schema = """
    A suite file is a JSON object:

      name            string       the suite's name (results go to results/NAME)
      summary         string       one line: what the grid compares
      problems        list         each a string in filter syntax, "least-squares[n=1000,kappa=100]",
                                   or an object {"name": …, "settings": {key: value, …}, "series": [constant, …]}
      optimizers      list         each a string in filter syntax, "nesterov[momentum=0.9]", or an object:
                                     name             the optimizer
                                     hyperparameters  {key: value, …} fixed values (the others at their defaults)
                                     groups           {selector: {key: value, …}, …} parameter groups (a role or block name)
                                     learning_rates   this column's sweep (see below), or "none" for the rule's own lr
                                     sweep            {key: [value, …], …} other hyper-parameters swept with lr (their product)
                                     prescribed       {key: "expression", …} values theory prescribes, e.g. {"lr": "1/L"};
                                                      such a column is not swept
                                     complexity       the epoch complexity theory predicts: gradient-descent, accelerated,
                                                      coordinate, variance-reduced, variance-reduced-as-printed, sgd-realizable
                                     tag              shown in brackets after the column's name, e.g. "theory"
      learning_rates  sweep        the suite's lr sweep: {"from": 1e-4, "to": 10, "per_decade": 3} (powers of ten,
                                   log-spaced, 3 significant digits) or a list of positive reals
      seeds           list         non-negative integers, each cell run once per seed
      stop            object       {"target": ε, "criterion": "relative" | "loss" | "metric:NAME", "divergence_factor": 1e4}
                                   relative: (F − F*)/(F₀ − F*) ≤ ε where F* is known, else ‖∇F‖/‖∇F₀‖ ≤ ε;
                                   loss: F ≤ ε; metric:NAME: the problem's metric (test_accuracy, …) ≥ ε
      budget          object       {"epochs": E, "steps": S}: a run stops after E epochs (S steps, default 1e8)

    Values are typed as the parameter is declared (see 'optbench list'): a real or integer is a number, a bool
    true/false, a choice or a path a string, a pair or a vector a list of numbers. In filter syntax a pair is
    written (a,b) and several values [v1,v2]: a problem then stands for one row per value, an optimizer sweeps
    them. Expressions use the problem's constants L, mu, L_max, kappa, kappa_D, lambda_max, lambda_min,
    lambda_avg, n, d with + - * / ^, parentheses and sqrt, log, exp, min, max, abs.
    Unknown keys, wrong types, unknown names and out-of-range values are refused, naming the file, the line,
    the field and what was expected, before any cell runs.
    """
}
