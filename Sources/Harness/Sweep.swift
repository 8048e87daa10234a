import OptBenchCore
import OptBenchKernels

/// A hyper-parameter a column sweeps besides the learning rate: a name its optimizer declares
/// and the values to try. A column's sweep is the product of its axes with the learning rates.
public struct SweepAxis: Sendable {
    public var name: String
    public var values: [ParameterValue]

    public init(_ name: String, values: [ParameterValue]) {
        self.name = name
        self.values = values
    }

    /// Real values, e.g. `SweepAxis("momentum", [0.5, 0.9, 0.99])`.
    public init(_ name: String, _ values: [Double]) {
        self.init(name, values: values.map { .real($0) })
    }
}

/// One point of a column's sweep: a learning rate (nil when the rule has none, or keeps its
/// own) and one value of each other swept hyper-parameter.
public struct SweepPoint: Sendable, Equatable {
    public struct Setting: Sendable, Equatable {
        public var name: String
        public var value: ParameterValue
        /// `momentum=0.9`.
        public var word: String { "\(name)=\(value)" }
    }

    public var lr: Double?
    public var settings: [Setting]

    public init(lr: Double?, settings: [Setting] = []) {
        self.lr = lr
        self.settings = settings
    }

    /// The settings besides lr as `key=value` words, in axis order (`CellSummary.hyperParameters`).
    public var words: [String] { settings.map(\.word) }

    /// Every combination of `axes` (the first varies slowest) with every learning rate (fastest).
    static func product(axes: [SweepAxis], learningRates: [Double?]) -> [SweepPoint] {
        var combinations: [[Setting]] = [[]]
        for axis in axes {
            combinations = combinations.flatMap { prefix in axis.values.map { prefix + [Setting(name: axis.name, value: $0)] } }
        }
        return combinations.flatMap { settings in learningRates.map { SweepPoint(lr: $0, settings: settings) } }
    }
}

/// Which end of its learning-rate sweep a tuned value sits at.
public enum SweepEdge: String, Codable, Sendable, CaseIterable {
    case low, high

    public init(from decoder: any Decoder) throws { self = try Self.decodeWord(from: decoder) }
}

/// The geometric extension of a learning-rate sweep past a winning end.
///
/// For a log-spaced base grid η₁ < … < η_m with ratio r = (η_m/η₁)^{1/(m−1)}, the k-th value
/// beyond the high end is η_m·r^k and beyond the low end η₁/r^k (k = 1 … `maximumSteps`),
/// rounded to three significant digits as `logGrid` rounds its values, so an extension of a
/// `logGrid` lands on the values the longer grid would hold.
public enum SweepExtension {
    /// At most this many values are added beyond each end.
    public static let maximumSteps = 3

    /// The k-th value beyond `edge` of the ascending, positive `base` grid; nil when the grid
    /// has fewer than two values (no ratio) or k is out of 1…`maximumSteps`.
    public static func value(beyond edge: SweepEdge, of base: [Double], step k: Int) -> Double? {
        guard base.count >= 2, let lo = base.first, let hi = base.last, lo > 0, hi > lo, (1...maximumSteps).contains(k) else { return nil }
        let logRatio = Math.log10(hi / lo) / Double(base.count - 1)
        let e = edge == .high ? Math.log10(hi) + Double(k) * logRatio : Math.log10(lo) - Double(k) * logRatio
        return threeSignificantDigits(pow10(e))
    }
}

/// The double nearest `v` rounded to 3 significant decimal digits, so grid values are the
/// numbers as typed (0.316, not 0.31622776601683794; 0.0215, not 0.021500000000000002).
func threeSignificantDigits(_ v: Double) -> Double {
    Double(String(format: "%.3g", v)) ?? v
}
