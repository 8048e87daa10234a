import Foundation
import OptBenchCore

extension Grid {
    /// Results the code in this binary produces are keyed by this binary: a digest of the
    /// running executable, so a rebuild that changes any code invalidates the cache and one
    /// that changes nothing (a README edit) keeps it.
    static let codeVersion: String = {
        guard let data = FileManager.default.contents(atPath: "/proc/self/exe") else { return "unknown" }
        return stableDigest(data)
    }()

    /// The cache key of a cell: a digest of every setting of its problem (defaults included)
    /// and optimizer (hyper-parameters, prescribed values, groups, the sweep point), its seed,
    /// the stopping rule and budget, and the code version.
    func configurationKey(problem i: Int, optimizer j: Int, point: SweepPoint, seed: UInt64, theory: TheoryConstants) throws -> String {
        let problem = suite.problems[i], column = suite.optimizers[j]
        let settings = problem.settings
        let hp = try column.parameters(point, theory: theory)
        let rule = suite.rule
        // The column's label and sweep point name the row the cell fills (a `[theory]` column may
        // prescribe exactly a value another column sweeps: same run, different cell).
        let text = ["v2", problem.name, settings.description, column.label, point.lr.map { "\($0)" } ?? "-", point.words.joined(separator: " "),
                    hp.description, column.groups.map(\.description).joined(separator: " "),
                    String(seed), "\(rule.target),\(rule.maxEpochs),\(rule.divergenceFactor),\(rule.maxSteps)" + (rule.criterion == .relative ? "" : ",\(rule.criterion.description)"), Self.codeVersion]
            .joined(separator: "|")
        return stableDigest(Data(text.utf8))
    }
}

/// A 128-bit digest of `data` as 32 hex digits (two FNV-1a passes with different offsets): a
/// stable name for a configuration, the same on every machine and run.
func stableDigest(_ data: Data) -> String {
    var a: UInt64 = 0xcbf2_9ce4_8422_2325, b: UInt64 = 0x6c62_272e_07bb_0142
    for byte in data {
        a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        b = (b ^ UInt64(byte ^ 0x5a)) &* 0x0000_0100_0000_01B3
    }
    func hex(_ v: UInt64) -> String { let s = String(v, radix: 16); return String(repeating: "0", count: 16 - s.count) + s }
    return hex(a) + hex(b)
}
