/// Per-feature mean and population standard deviation of a data set, in float64:
///
///     μⱼ = (1/n) Σᵢ xᵢⱼ,    σⱼ = sqrt((1/n) Σᵢ (xᵢⱼ − μⱼ)²)
///
/// computed in two passes (the mean, then the squared deviations from it), so a feature with a
/// large offset keeps its variance. Take them from the training set and standardise every split
/// with the same statistics.
public struct FeatureStatistics: Sendable, Equatable {
    public let mean: [Double]
    public let standardDeviation: [Double]

    public init(mean: [Double], standardDeviation: [Double]) {
        precondition(mean.count == standardDeviation.count, "one mean and one standard deviation per feature")
        self.mean = mean
        self.standardDeviation = standardDeviation
    }
}

extension Dataset {
    /// The mean and population standard deviation of each feature over the samples.
    /// - Complexity: two passes over the features, O(n·f).
    public func featureStatistics() -> FeatureStatistics {
        let n = count, f = featureCount
        var mean = [Double](repeating: 0, count: f)
        var variance = [Double](repeating: 0, count: f)
        guard n > 0 else { return FeatureStatistics(mean: mean, standardDeviation: variance) }
        features.withUnsafeBufferPointer { x in
            mean.withUnsafeMutableBufferPointer { m in
                for i in 0..<n {
                    let row = x.baseAddress! + i * f
                    for j in 0..<f { m[j] += Double(row[j]) }
                }
                for j in 0..<f { m[j] /= Double(n) }
                variance.withUnsafeMutableBufferPointer { v in
                    for i in 0..<n {
                        let row = x.baseAddress! + i * f
                        for j in 0..<f {
                            let d = Double(row[j]) - m[j]
                            v[j] += d * d
                        }
                    }
                    for j in 0..<f { v[j] = (v[j] / Double(n)).squareRoot() }
                }
            }
        }
        return FeatureStatistics(mean: mean, standardDeviation: variance)
    }

    /// The data with each feature standardised by `statistics`: xᵢⱼ ↦ (xᵢⱼ − μⱼ)/σⱼ, with a
    /// feature of σⱼ = 0 only centred (divided by 1). Computed in float64, stored as Float.
    public func standardized(with statistics: FeatureStatistics) -> Dataset {
        let f = featureCount
        precondition(statistics.mean.count == f, "the statistics must have one entry per feature")
        let divisor = statistics.standardDeviation.map { $0 == 0 ? 1 : $0 }
        let mapped = [Float](unsafeUninitializedCapacity: features.count) { out, initialized in
            features.withUnsafeBufferPointer { x in
                statistics.mean.withUnsafeBufferPointer { m in
                    divisor.withUnsafeBufferPointer { s in
                        for i in 0..<count {
                            let row = x.baseAddress! + i * f, target = out.baseAddress! + i * f
                            for j in 0..<f { target[j] = Float((Double(row[j]) - m[j]) / s[j]) }
                        }
                    }
                }
            }
            initialized = features.count
        }
        return Dataset(validated: name, task, sampleShape, mapped, labels, targets, count: count, featureCount: f)
    }
}
