@testable import OptBenchKernels
import Testing

/// The tile choice: `/proc/cpuinfo` parsed as the kernel writes it, `OPTBENCH_ISA` before the
/// processor's report, AVX-512 only for a native build on a processor that reports it.
@Suite struct KernelISATests {
    static let zen3 = """
        processor\t: 0
        vendor_id\t: AuthenticAMD
        cpu family\t: 25
        model\t\t: 1
        model name\t: AMD EPYC 7B13
        flags\t\t: fpu sse sse2 avx fma avx2 bmi2

        processor\t: 1
        vendor_id\t: AuthenticAMD
        cpu family\t: 25
        model\t\t: 1
        model name\t: AMD EPYC 7B13
        flags\t\t: fpu sse sse2 avx fma avx2 bmi2 avx512f
        """
    static let zen4 = zen3.replacingOccurrences(of: "model\t\t: 1\n", with: "model\t\t: 17\n")
        .replacingOccurrences(of: "bmi2\n", with: "bmi2 avx512f avx512vl\n")

    @Test func readsTheFirstProcessorsBlock() {
        let p = Processor(cpuinfo: Self.zen3)
        #expect(p.name == "AMD EPYC 7B13")
        #expect(p.family == 25 && p.model == 1)
        #expect(p.has("avx2") && p.has("fma"))
        // The second block's avx512f is not the first processor's.
        #expect(!p.has("avx512f"))
        #expect(p.summary == "AMD EPYC 7B13 (family 25 model 1): AVX2 FMA")
        #expect(Processor(cpuinfo: Self.zen4).has("avx512f"))
    }

    @Test func anUnreadableReportHasNoFeatures() {
        let p = Processor(cpuinfo: "")
        #expect(p.flags.isEmpty && p.family == nil)
        #expect(KernelISA.choose(environment: nil, processor: p, nativeBuild: true) == .avx2)
    }

    @Test func widestTileTheProcessorAndBuildHave() {
        let zen3 = Processor(cpuinfo: Self.zen3), zen4 = Processor(cpuinfo: Self.zen4)
        #expect(KernelISA.choose(environment: nil, processor: zen3, nativeBuild: true) == .avx2)
        #expect(KernelISA.choose(environment: nil, processor: zen4, nativeBuild: true) == .avx512)
        // A build for a named CPU cannot see its registers: the tile that fits 16.
        #expect(KernelISA.choose(environment: nil, processor: zen4, nativeBuild: false) == .avx2)
        #expect(KernelISA.choose(environment: "", processor: zen4, nativeBuild: true) == .avx512)
    }

    @Test func theEnvironmentOverridesTheProcessor() {
        let zen3 = Processor(cpuinfo: Self.zen3), zen4 = Processor(cpuinfo: Self.zen4)
        #expect(KernelISA.choose(environment: "avx2", processor: zen4, nativeBuild: true) == .avx2)
        #expect(KernelISA.choose(environment: "AVX512", processor: zen3, nativeBuild: false) == .avx512)
    }

    /// What the command line refuses (exit 2) instead of trapping: a word that is no ISA, and
    /// avx512 where the processor or the build has no AVX-512; an unknown word chooses as unset.
    @Test func badOverridesAreDescribed() {
        let zen3 = Processor(cpuinfo: Self.zen3), zen4 = Processor(cpuinfo: Self.zen4)
        #expect(KernelISA.environmentProblem(nil, processor: zen3, nativeBuild: true) == nil)
        #expect(KernelISA.environmentProblem("avx2", processor: zen3, nativeBuild: true) == nil)
        #expect(KernelISA.environmentProblem("AVX512", processor: zen4, nativeBuild: true) == nil)
        #expect(KernelISA.environmentProblem("sse2", processor: zen4, nativeBuild: true)?.contains("expected one of avx512, avx2") == true)
        #expect(KernelISA.environmentProblem("avx512", processor: zen3, nativeBuild: true)?.contains("no AVX-512F") == true)
        #expect(KernelISA.environmentProblem("avx512", processor: zen4, nativeBuild: false)?.contains("targets no AVX-512") == true)
        #expect(KernelISA.choose(environment: "sse2", processor: zen4, nativeBuild: true) == .avx512)
    }

    @Test func tileShapes() {
        #expect(KernelISA.avx512.gemmTile(Float.self) == (12, 32))
        #expect(KernelISA.avx512.gemmTile(Double.self) == (12, 16))
        #expect(KernelISA.avx2.gemmTile(Float.self) == (6, 16))
        #expect(KernelISA.avx2.gemmTile(Double.self) == (6, 8))
    }
}
