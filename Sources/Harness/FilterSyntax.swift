import OptBenchCore

/// Benchopt's filter syntax for one problem or optimizer on the command line or in a suite
/// file: `name` or `name[key=value,key=value]`, where a value is a word (`0.9`, `lipschitz`),
/// a tuple in parentheses for a pair or a list (`betas=(0.9,0.99)`, `x0=(-1.5,2)`), or several
/// values in brackets (`momentum=[0.5,0.9]`): a problem then stands for one row per value, an
/// optimizer sweeps them.
public struct FilterSpec: Sendable, Equatable {
    public struct Assignment: Sendable, Equatable {
        public var key: String
        /// The values as written (a tuple's text without its parentheses); one unless a list.
        public var values: [String]
        public var isList: Bool
    }

    public var name: String
    public var assignments: [Assignment]

    /// Parses `text`; `what` names it in errors (`--optimizer`, `optimizers[2]`).
    public init(parsing text: String, what: String) throws(ConfigurationError) {
        func bad(_ why: String) -> ConfigurationError {
            ConfigurationError("\(what) '\(text)': \(why); expected NAME or NAME[key=value,…] (a pair as (a,b), several values as [v1,v2])")
        }
        let chars = Array(text)
        guard let open = chars.firstIndex(of: "[") else {
            guard !text.isEmpty, !text.contains("]") else { throw bad("not a name") }
            name = text
            assignments = []
            return
        }
        guard open > 0, chars.last == "]" else { throw bad(open == 0 ? "no name before '['" : "no closing ']'") }
        name = String(chars[..<open])
        let body = Array(chars[(open + 1)..<(chars.count - 1)])
        var out: [Assignment] = []
        var i = 0
        while i < body.count {
            let keyStart = i
            while i < body.count, body[i] != "=" {
                guard !",[]()".contains(body[i]) else { throw bad("'\(body[i])' inside a key") }
                i += 1
            }
            guard i < body.count, i > keyStart else { throw bad("an assignment without '='") }
            let key = String(body[keyStart..<i])
            i += 1
            var values: [String] = [], isList = false
            func readUntil(_ close: Character) throws(ConfigurationError) -> String {
                let start = i
                while i < body.count, body[i] != close {
                    guard !"[](".contains(body[i]) else { throw bad("'\(body[i])' nested inside the value of \(key)") }
                    i += 1
                }
                guard i < body.count else { throw bad("an unclosed value of \(key)") }
                defer { i += 1 }
                return String(body[start..<i])
            }
            if i < body.count, body[i] == "(" {
                i += 1
                values = [try readUntil(")")]
            } else if i < body.count, body[i] == "[" {
                i += 1
                isList = true
                let inner = try readUntil("]")
                values = inner.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            } else {
                let start = i
                while i < body.count, body[i] != "," {
                    guard !"[]()".contains(body[i]) else { throw bad("'\(body[i])' inside the value of \(key)") }
                    i += 1
                }
                values = [String(body[start..<i])]
            }
            guard !values.contains(where: \.isEmpty) else { throw bad("an empty value of \(key)") }
            guard !out.contains(where: { $0.key == key }) else { throw bad("\(key) given twice") }
            out.append(Assignment(key: key, values: values, isList: isList))
            if i < body.count {
                guard body[i] == "," else { throw bad("'\(body[i])' after the value of \(key)") }
                i += 1
                guard i < body.count else { throw bad("a trailing ','") }
            }
        }
        assignments = out
    }
}
