import Foundation
import OptBenchCore

/// What a problem will take in memory, estimated from its settings alone, before anything is
/// allocated: the peak while it is built, what the built problem keeps, and what each run adds.
///
/// A problem's data and reference solutions are built once and shared; every run adds its own
/// parameters, gradient, optimizer state and scratch (activations, prediction caches). With r
/// concurrent runs the peak is
///
///     peak(r) = max(construction, resident + r·perRun).
///
/// The optimizer's state is not known to a problem: `perRun` allows `parameterCopies` copies of
/// the parameter vector for the iterate, the gradient and the state of rules that keep a few
/// vectors (momentum, Adam's moments, a short L-BFGS history). Rules whose state grows with a
/// block's square (K-FAC, Shampoo, SOAP) or with n·d (a per-sample gradient table) can exceed it.
/// Each part is an upper estimate of the values that are written (an untouched page takes no
/// memory), so the estimate is of the resident set the problem adds to the process.
public struct MemoryEstimate: Sendable, Equatable, CustomStringConvertible {
    /// Bytes in use at the peak of the construction: data, references and transient copies.
    public var construction: Int
    /// Bytes the built problem keeps for as long as it lives.
    public var resident: Int
    /// Bytes one run adds: parameters, gradient, optimizer state allowance, activations, caches.
    public var perRun: Int
    /// A method the problem chose so that it fits (an iterative reference instead of a dense
    /// one), said where the estimate is printed; nil when nothing was changed.
    public var note: String?

    /// Copies of the parameter vector a run is allowed for the iterate, the gradient, trial
    /// points and the optimizer's state.
    public static let parameterCopies = 8

    public init(construction: Int, resident: Int, perRun: Int, note: String? = nil) {
        self.construction = construction
        self.resident = resident
        self.perRun = perRun
        self.note = note
    }

    /// max(construction, resident + runs·perRun), saturating instead of overflowing.
    public func peak(runs: Int = 1) -> Int {
        let (r, o1) = perRun.multipliedReportingOverflow(by: max(runs, 1))
        let (sum, o2) = resident.addingReportingOverflow(r)
        return o1 || o2 ? .max : max(construction, sum)
    }

    /// Problems built one after the other and all kept, with `runs` concurrent runs on any of
    /// them: (Σ kept, max(Σ kept + the largest construction, Σ kept + runs·(the largest run))).
    public static func peak(of estimates: [MemoryEstimate], runs: Int) -> (kept: Int, peak: Int) {
        let kept = estimates.reduce(Bytes()) { $0 + Bytes($1.resident) }
        let construction = kept + Bytes(estimates.map(\.construction).max() ?? 0)
        let concurrent = kept + Bytes(estimates.map(\.perRun).max() ?? 0) * max(runs, 1)
        return (kept.value, max(construction.value, concurrent.value))
    }

    /// The peak of one run, e.g. `1.2 GB`.
    public var description: String { Self.format(peak()) }

    /// Bytes in the largest decimal unit that keeps the value ≥ 1 (B, kB, MB, GB, TB), 3 digits.
    public static func format(_ bytes: Int) -> String {
        var v = Double(bytes)
        for unit in ["B", "kB", "MB", "GB", "TB"] {
            if v < 1000 || unit == "TB" { return unit == "B" ? "\(bytes) B" : String(format: v < 10 ? "%.2f %@" : v < 100 ? "%.1f %@" : "%.0f %@", v, unit) }
            v /= 1000
        }
        return "\(bytes) B"
    }

    /// The memory a problem may use on this machine: the physical memory, lowered by the
    /// cgroup limit of the process (`/sys/fs/cgroup/memory.max`, a container's) when there is
    /// one, and by `OPTBENCH_MEMORY_LIMIT` (bytes) when set.
    public static var available: Int {
        var limit = Int(clamping: ProcessInfo.processInfo.physicalMemory)
        if let text = try? String(contentsOfFile: "/sys/fs/cgroup/memory.max", encoding: .utf8),
           let cgroup = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)), cgroup > 0 {
            limit = min(limit, cgroup)
        }
        if let text = ProcessInfo.processInfo.environment["OPTBENCH_MEMORY_LIMIT"], let v = Int(text), v > 0 {
            limit = min(limit, v)
        }
        return limit
    }

    /// Refuses, naming `settings` and the bytes needed, a problem whose peak with `runs`
    /// concurrent runs exceeds `limit`.
    public func check(problem: String, settings: String, runs: Int = 1, limit: Int = MemoryEstimate.available) throws(ConfigurationError) {
        let need = peak(runs: runs)
        guard need > limit else { return }
        let what = settings.isEmpty ? "its default settings" : settings
        let how = runs > 1 ? " with \(runs) concurrent runs" : ""
        throw ConfigurationError(
            "problem '\(problem)': \(what) would need about \(Self.format(need)) (\(need) bytes: construction \(construction), "
            + "data kept \(resident), per run \(perRun))\(how); this machine allows \(Self.format(limit)) (\(limit) bytes); expected smaller settings")
    }
}

/// Byte counts that saturate at Int.max instead of trapping, for estimates of sizes a user
/// may have typed far beyond any machine.
struct Bytes {
    var value: Int
    init(_ value: Int = 0) { self.value = value }
    /// `count` values of `stride` bytes each.
    static func values(_ count: Int, of stride: Int) -> Bytes {
        let (v, o) = count.multipliedReportingOverflow(by: stride)
        return Bytes(o ? .max : v)
    }
    /// a × b values of `stride` bytes each.
    static func values(_ a: Int, _ b: Int, of stride: Int) -> Bytes {
        let (v, o) = a.multipliedReportingOverflow(by: b)
        return o ? Bytes(.max) : values(v, of: stride)
    }
    static func + (a: Bytes, b: Bytes) -> Bytes {
        let (v, o) = a.value.addingReportingOverflow(b.value)
        return Bytes(o ? .max : v)
    }
    static func * (a: Bytes, k: Int) -> Bytes {
        let (v, o) = a.value.multipliedReportingOverflow(by: k)
        return Bytes(o ? .max : v)
    }
    static func += (a: inout Bytes, b: Bytes) { a = a + b }
}

/// The estimate of a problem that holds `data` bytes (built in `construction` bytes at most),
/// with `parameters` values of `scalar` bytes and `scratch` bytes per run.
func estimate(construction: Bytes, resident: Bytes, parameters: Int, scalar: Int, scratch: Bytes = Bytes(), note: String? = nil) -> MemoryEstimate {
    let run = Bytes.values(parameters, of: scalar) * MemoryEstimate.parameterCopies + scratch
    return MemoryEstimate(construction: max(construction.value, resident.value), resident: resident.value, perRun: run.value, note: note)
}
