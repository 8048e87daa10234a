import OptBenchHarness
import Foundation

/// Writes run traces as CSV: `epoch,loss,suboptimality,grad_norm,seconds` then the problem's
/// metrics; figures in full double precision so curves can be re-plotted exactly. A grid's
/// traces leave the seconds out (they go to `timings/`), so `traces/` changes only with results.
public enum TraceWriter {
    /// The header for a trace of a problem with the given extra metrics.
    public static func header(metrics: [String], leading: [String] = [], seconds: Bool = true) -> String {
        (leading + ["epoch", "loss", "suboptimality", "grad_norm"] + (seconds ? ["seconds"] : []) + metrics).joined(separator: ",")
    }

    public static func rows(_ run: RunResult, leading: [String] = [], seconds: Bool = true) -> [String] {
        run.records.map { r in
            (leading + [format17(r.epoch), format17(r.loss), r.suboptimality.map(format17) ?? "", format17(r.gradientNorm)]
                + (seconds ? [String(format: "%.6f", r.seconds)] : []) + r.metrics.map(format17)).joined(separator: ",")
        }
    }

    /// One run's trace.
    public static func csv(_ run: RunResult) -> String {
        ([header(metrics: run.metricNames)] + rows(run)).joined(separator: "\n") + "\n"
    }

    /// The tuned cells' traces, one file per (problem, optimizer) with a `seed` column:
    /// `traces/<problem>__<optimizer>.csv` (results) and `timings/<same name>` (`seed,epoch,seconds`).
    /// `cells[k]` is the (problem, optimizer) of `traces[k]`, seeds in order; skipped pairs have no
    /// trace. Each folder is written whole beside the old one and then renamed over it, so an
    /// interruption never leaves a partial `traces/` that looks complete.
    static func write(traces: [RunResult], cells: [(problem: Int, optimizer: Int)], problems: [String], optimizers: [String],
                      seeds: [UInt64], to directory: URL) throws {
        var files: [(name: String, trace: String, timing: String)] = []
        var k = 0
        while k < traces.count {
            let (i, j) = cells[k]
            var lines = [header(metrics: traces[k].metricNames, leading: ["seed"], seconds: false)]
            var times = ["seed,epoch,seconds"]
            for seed in seeds {
                lines += rows(traces[k], leading: [String(seed)], seconds: false)
                times += traces[k].records.map { "\(seed),\(format17($0.epoch)),\(String(format: "%.6f", $0.seconds))" }
                k += 1
            }
            files.append(("\(fileSlug(problems[i]))__\(fileSlug(optimizers[j])).csv",
                          lines.joined(separator: "\n") + "\n", times.joined(separator: "\n") + "\n"))
        }
        try replaceFolder(directory.appendingPathComponent("traces"), with: files.map { ($0.name, $0.trace) })
        try replaceFolder(directory.appendingPathComponent("timings"), with: files.map { ($0.name, $0.timing) })
    }

    /// Writes `files` into a fresh sibling folder, then swaps it in for `folder`.
    static func replaceFolder(_ folder: URL, with files: [(name: String, text: String)]) throws {
        let fm = FileManager.default
        let staging = folder.deletingLastPathComponent().appendingPathComponent(".\(folder.lastPathComponent).partial")
        try? fm.removeItem(at: staging)
        try fm.createDirectory(at: staging, withIntermediateDirectories: true)
        for f in files { try f.text.write(to: staging.appendingPathComponent(f.name), atomically: false, encoding: .utf8) }
        try? fm.removeItem(at: folder)
        try fm.moveItem(at: staging, to: folder)
    }
}

/// `%.17g`: enough digits to round-trip any double.

/// A label made safe for a file name: `least-squares(n=1000 d=50)` → `least-squares_n=1000_d=50`.
public func fileSlug(_ s: String) -> String {
    var out = ""
    for ch in s {
        if ch.isLetter || ch.isNumber || "-=.".contains(ch) { out.append(ch) } else if out.last != "_" { out.append("_") }
    }
    while out.last == "_" { out.removeLast() }
    // File systems cap names at 255 bytes: a long label (data file paths) keeps its first
    // 60 characters and a digest of the whole, so names stay distinct and stable.
    guard out.utf8.count > 80 else { return out }
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in s.utf8 { hash = (hash ^ UInt64(b)) &* 0x100_0000_01b3 }
    let hex = String(hash, radix: 16)
    return String(out.prefix(60)) + "-" + String(repeating: "0", count: 16 - hex.count) + hex
}
