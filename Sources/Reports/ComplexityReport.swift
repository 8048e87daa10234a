import OptBenchHarness
import OptBenchCore
import Foundation

/// The theory-versus-measurement table of a suite whose optimizer columns name a
/// `Complexity`: per instance its spectral quantities, per algorithm the measured epochs to ε
/// (median over seeds at the tuned or prescribed step), the predicted epochs and their ratio;
/// then slopes fitted across each series of instances, and which form of the SVRG/SAGA bound the
/// measurements support. Written as `complexity.md` and `complexity.csv`.
public struct ComplexityReport {
    public var suite: Suite
    public var command: String
    public var problemLabels: [String]
    public var theory: [TheoryConstants]
    public var optimizerLabels: [String]
    public var pairs: [PairSummary]

    struct Row {
        var problem: Int
        var optimizer: Int
        var measured: Double?
        var predicted: Double
        var pair: PairSummary
        var ratio: Double? { measured.map { $0 / predicted } }
    }

    func rows() -> [Row] {
        var out: [Row] = []
        for i in problemLabels.indices {
            for (j, spec) in suite.optimizers.enumerated() {
                guard let c = spec.complexity, let predicted = c.epochs(theory[i], epsilon: suite.rule.target),
                      let pair = pairs.first(where: { $0.problem == problemLabels[i] && $0.optimizer == optimizerLabels[j] })
                else { continue }
                // A realizable-SGD prediction says nothing about a noisy instance.
                if c == .sgdRealizable, !(theory[i].optimalValue == 0) { continue }
                out.append(Row(problem: i, optimizer: j, measured: pair.status == .reached ? pair.medianEpochs : nil,
                               predicted: predicted, pair: pair))
            }
        }
        return out
    }

    public func write(to directory: URL) throws {
        let rows = rows()
        try markdown(rows).write(to: directory.appendingPathComponent("complexity.md"), atomically: true, encoding: .utf8)
        var csv = "problem,n,d,kappa,kappa_D,lambda_max_over_lambda_avg,optimizer,complexity,lr,hyper_parameters,measured_epochs,predicted_epochs,ratio\n"
        for r in rows {
            let fields = [csvField(problemLabels[r.problem])] + spectralColumns(r.problem)
                + [csvField(optimizerLabels[r.optimizer]), csvField(suite.optimizers[r.optimizer].complexity!.rawValue),
                   r.pair.lr.map(formatNumber) ?? "", csvField(r.pair.hyperParameters.joined(separator: " ")), r.measured.map(formatNumber) ?? "",
                   formatNumber(r.predicted), r.ratio.map(formatNumber) ?? ""]
            csv += fields.joined(separator: ",") + "\n"
        }
        try csv.write(to: directory.appendingPathComponent("complexity.csv"), atomically: true, encoding: .utf8)
    }

    /// n, d, κ, κ_D and λmax/λavg of problem i, as printed.
    func spectralColumns(_ i: Int) -> [String] {
        let t = theory[i]
        return [formatNumber(Double(t.sampleCount)), formatNumber(Double(t.dimension))]
            + [t.conditionNumber, t.averageConditionNumber, t.spectralRatio].map { $0.map(formatNumber) ?? "" }
    }

    func markdown(_ rows: [Row]) -> String {
        var lines = [
            "# Suite `\(suite.name)`: epoch complexity, measured against theory (ε = \(formatNumber(suite.rule.target)))",
            "",
            "Made by `\(command)`. Measured: median epochs over \(suite.seeds.count) seeds to reach relative suboptimality ≤ ε, "
                + "at the best learning rate of the sweep or at the step size theory prescribes (`[theory]` columns); "
                + "`—` not reached within \(formatNumber(suite.rule.maxEpochs)) epochs. Predicted: Appendix C of the survey, up to constants "
                + "(see `Complexity` in Sources/Harness/TheoryPrediction.swift), so read the ratio's constancy across instances, not its value.",
            "",
        ]
        var table = [["instance", "n", "d", "κ", "κ_D", "λmax/λavg", "algorithm", "theory", "tuned", "measured", "predicted", "measured ÷ predicted"]]
        for r in rows {
            let measured: String = {
                guard let m = r.measured else { return r.pair.status == .diverged ? "diverged" : "—" }
                return r.pair.minEpochs == r.pair.maxEpochs ? formatNumber(m)
                    : "\(formatNumber(m)) (\(formatNumber(r.pair.minEpochs!))–\(formatNumber(r.pair.maxEpochs!)))"
            }()
            table.append([problemLabels[r.problem]] + spectralColumns(r.problem)
                         + [optimizerLabels[r.optimizer], suite.optimizers[r.optimizer].complexity!.rawValue,
                            r.pair.lr == nil ? "prescribed" : r.pair.tunedText, measured, formatNumber(r.predicted), r.ratio.map(formatNumber) ?? ""])
        }
        lines += markdownTable(table, rightAligned: [1, 2, 3, 4, 5, 8, 9, 10, 11])
        lines += ["", "## Slopes across series", "",
                  "Exponent of a least-squares fit of log(epochs) against log(x) over the instances of each series; "
                  + "theory's exponent is the same fit applied to the predicted epochs.", ""]
        var slopes = [["series x", "algorithm", "instances", "measured exponent", "theory exponent"]]
        let seriesNames = Array(Set(suite.problems.flatMap(\.series))).sorted()
        for sweep in seriesNames {
            guard let name = TheoryConstants.Name(rawValue: sweep) else { continue }
            let members = suite.problems.indices.filter { suite.problems[$0].series.contains(sweep) }
            for j in suite.optimizers.indices where suite.optimizers[j].complexity != nil {
                let rs = rows.filter { $0.optimizer == j && members.contains($0.problem) }
                let xs = rs.compactMap { theory[$0.problem][name] }
                guard xs.count == rs.count, rs.count >= 2 else { continue }
                let predicted = linearFit(x: xs.map(log), y: rs.map { log($0.predicted) })
                let reached = rs.filter { $0.measured != nil }
                let measured = reached.count == rs.count
                    ? linearFit(x: reached.compactMap { theory[$0.problem][name].map(log) }, y: reached.map { log($0.measured!) }) : nil
                slopes.append([sweep, optimizerLabels[j], String(rs.count), measured.map { String(format: "%.2f", $0.slope) } ?? "— (not all reached)",
                               predicted.map { String(format: "%.2f", $0.slope) } ?? ""])
            }
        }
        lines += markdownTable(slopes, rightAligned: [2, 3, 4])
        lines += ["", "## Which SVRG/SAGA bound do the measurements support?", ""] + varianceReducedVerdict(rows)
        lines.append("")
        return lines.joined(separator: "\n")
    }

    /// Compares how constant measured ÷ predicted stays across instances under the two forms of
    /// the variance-reduced bound: the spread (max ÷ min) of the ratio over all reached instances.
    func varianceReducedVerdict(_ rows: [Row]) -> [String] {
        let vr = rows.filter { suite.optimizers[$0.optimizer].complexity == .varianceReduced && $0.measured != nil }
        guard vr.count >= 2 else { return ["Too few variance-reduced runs reached ε to compare."] }
        func spread(_ c: Complexity) -> Double {
            let ratios = vr.compactMap { r in c.epochs(theory[r.problem], epsilon: suite.rule.target).map { r.measured! / $0 } }
            return ratios.max()! / ratios.min()!
        }
        let dn = spread(.varianceReduced), nd = spread(.varianceReducedAsPrinted)
        let supported = dn <= nd ? "(1 + (d/n)·κ_D)·log(1/ε)" : "(1 + (n/d)·κ_D)·log(1/ε), the appendix's printed form"
        return [
            "Over \(vr.count) SVRG/SAGA runs that reached ε, measured ÷ predicted spans a factor of \(formatNumber(dn)) "
                + "with (1 + (d/n)·κ_D)·log(1/ε) and \(formatNumber(nd)) with the printed (1 + (n/d)·κ_D)·log(1/ε).",
            "The measurements support \(supported): its ratio stays the more nearly constant.",
        ]
    }
}
