// `Math`'s functions for code generic over `KernelScalar`: each picks the Float or Double body
// by the type, a test that specialisation folds away, so no libm call goes through a wider type.

extension Math {
    /// eˣ in `T`'s precision.
    @inlinable @inline(__always)
    public static func exp<T: KernelScalar>(_ x: T) -> T {
        T.self == Float.self ? T(exp(Float(x))) : T(exp(Double(x)))
    }

    /// log x in `T`'s precision.
    @inlinable @inline(__always)
    public static func log<T: KernelScalar>(_ x: T) -> T {
        T.self == Float.self ? T(log(Float(x))) : T(log(Double(x)))
    }

    /// log(1 + x) in `T`'s precision, accurate for small |x|.
    @inlinable @inline(__always)
    public static func log1p<T: KernelScalar>(_ x: T) -> T {
        T.self == Float.self ? T(log1p(Float(x))) : T(log1p(Double(x)))
    }

    /// tanh x in `T`'s precision.
    @inlinable @inline(__always)
    public static func tanh<T: KernelScalar>(_ x: T) -> T {
        T.self == Float.self ? T(tanh(Float(x))) : T(tanh(Double(x)))
    }
}
