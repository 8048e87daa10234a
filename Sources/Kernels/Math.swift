// The one libm shim: elementary functions for both precisions, from the C library on Linux
// and Foundation elsewhere, so no other file needs a platform import for them.
#if canImport(Glibc)
import Glibc
#endif

/// Elementary functions of `Float` and `Double`.
public enum Math {
    @inlinable public static func exp(_ x: Double) -> Double { Glibc.exp(x) }
    @inlinable public static func exp(_ x: Float) -> Float { Glibc.expf(x) }
    @inlinable public static func log(_ x: Double) -> Double { Glibc.log(x) }
    @inlinable public static func log(_ x: Float) -> Float { Glibc.logf(x) }
    @inlinable public static func log1p(_ x: Double) -> Double { Glibc.log1p(x) }
    @inlinable public static func log1p(_ x: Float) -> Float { Glibc.log1pf(x) }
    @inlinable public static func log10(_ x: Double) -> Double { Glibc.log10(x) }
    @inlinable public static func pow(_ x: Double, _ y: Double) -> Double { Glibc.pow(x, y) }
    @inlinable public static func pow(_ x: Float, _ y: Float) -> Float { Glibc.powf(x, y) }
    @inlinable public static func cos(_ x: Double) -> Double { Glibc.cos(x) }
    @inlinable public static func sin(_ x: Double) -> Double { Glibc.sin(x) }
    @inlinable public static func tanh(_ x: Double) -> Double { Glibc.tanh(x) }
    @inlinable public static func tanh(_ x: Float) -> Float { Glibc.tanhf(x) }
}
