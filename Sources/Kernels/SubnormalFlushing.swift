// Flushing subnormal floats to zero around the optimizers' state passes.
//
// An adaptive rule's moments decay geometrically wherever the gradient is (nearly) zero — the
// weights of pixels that are almost always blank — and pass through the subnormal range
// (below 2⁻¹²⁶ in float32) on their way to zero. On x86 every arithmetic result or operand
// there takes a microcode assist costing tens to hundreds of cycles, which can make such a
// pass several times slower than on normal numbers. With the MXCSR flags FTZ (results) and
// DAZ (operands) set, the hardware treats those values as zero at full speed.

#if arch(x86_64)
// LLVM's intrinsics, reached by their IR names (as `_llvmPrefetch` is): one `stmxcsr` / `ldmxcsr`.
@usableFromInline @_silgen_name("llvm.x86.sse.stmxcsr")
func _x86StoreMXCSR(_ address: UnsafeMutableRawPointer)
@usableFromInline @_silgen_name("llvm.x86.sse.ldmxcsr")
func _x86LoadMXCSR(_ address: UnsafeMutableRawPointer)
#endif

/// Runs `body` on the calling thread with subnormal results and operands of floating-point
/// arithmetic taken as zero (x86's FTZ and DAZ), then restores the thread's previous mode.
///
/// Only values below the smallest normal magnitude (`leastNormalMagnitude`: 2⁻¹²⁶ ≈ 1.2e-38 in
/// float32, 2⁻¹⁰²² in float64) are affected: every computation on normal numbers whose exact
/// result is normal rounds as it otherwise would. Elsewhere than x86-64 it just runs `body`.
/// - Complexity: that of `body`, plus two control-register writes.
@inlinable
public func withSubnormalsFlushedToZero<R>(_ body: () throws -> R) rethrows -> R {
    #if arch(x86_64)
    var saved: UInt32 = 0
    _x86StoreMXCSR(&saved)
    var flushing = saved | 0x8040  // FTZ (bit 15) | DAZ (bit 6)
    _x86LoadMXCSR(&flushing)
    defer { _x86LoadMXCSR(&saved) }
    #endif
    return try body()
}
