// Which register tiles the GEMM and convolution micro-kernels use, chosen once per process.

import Foundation

/// The instruction set whose register tiles the GEMM and convolution micro-kernels use.
///
/// A micro-kernel keeps a tile of its output in vector registers; the tile has to fit the
/// register file, which differs by instruction set. w is the lanes of a 512-bit vector
/// (16 Float, 8 Double), h = w/2 those of a 256-bit one:
///
/// | ISA      | registers     | GEMM (`GEMMTile512`/`GEMMTile256`) | direct and phased convolutions | weight gradient by channel |
/// |----------|---------------|------------------------------------|--------------------------------|----------------------------|
/// | `avx512` | 32 × 512 bits | 12 × 2w, 24 accumulators           | 16 channels × w positions      | w channels × 12 entries    |
/// | `avx2`   | 16 × 256 bits | 6 × 2h, 12 accumulators            | 6, 6, 4 channels × 2h positions | 2h channels × 6 entries   |
///
/// The AVX-512 tiles fill 27 of 32 registers; built for a CPU with 16 registers, each 512-bit
/// vector becomes two 256-bit halves and they spill. The AVX2 tiles fill at most 15 of 16.
///
/// Results are a function of the inputs and the tile only, never of the thread count. Every
/// kernel but GEMM sums each output in the same order whatever the tile, so its results are
/// bit-identical across ISAs; GEMM's are too, since both tiles share the k-blocking
/// (`GEMMBlocking.kc`) — the only thing that orders its sums.
///
/// **Which tile runs.** Both tiles are compiled with the build's own target flags (Package.swift's
/// `-target-cpu`), so neither contains an instruction the build did not enable: each runs
/// wherever the binary runs, and the choice is one of speed. `current` is read once, at first
/// use: `OPTBENCH_ISA=avx2|avx512` if set (for tests and benchmarks); else `avx512` when the
/// processor reports AVX-512F and the build targets the machine it runs on (`-target-cpu
/// native`), and `avx2` otherwise. The processor's report is the `flags` line of
/// `/proc/cpuinfo`: the kernel lists AVX-512 there only when both CPUID and the OS-enabled
/// register state (XCR0) allow it, which a CPUID read alone would not check. A build for a
/// named CPU (`OPTBENCH_TARGET_CPU=znver3` in Package.swift, compiled with
/// `-D OPTBENCH_EXPLICIT_TARGET_CPU`) cannot see which registers that CPU has, so it takes the
/// tile that fits 16 registers unless `OPTBENCH_ISA=avx512` says otherwise.
public enum KernelISA: String, CaseIterable, Sendable, CustomStringConvertible {
    /// 32 registers of 512 bits (AVX-512F): the 12 × 2w GEMM tile.
    case avx512
    /// 16 registers of 256 bits with FMA (AVX2 + FMA): the 6 × 2h GEMM tile.
    case avx2

    /// The ISA the kernels use unless a call names another one; see the type's documentation.
    public static let current: KernelISA = choose(
        environment: ProcessInfo.processInfo.environment["OPTBENCH_ISA"], processor: Processor.current, nativeBuild: isNativeBuild)

    /// Whether this build targets the machine it was compiled on (`-target-cpu native`).
    public static var isNativeBuild: Bool {
        #if OPTBENCH_EXPLICIT_TARGET_CPU
        false
        #else
        true
        #endif
    }

    /// The rule behind `current`: an explicit `OPTBENCH_ISA`, else the widest tile the build
    /// and the processor both have registers for.
    /// A value that names no ISA is ignored here (the automatic choice), so no input reaches a
    /// trap; the command line refuses it, and an `avx512` the machine cannot run, with
    /// `environmentProblem` before any kernel runs.
    static func choose(environment value: String?, processor: Processor, nativeBuild: Bool) -> KernelISA {
        if let value, let isa = KernelISA(rawValue: value.lowercased()) { return isa }
        return nativeBuild && processor.has("avx512f") ? .avx512 : .avx2
    }

    /// What is wrong with `OPTBENCH_ISA` in this process's environment, or nil: a value that is
    /// no ISA, or `avx512` where the processor or the build has no AVX-512 registers.
    public static func environmentProblem(_ value: String? = ProcessInfo.processInfo.environment["OPTBENCH_ISA"],
                                          processor: Processor = .current, nativeBuild: Bool = isNativeBuild) -> String? {
        guard let value, !value.isEmpty else { return nil }
        guard let isa = KernelISA(rawValue: value.lowercased()) else {
            return "OPTBENCH_ISA=\(value) is not an ISA; expected one of \(allCases.map(\.rawValue).joined(separator: ", ")) (or unset)"
        }
        if isa == .avx512, !(nativeBuild && processor.has("avx512f")) {
            return "OPTBENCH_ISA=avx512, but \(nativeBuild ? "this processor has no AVX-512F" : "this build targets no AVX-512"); expected avx2 (or unset)"
        }
        return nil
    }

    public var description: String { rawValue }

    /// The GEMM register tile of this ISA for `T`, as rows × columns.
    public func gemmTile<T: KernelScalar>(_: T.Type) -> (rows: Int, columns: Int) {
        switch self {
        case .avx512: (GEMMTile512<T>.mr, GEMMTile512<T>.nr)
        case .avx2: (GEMMTile256<T>.mr, GEMMTile256<T>.nr)
        }
    }

    /// One line naming the ISA and its tiles, for benchmark headers.
    public var tileSummary: String {
        let f = gemmTile(Float.self), d = gemmTile(Double.self)
        let conv = self == .avx512 ? "16 channels × 16 positions" : "6+6+4 channels × 16 positions"
        let registers = self == .avx512 ? "32 × 512-bit" : "16 × 256-bit"
        return "ISA \(rawValue) (\(registers) registers): GEMM tile \(f.rows)×\(f.columns) f32, \(d.rows)×\(d.columns) f64; convolution tile \(conv) (f32)"
    }
}

/// What the processor reports about itself: the first block of `/proc/cpuinfo`.
public struct Processor: Sendable {
    /// `model name`, e.g. "AMD EPYC 7B13".
    public var name: String
    /// `cpu family` and `model`, e.g. 25 and 1 for Zen 3.
    public var family: Int?, model: Int?
    /// The `flags` line: the features the CPU has and the kernel enabled (avx2, fma, avx512f, …).
    public var flags: Set<String>

    /// This machine's, read once; empty when `/proc/cpuinfo` cannot be read (not Linux).
    public static let current = Processor(cpuinfo: (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? "")

    /// Parses the first processor's block of a `/proc/cpuinfo` text.
    public init(cpuinfo text: String) {
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.trimmingCharacters(in: .whitespaces).isEmpty { if !fields.isEmpty { break } else { continue } }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces)
            if fields[key] == nil { fields[key] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces) }
        }
        name = fields["model name"] ?? "unknown processor"
        family = fields["cpu family"].flatMap { Int($0) }
        model = fields["model"].flatMap { Int($0) }
        flags = Set((fields["flags"] ?? "").split(separator: " ").map(String.init))
    }

    /// Whether the flags list `feature`.
    public func has(_ feature: String) -> Bool { flags.contains(feature) }

    /// "AMD EPYC (family 25 model 17): AVX2 FMA AVX-512F".
    public var summary: String {
        let id = family.map { f in " (family \(f) model \(model.map(String.init) ?? "?"))" } ?? ""
        let features = [("avx2", "AVX2"), ("fma", "FMA"), ("avx512f", "AVX-512F")].filter { has($0.0) }.map(\.1)
        return "\(name)\(id): \(features.isEmpty ? "no AVX2/AVX-512 reported" : features.joined(separator: " "))"
    }
}
