import OptBenchCore
import OptBenchKernels

/// A hyper-parameter value theory prescribes, as an arithmetic expression over a problem's
/// constants — `1/L`, `1/(10*L_max)`, `((sqrt(kappa)-1)/(sqrt(kappa)+1))^2` — parsed once when
/// a suite is read and evaluated for each problem of the grid.
///
/// Variables: `L`, `mu` (μ), `L_max`, `kappa` (κ = L/μ), `kappa_D` (λavg/λmin), `lambda_max`,
/// `lambda_min`, `lambda_avg`, `n`, `d`. Operators `+ − * / ^` (x^2 is x·x, so `1/(a+b)^2`
/// equals 1/((a+b)·(a+b)) to the bit), unary minus, parentheses, and the functions `sqrt`,
/// `log` (natural), `exp`, `min`, `max`, `abs`.
public struct TheoryExpression: Sendable, CustomStringConvertible {
    indirect enum Node: Sendable {
        case number(Double)
        case variable(Variable)
        case negate(Node)
        case binary(Character, Node, Node)
        case call(String, [Node])
    }

    /// A constant a problem may know, by the names expressions use.
    enum Variable: String, CaseIterable, Sendable {
        case L, mu, L_max, kappa, kappa_D, lambda_max, lambda_min, lambda_avg, n, d

        static let aliases: [String: Variable] = ["μ": .mu, "κ": .kappa, "κ_D": .kappa_D]

        func value(_ t: TheoryConstants) -> Double? {
            switch self {
            case .L: t.smoothness
            case .mu: t.strongConvexity
            case .L_max: t.maxSampleSmoothness
            case .kappa: t.conditionNumber
            case .kappa_D: t.averageConditionNumber
            case .lambda_max: t.lambdaMax
            case .lambda_min: t.lambdaMin
            case .lambda_avg: t.lambdaAverage
            case .n: Double(t.sampleCount)
            case .d: Double(t.dimension)
            }
        }
    }

    static let functions: [String: Int] = ["sqrt": 1, "log": 1, "exp": 1, "abs": 1, "min": 2, "max": 2]

    let root: Node
    /// The expression as written.
    public let description: String

    /// Parses `text`; a mistake is described with the offending position and what was expected.
    public init(_ text: String) throws(ConfigurationError) {
        var parser = Parser(characters: Array(text), text: text)
        let node = try parser.sum()
        parser.skipSpace()
        guard parser.index == parser.characters.count else { throw parser.error("unexpected '\(parser.characters[parser.index])'", expected: "an operator or the end") }
        root = node
        description = text
    }

    /// The value for a problem with constants `theory`; `user` names who needs a missing constant.
    public func value(for theory: TheoryConstants, user: String) throws(ConfigurationError) -> Double {
        try Self.evaluate(root, theory, user)
    }

    static func evaluate(_ node: Node, _ t: TheoryConstants, _ user: String) throws(ConfigurationError) -> Double {
        switch node {
        case .number(let v): return v
        case .variable(let v):
            guard let x = v.value(t), x.isFinite else {
                throw ConfigurationError("\(user) needs the theory constant \(v.rawValue), which this problem does not know")
            }
            return x
        case .negate(let a): return -(try evaluate(a, t, user))
        case .binary(let op, let a, let b):
            let x = try evaluate(a, t, user), y = try evaluate(b, t, user)
            switch op {
            case "+": return x + y
            case "-": return x - y
            case "*": return x * y
            case "/": return x / y
            default: return y == 2 ? x * x : Math.pow(x, y)
            }
        case .call(let name, let args):
            var values: [Double] = []
            for a in args { values.append(try evaluate(a, t, user)) }
            switch name {
            case "sqrt": return values[0].squareRoot()
            case "log": return Math.log(values[0])
            case "exp": return Math.exp(values[0])
            case "abs": return abs(values[0])
            case "min": return min(values[0], values[1])
            default: return max(values[0], values[1])
            }
        }
    }

    /// Recursive descent: sum := product (± product)*, product := power (*|/ power)*,
    /// power := unary (^ power)?, unary := −unary | atom.
    struct Parser {
        let characters: [Character]
        let text: String
        var index = 0

        func error(_ what: String, expected: String) -> ConfigurationError {
            ConfigurationError("expression '\(text)' at character \(index + 1): \(what); expected \(expected)")
        }

        mutating func skipSpace() { while index < characters.count, characters[index].isWhitespace { index += 1 } }

        mutating func next(_ c: Character) -> Bool {
            skipSpace()
            guard index < characters.count, characters[index] == c else { return false }
            index += 1
            return true
        }

        mutating func sum() throws(ConfigurationError) -> Node {
            var node = try product()
            while true {
                if next("+") { node = .binary("+", node, try product()) } else if next("-") { node = .binary("-", node, try product()) } else { return node }
            }
        }

        mutating func product() throws(ConfigurationError) -> Node {
            var node = try power()
            while true {
                if next("*") { node = .binary("*", node, try power()) } else if next("/") { node = .binary("/", node, try power()) } else { return node }
            }
        }

        mutating func power() throws(ConfigurationError) -> Node {
            let base = try unary()
            return next("^") ? .binary("^", base, try power()) : base
        }

        mutating func unary() throws(ConfigurationError) -> Node {
            if next("-") { return .negate(try unary()) }
            return try atom()
        }

        mutating func atom() throws(ConfigurationError) -> Node {
            skipSpace()
            guard index < characters.count else { throw error("the expression ends", expected: "a number, a constant or '('") }
            if next("(") {
                let inner = try sum()
                guard next(")") else { throw error("an unclosed '('", expected: "')'") }
                return inner
            }
            let c = characters[index]
            if c.isNumber || c == "." {
                let start = index
                while index < characters.count, characters[index].isNumber || characters[index] == "." { index += 1 }
                if index < characters.count, characters[index] == "e" || characters[index] == "E" {
                    index += 1
                    if index < characters.count, characters[index] == "+" || characters[index] == "-" { index += 1 }
                    while index < characters.count, characters[index].isNumber { index += 1 }
                }
                let word = String(characters[start..<index])
                guard let v = Double(word), v.isFinite else { throw error("'\(word)' is not a number", expected: "a number such as 10 or 1e-3") }
                return .number(v)
            }
            guard c.isLetter || c == "_" else { throw error("unexpected '\(c)'", expected: "a number, a constant or '('") }
            let start = index
            while index < characters.count, characters[index].isLetter || characters[index].isNumber || characters[index] == "_" { index += 1 }
            let name = String(characters[start..<index])
            if let arity = TheoryExpression.functions[name] {
                guard next("(") else { throw error("\(name) without '('", expected: "\(name)(…)") }
                var args = [try sum()]
                while next(",") { args.append(try sum()) }
                guard next(")") else { throw error("an unclosed call of \(name)", expected: "')'") }
                guard args.count == arity else { throw error("\(name) takes \(arity) argument\(arity == 1 ? "" : "s"), got \(args.count)", expected: "\(arity)") }
                return .call(name, args)
            }
            guard let v = Variable(rawValue: name) ?? Variable.aliases[name] else {
                let known = Variable.allCases.map(\.rawValue).joined(separator: ", ")
                throw error("unknown name '\(name)'", expected: "a constant (\(known)) or a function (\(TheoryExpression.functions.keys.sorted().joined(separator: ", ")))")
            }
            return .variable(v)
        }
    }
}
