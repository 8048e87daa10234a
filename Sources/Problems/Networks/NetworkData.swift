import OptBenchCore
import OptBenchKernels

/// A network problem's samples in the run precision: inputs x_i (sample-major, `sampleShape`
/// each) with class labels or regression targets. Immutable and shared by every run.
public struct NetworkData<Scalar: KernelScalar>: Sendable {
    public let features: [Scalar]
    public let sampleShape: [Int]
    /// Class indices in 0..<classes (classification), else empty.
    public let labels: [Int32]
    /// n × outputs targets (regression), else empty.
    public let targets: [Scalar]
    public let count: Int
    /// Classes, or 0 for regression.
    public let classes: Int
    /// Outputs per sample of a regression target, or `classes`.
    public let outputs: Int

    public init(features: [Scalar], sampleShape: [Int], labels: [Int32], classes: Int) {
        self.features = features
        self.sampleShape = sampleShape
        self.labels = labels
        targets = []
        count = labels.count
        self.classes = classes
        outputs = classes
    }

    public init(features: [Scalar], sampleShape: [Int], targets: [Scalar], outputs: Int) {
        self.features = features
        self.sampleShape = sampleShape
        labels = []
        self.targets = targets
        count = outputs > 0 ? targets.count / outputs : 0
        classes = 0
        self.outputs = outputs
    }

    public var featureCount: Int { sampleShape.reduce(1, *) }
    public var isClassification: Bool { classes > 0 }
}

/// [Float] as [Scalar] without a copy when Scalar is Float (a dataset's features are shared,
/// not duplicated, by float32 problems), converted otherwise.
func asScalars<Scalar: KernelScalar>(_ values: [Float]) -> [Scalar] {
    if Scalar.self == Float.self { return unsafeBitCast(values, to: [Scalar].self) }
    return values.map { Scalar($0) }
}
