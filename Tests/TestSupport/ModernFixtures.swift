import Foundation
import OptBenchCore
import OptBenchKernels

/// The reference iterates of Tests/Fixtures/modern (see its README): for each problem,
/// optimizer and hyper-parameter words, 61 rows of step, loss, iterate and (for rules with an
/// evaluation point) the evaluation point.
public struct ModernFixture: Sendable, CustomStringConvertible {
    public let problem: String
    public let optimizer: String
    /// `key=value` words with OptBench's names.
    public let hyperParameters: [String]
    public var losses: [Double] = []
    public var iterates: [[Double]] = []
    /// The evaluation point of each row, when the reference reports one.
    public var evaluationPoints: [[Double]?] = []
    public var description: String { "\(problem): \(optimizer) \(hyperParameters.joined(separator: " "))" }

    public static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/modern")

    /// Every configuration of the three iterate files, in file order.
    public static let all: [ModernFixture] = {
        var fixtures: [ModernFixture] = []
        for problem in ["rosenbrock", "w7", "matrix"] {
            let url = directory.appendingPathComponent("modern_\(problem).csv")
            guard let text = try? String(contentsOf: url, encoding: .utf8) else { continue }
            let lines = text.split(separator: "\n")
            guard let header = lines.first?.split(separator: ",", omittingEmptySubsequences: false) else { continue }
            let width = header.filter { $0.hasPrefix("x") }.count
            for line in lines.dropFirst() {
                let f = csvFields(line)
                let words = f[1].split(separator: " ").map(String.init)
                if fixtures.last?.problem != problem || fixtures.last?.optimizer != f[0] || fixtures.last?.hyperParameters != words {
                    fixtures.append(ModernFixture(problem: problem, optimizer: f[0], hyperParameters: words))
                }
                let numbers = f[3...].map { Double($0) }
                fixtures[fixtures.count - 1].losses.append(numbers[0]!)
                fixtures[fixtures.count - 1].iterates.append(numbers[1...width].map { $0! })
                let e = numbers[(width + 1)...]
                fixtures[fixtures.count - 1].evaluationPoints.append(e.contains { $0 == nil } ? nil : e.map { $0! })
            }
        }
        return fixtures
    }()

    /// The fields of one CSV line; a field in double quotes may hold commas.
    public static func csvFields(_ line: Substring) -> [String] {
        var fields: [String] = [], field = "", quoted = false
        for c in line {
            if c == "\"" {
                quoted.toggle()
            } else if c == "," && !quoted {
                fields.append(field)
                field = ""
            } else {
                field.append(c)
            }
        }
        return fields + [field]
    }

    /// The fixture's objective in float64, with the layout a network would give it (matrix: a
    /// 4 × 5 `weight` block then a 4-entry `bias` block; the others one block `w`).
    public func objective() -> TestObjective<Double> {
        switch problem {
        case "rosenbrock":
            return TestObjective(dimension: 2, loss: { w in (1 - w[0]) * (1 - w[0]) + 100 * (w[1] - w[0] * w[0]) * (w[1] - w[0] * w[0]) },
                                 gradient: { w in [-2 * (1 - w[0]) - 400 * w[0] * (w[1] - w[0] * w[0]), 200 * (w[1] - w[0] * w[0])] })
        case "w7":
            return TestObjective(dimension: 1, loss: { w in Math.pow(Math.pow(w[0], 7) - 1, 2) },
                                 gradient: { w in [14 * Math.pow(w[0], 6) * (Math.pow(w[0], 7) - 1)] })
        default:
            return MatrixFixture.shared.objective()
        }
    }
}

/// The small matrix problem of the fixtures: F(W, b) = 1/(2m) Σᵢ ‖W xᵢ + b − yᵢ‖², W q × p in
/// torch's Linear layout, read from matrix_problem.csv (the CSV is the definition).
public struct MatrixFixture: Sendable {
    public let x: [[Double]], y: [[Double]]
    public let start: [Double]
    public var q: Int { y[0].count }
    public var p: Int { x[0].count }

    public static let shared: MatrixFixture = {
        let text = (try? String(contentsOf: ModernFixture.directory.appendingPathComponent("matrix_problem.csv"), encoding: .utf8)) ?? ""
        var arrays: [String: [[Double]]] = [:]
        for line in text.split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",")
            guard f.count == 4, let r = Int(f[1]), let c = Int(f[2]), let v = Double(f[3]) else { continue }
            var a = arrays[String(f[0]), default: []]
            while a.count <= r { a.append([]) }
            while a[r].count <= c { a[r].append(0) }
            a[r][c] = v
            arrays[String(f[0])] = a
        }
        let w0 = arrays["W0"] ?? [], b0 = arrays["b0"] ?? []
        return MatrixFixture(x: arrays["X"] ?? [], y: arrays["Y"] ?? [], start: w0.flatMap { $0 } + b0.map { $0[0] })
    }()

    func residuals(_ w: [Double]) -> [[Double]] {
        x.indices.map { i in
            (0..<q).map { r in (0..<p).reduce(w[q * p + r]) { $0 + w[r * p + $1] * x[i][$1] } - y[i][r] }
        }
    }

    public func objective() -> TestObjective<Double> {
        let m = Double(x.count), q = q, p = p
        let layout = ParameterLayout([("weight", [q, p], .weight), ("bias", [q], .bias)])
        return TestObjective(dimension: q * p + q, layout: layout,
                             loss: { w in residuals(w).reduce(0) { $0 + $1.reduce(0) { $0 + $1 * $1 } } / (2 * m) },
                             gradient: { w in
                                 var g = [Double](repeating: 0, count: q * p + q)
                                 for (i, e) in residuals(w).enumerated() {
                                     for r in 0..<q {
                                         for c in 0..<p { g[r * p + c] += e[r] * x[i][c] / m }
                                         g[q * p + r] += e[r] / m
                                     }
                                 }
                                 return g
                             })
    }
}
