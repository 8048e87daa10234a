import Foundation

/// Writes run traces as CSV: `epoch,loss,suboptimality,grad_norm,seconds` then the problem's
/// metrics; figures in full double precision so curves can be re-plotted exactly.
public enum TraceWriter {
    /// The header for a trace of a problem with the given extra metrics.
    public static func header(metrics: [String], leading: [String] = []) -> String {
        (leading + ["epoch", "loss", "suboptimality", "grad_norm", "seconds"] + metrics).joined(separator: ",")
    }

    public static func rows(_ run: RunResult, leading: [String] = []) -> [String] {
        run.records.map { r in
            (leading + [format17(r.epoch), format17(r.loss), r.suboptimality.map(format17) ?? "", format17(r.gradientNorm),
                        String(format: "%.6f", r.seconds)] + r.metrics.map(format17)).joined(separator: ",")
        }
    }

    /// One run's trace.
    public static func csv(_ run: RunResult) -> String {
        ([header(metrics: run.metricNames)] + rows(run)).joined(separator: "\n") + "\n"
    }

    /// The tuned cells' traces, one file per (problem, optimizer) with a `seed` column:
    /// `traces/<problem>__<optimizer>.csv`. `cells[k]` is the (problem, optimizer) of `traces[k]`,
    /// seeds in order; skipped pairs have no trace.
    static func write(traces: [RunResult], cells: [(problem: Int, optimizer: Int)], problems: [String], optimizers: [String],
                      seeds: [UInt64], to directory: URL) throws {
        let dir = directory.appendingPathComponent("traces")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var k = 0
        while k < traces.count {
            let (i, j) = cells[k]
            var lines = [header(metrics: traces[k].metricNames, leading: ["seed"])]
            for seed in seeds {
                lines += rows(traces[k], leading: [String(seed)])
                k += 1
            }
            let name = "\(fileSlug(problems[i]))__\(fileSlug(optimizers[j])).csv"
            try (lines.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
    }
}

/// `%.17g`: enough digits to round-trip any double.
public func format17(_ v: Double) -> String { String(format: "%.17g", v) }

/// A label made safe for a file name: `least-squares(n=1000 d=50)` → `least-squares_n=1000_d=50`.
public func fileSlug(_ s: String) -> String {
    var out = ""
    for ch in s {
        if ch.isLetter || ch.isNumber || "-=.".contains(ch) { out.append(ch) } else if out.last != "_" { out.append("_") }
    }
    while out.last == "_" { out.removeLast() }
    return out
}
