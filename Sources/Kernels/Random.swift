/// A seeded pseudo-random generator: xoshiro256** (Blackman & Vigna, 2018), its state filled
/// from the seed by SplitMix64.
///
/// Every random draw in OptBench (data synthesis, initial points, sampling) goes through this
/// type, so the same seed gives bit-identical runs on any machine and thread count. The system
/// generator makes a system call per draw and is never used.
public struct Xoshiro256: RandomNumberGenerator, Sendable {
    @usableFromInline var s0, s1, s2, s3: UInt64

    /// Seeds the four state words with successive SplitMix64 outputs of `seed`.
    public init(seed: UInt64) {
        var z = seed
        func splitMix() -> UInt64 {
            z &+= 0x9E37_79B9_7F4A_7C15
            var r = z
            r = (r ^ (r >> 30)) &* 0xBF58_476D_1CE4_E5B9
            r = (r ^ (r >> 27)) &* 0x94D0_49BB_1331_11EB
            return r ^ (r >> 31)
        }
        s0 = splitMix(); s1 = splitMix(); s2 = splitMix(); s3 = splitMix()
    }

    /// A generator for an independent stream: `seed` mixed with a stream label, so that
    /// e.g. data synthesis and sampling under one user seed do not share draws.
    public init(seed: UInt64, stream: UInt64) {
        self.init(seed: seed ^ (stream &* 0xD1B5_4A32_D192_ED03))
    }

    @inlinable @inline(__always)
    static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    @inlinable
    public mutating func next() -> UInt64 {
        let result = Self.rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = Self.rotl(s3, 45)
        return result
    }

    /// Uniform in [0, 1) with 53 random bits.
    @inlinable
    public mutating func nextUniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Uniform integer in 0..<bound (Lemire's multiply-and-reject, unbiased).
    @inlinable
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        let b = UInt64(bound)
        var m = next().multipliedFullWidth(by: b)
        if m.low < b {
            let threshold = (0 &- b) % b
            while m.low < threshold { m = next().multipliedFullWidth(by: b) }
        }
        return Int(m.high)
    }

    /// Standard normal draw by the Box–Muller transform (one of the pair is used, so the
    /// stream stays a pure function of the call count).
    @inlinable
    public mutating func nextGaussian() -> Double {
        let u1 = 1.0 - nextUniform()  // in (0, 1]
        let u2 = nextUniform()
        return (-2.0 * Math.log(u1)).squareRoot() * Math.cos(2.0 * Double.pi * u2)
    }

    /// Fisher–Yates shuffle in place.
    @inlinable
    public mutating func shuffle(_ buffer: UnsafeMutableBufferPointer<Int>) {
        var i = buffer.count - 1
        while i > 0 {
            let j = nextInt(below: i + 1)
            buffer.swapAt(i, j)
            i -= 1
        }
    }
}

