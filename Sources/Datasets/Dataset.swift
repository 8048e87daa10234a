import OptBenchCore
import Foundation
import OptBenchKernels

/// A supervised data set held in float32: n samples of a fixed shape and, per sample, a class
/// label or a vector of regression targets.
///
/// Sample i's features are `features[i·f ..< (i+1)·f]` with f = `featureCount`, the product of
/// `sampleShape` (row-major, last index fastest: an IDX image of 28 × 28 is 784 consecutive
/// floats). A classification set holds labels yᵢ ∈ {0, …, classes − 1}; a regression set holds
/// `outputs` targets per sample, `targets[i·outputs ..< (i+1)·outputs]`.
///
/// Immutable and Sendable: a grid loads or synthesises a data set once and shares it with every
/// run. The transformations (`scaled`, `standardized`, `split`, `shuffled`, `prefix`,
/// `flattened`) return new data sets.
public struct Dataset: Sendable {
    /// What is predicted: one of `classes` labels, or `outputs` real targets.
    public enum Task: Sendable, Equatable {
        case classification(classes: Int)
        case regression(outputs: Int)
    }

    /// What the data is, for reports: the image file's name or the generator's.
    public let name: String
    public let task: Task
    /// The shape of one sample: [28, 28] for an IDX image, [784] once flattened, [d] for vectors.
    public let sampleShape: [Int]
    /// count × featureCount floats, sample after sample.
    public let features: [Float]
    /// Classification: `count` labels in 0..<classes. Regression: empty.
    public let labels: [Int32]
    /// Regression: count × outputs targets, sample after sample. Classification: empty.
    public let targets: [Float]
    /// n, the number of samples.
    public let count: Int
    /// The product of `sampleShape`.
    public let featureCount: Int

    /// The number of classes, or 0 for regression.
    public var classCount: Int {
        if case .classification(let classes) = task { return classes }
        return 0
    }

    /// The width of a model's output: the classes (one logit each) or the regression outputs.
    public var outputCount: Int {
        switch task {
        case .classification(let classes): classes
        case .regression(let outputs): outputs
        }
    }

    /// A data set after checking that the sizes agree: `features` holds a whole number of
    /// samples of `sampleShape` (every size positive), there is one label per sample in
    /// 0..<classes (classification) or `outputs` targets per sample (regression), the other
    /// array is empty, and every feature and target is finite.
    public init(name: String, task: Task, sampleShape: [Int], features: [Float], labels: [Int32], targets: [Float]) throws(ConfigurationError) {
        func fail(_ message: String) -> ConfigurationError { ConfigurationError("dataset \(name): \(message)") }
        let shape = sampleShape.map(String.init).joined(separator: "×")
        guard !sampleShape.isEmpty, sampleShape.allSatisfy({ $0 > 0 }) else {
            throw fail("sample shape [\(sampleShape.map(String.init).joined(separator: ", "))]; expected at least one dimension, every size positive")
        }
        var f = 1
        for n in sampleShape {
            let (product, overflow) = f.multipliedReportingOverflow(by: n)
            guard !overflow, product <= Int(Int32.max) else { throw fail("sample shape \(shape) has too many features; expected at most \(Int32.max)") }
            f = product
        }
        guard features.count % f == 0 else {
            throw fail("\(features.count) features are not a whole number of samples of \(shape) (\(f) features each)")
        }
        let n = features.count / f
        switch task {
        case .classification(let classes):
            guard classes >= 1, classes <= Dataset.maximumClasses else {
                throw fail("classes = \(classes); expected 1...\(Dataset.maximumClasses)")
            }
            guard labels.count == n else { throw fail("\(labels.count) labels for \(n) samples; expected one label per sample") }
            guard targets.isEmpty else { throw fail("a classification set has \(targets.count) regression targets; expected none") }
            if let bad = labels.firstIndex(where: { $0 < 0 || Int($0) >= classes }) {
                throw fail("label \(bad) is \(labels[bad]); expected a class in 0..<\(classes)")
            }
        case .regression(let outputs):
            guard outputs >= 1 else { throw fail("outputs = \(outputs); expected at least 1") }
            let (expected, overflow) = n.multipliedReportingOverflow(by: outputs)
            guard !overflow, targets.count == expected else {
                throw fail("\(targets.count) targets for \(n) samples of \(outputs) outputs; expected \(n) × \(outputs)")
            }
            guard labels.isEmpty else { throw fail("a regression set has \(labels.count) class labels; expected none") }
            if let bad = Dataset.firstNonFinite(targets) {
                throw fail("target \(bad) (sample \(bad / outputs), output \(bad % outputs)) is \(targets[bad]); expected finite values")
            }
        }
        if let bad = Dataset.firstNonFinite(features) {
            throw fail("feature \(bad % f) of sample \(bad / f) is \(features[bad]); expected finite values")
        }
        self.init(validated: name, task, sampleShape, features, labels, targets, count: n, featureCount: f)
    }

    /// The memberwise initialiser for arrays already known to agree.
    init(validated name: String, _ task: Task, _ sampleShape: [Int], _ features: [Float], _ labels: [Int32], _ targets: [Float], count: Int, featureCount: Int) {
        self.name = name
        self.task = task
        self.sampleShape = sampleShape
        self.features = features
        self.labels = labels
        self.targets = targets
        self.count = count
        self.featureCount = featureCount
    }

    /// The most classes a classification set may have (a label file whose largest label is
    /// 10⁹ is more likely a mistake than 10⁹ classes).
    public static let maximumClasses = 1 << 16

    /// The index of the first NaN or infinity in `values`, if any.
    static func firstNonFinite(_ values: [Float]) -> Int? {
        // An exponent of all ones marks NaN and ±∞; OR-ing that test over a block is an integer
        // reduction that vectorises, and only a failing block is searched.
        let block = 4096
        return values.withUnsafeBufferPointer { v -> Int? in
            guard let base = v.baseAddress else { return nil }
            let bits = UnsafeRawPointer(base).assumingMemoryBound(to: UInt32.self)
            var start = 0
            while start < v.count {
                let end = min(start + block, v.count)
                var any: UInt32 = 0
                for i in start..<end { any |= (bits[i] & 0x7F80_0000) == 0x7F80_0000 ? 1 : 0 }
                if any != 0 { return (start..<end).first { !v[$0].isFinite } }
                start = end
            }
            return nil
        }
    }
}

// MARK: - Reading IDX files

extension Dataset {
    /// A classification set from an image file and a label file in IDX format (each plain or
    /// gzipped), as MNIST ships: images n × d₁ × d₂ ⋯ of any element type (values converted to
    /// Float as they are, e.g. 0…255 for ubyte: see `scaled(by:)`), labels a one-dimensional
    /// file of n non-negative integers (ubyte, byte, short or int).
    ///
    /// `classes`: nil takes the largest label + 1; given, every label must be below it. The
    /// sample shape is [d₁, d₂, …]; the name is the image file's, without a `.gz`.
    /// - Throws: `ConfigurationError` naming the file and what is wrong — the IDX or gzip
    ///   defect, labels not 1-D or not of an integer type, a negative or out-of-range label
    ///   (by index and value), or images and labels of different counts.
    public static func idx(images: String, labels: String, classes: Int? = nil) throws(ConfigurationError) -> Dataset {
        let labelArray = try IDXReader.read(contentsOf: labels, as: Double.self) { (header) throws(ConfigurationError) in
            try checkLabelHeader(header, source: labels)
        }
        let imageArray = try IDXReader.read(contentsOf: images, as: Float.self) { (header) throws(ConfigurationError) in
            try checkImageHeader(header, source: images, labelCount: labelArray.rows, labelSource: labels)
        }
        return try pair(imageArray, imageSource: images, labelArray, labelSource: labels, classes: classes)
    }

    /// `idx(images:labels:classes:)` on the contents of the two files (plain or gzipped) in
    /// memory; `imageSource` and `labelSource` name them in errors.
    public static func idx(
        imageContents: [UInt8], imageSource: String, labelContents: [UInt8], labelSource: String, classes: Int? = nil
    ) throws(ConfigurationError) -> Dataset {
        let labelArray = try IDXReader.decode(contents: labelContents, source: labelSource, as: Double.self) { (header) throws(ConfigurationError) in
            try checkLabelHeader(header, source: labelSource)
        }
        let imageArray = try IDXReader.decode(contents: imageContents, source: imageSource, as: Float.self) { (header) throws(ConfigurationError) in
            try checkImageHeader(header, source: imageSource, labelCount: labelArray.rows, labelSource: labelSource)
        }
        return try pair(imageArray, imageSource: imageSource, labelArray, labelSource: labelSource, classes: classes)
    }

    private static func checkLabelHeader(_ header: IDXHeader, source: String) throws(ConfigurationError) {
        guard header.dimensions.count == 1 else {
            throw ConfigurationError("file \(source): labels of shape \(header.shapeDescription); expected a one-dimensional IDX file (one label per image)")
        }
        guard header.elementType.isInteger else {
            throw ConfigurationError("file \(source): labels of element type \(header.elementType.name); expected an integer type (ubyte, byte, short or int)")
        }
    }

    private static func checkImageHeader(_ header: IDXHeader, source: String, labelCount: Int, labelSource: String) throws(ConfigurationError) {
        guard header.dimensions.count >= 2 else {
            throw ConfigurationError("file \(source): images of shape \(header.shapeDescription); expected at least two dimensions (samples × features)")
        }
        guard header.dimensions[0] == labelCount else {
            throw ConfigurationError(
                "file \(source): \(header.dimensions[0]) images (\(header.shapeDescription)) but \(labelCount) labels in \(labelSource); expected one label per image")
        }
        guard header.dimensions[0] > 0 else {
            throw ConfigurationError("file \(source): \(header.shapeDescription) holds no images; expected at least one")
        }
        guard header.elementCount > 0 else {
            throw ConfigurationError("file \(source): images of shape \(header.shapeDescription) have no pixels; expected every size positive")
        }
    }

    private static func pair(
        _ images: IDXArray<Float>, imageSource: String, _ labels: IDXArray<Double>, labelSource: String, classes: Int?
    ) throws(ConfigurationError) -> Dataset {
        if let bad = labels.values.firstIndex(where: { $0 < 0 }) {
            throw ConfigurationError("file \(labelSource): label \(bad) is \(Int(labels.values[bad])); expected non-negative class indices")
        }
        let classCount: Int
        if let classes {
            guard classes >= 1, classes <= maximumClasses else {
                throw ConfigurationError("file \(labelSource): classes = \(classes) given for these labels; expected 1...\(maximumClasses)")
            }
            if let bad = labels.values.firstIndex(where: { $0 >= Double(classes) }) {
                throw ConfigurationError("file \(labelSource): label \(bad) is \(Int(labels.values[bad])); expected a class in 0..<\(classes) (classes = \(classes))")
            }
            classCount = classes
        } else {
            let largest = labels.values.max() ?? 0
            guard largest < Double(maximumClasses) else {
                throw ConfigurationError(
                    "file \(labelSource): largest label \(Int(largest)) would make \(Int(largest) + 1) classes; expected at most \(maximumClasses) (labels 0..<classes)")
            }
            classCount = Int(largest) + 1
        }
        var name = URL(fileURLWithPath: imageSource).lastPathComponent
        if name.hasSuffix(".gz") { name.removeLast(3) }
        return try Dataset(
            name: name, task: .classification(classes: classCount), sampleShape: Array(images.dimensions.dropFirst()),
            features: images.values, labels: labels.values.map { Int32($0) }, targets: [])
    }
}

// MARK: - Transformations

extension Dataset {
    /// The same data with every feature multiplied by `factor` (1/255 maps ubyte pixels to
    /// [0, 1]); labels and targets unchanged.
    public func scaled(by factor: Float) -> Dataset {
        precondition(factor.isFinite, "the scale factor must be finite")
        return mapFeatures { $0 * factor }
    }

    /// The same data with every feature divided by `divisor` (> 0): x/m lies in [−1, 1] for
    /// m = max |x|, even where m is so small (subnormal) that 1/m overflows.
    public func scaled(dividingBy divisor: Float) -> Dataset {
        precondition(divisor > 0 && divisor.isFinite, "the divisor must be positive and finite")
        return mapFeatures { $0 / divisor }
    }

    /// The same data with features mapped affinely from `range` onto [0, 1]:
    /// x ↦ (x − lower)/(upper − lower), e.g. `IDXElementType.ubyte.integerRange` 0…255.
    public func scaled(from range: ClosedRange<Float>) -> Dataset {
        precondition(range.upperBound > range.lowerBound, "the range must not be empty")
        let lower = range.lowerBound, inverse = 1 / (range.upperBound - range.lowerBound)
        return mapFeatures { ($0 - lower) * inverse }
    }

    func mapFeatures(_ transform: (Float) -> Float) -> Dataset {
        let mapped = [Float](unsafeUninitializedCapacity: features.count) { out, initialized in
            features.withUnsafeBufferPointer { x in
                for i in 0..<x.count { out[i] = transform(x[i]) }
            }
            initialized = features.count
        }
        return Dataset(validated: name, task, sampleShape, mapped, labels, targets, count: count, featureCount: featureCount)
    }

    /// The samples at `indices`, in that order (repeats allowed), under `name`.
    public func selecting(_ indices: [Int], name: String? = nil) -> Dataset {
        let f = featureCount
        let selected = [Float](unsafeUninitializedCapacity: indices.count * f) { out, initialized in
            guard let destination = out.baseAddress else { return }
            indices.withUnsafeBufferPointer { gatherFeatures($0, into: destination) }
            initialized = indices.count * f
        }
        var selectedTargets: [Float] = []
        if case .regression(let outputs) = task {
            selectedTargets = [Float](unsafeUninitializedCapacity: indices.count * outputs) { out, initialized in
                guard let destination = out.baseAddress else { return }
                indices.withUnsafeBufferPointer { gatherTargets($0, into: destination) }
                initialized = indices.count * outputs
            }
        }
        let selectedLabels = labels.isEmpty ? [] : indices.map { labels[$0] }
        return Dataset(
            validated: name ?? self.name, task, sampleShape, selected, selectedLabels, selectedTargets,
            count: indices.count, featureCount: f)
    }

    /// A random division into a held-out part of round(fraction · n) samples and a training
    /// part of the rest, each in the original order. The held-out samples are the first of a
    /// uniform random permutation (Fisher–Yates under `Xoshiro256(seed:)`), so the split is a
    /// function of the seed alone.
    /// - Throws: `ConfigurationError` unless 0 < fraction < 1 and both parts get a sample.
    public func split(heldOut fraction: Double, seed: UInt64) throws(ConfigurationError) -> (train: Dataset, heldOut: Dataset) {
        guard fraction > 0, fraction < 1 else {
            throw ConfigurationError("dataset \(name): held-out fraction \(fraction); expected a number in (0, 1)")
        }
        let heldOutCount = Int((fraction * Double(count)).rounded())
        guard heldOutCount >= 1, heldOutCount < count else {
            throw ConfigurationError(
                "dataset \(name): held-out fraction \(fraction) of \(count) samples leaves \(heldOutCount) held out and \(count - heldOutCount) to train; expected at least one in each")
        }
        let permutation = Dataset.permutation(count, seed: seed)
        let heldOutIndices = permutation[..<heldOutCount].sorted()
        let trainIndices = permutation[heldOutCount...].sorted()
        return (selecting(trainIndices, name: name + "[train]"), selecting(heldOutIndices, name: name + "[held-out]"))
    }

    /// The samples in a uniform random order (Fisher–Yates under `Xoshiro256(seed:)`).
    public func shuffled(seed: UInt64) -> Dataset {
        selecting(Dataset.permutation(count, seed: seed))
    }

    /// The first min(n, count) samples.
    public func prefix(_ n: Int) -> Dataset {
        precondition(n >= 0, "a prefix cannot be negative")
        return selecting(Array(0..<Swift.min(n, count)))
    }

    /// The same samples as vectors: `sampleShape` becomes [featureCount].
    public func flattened() -> Dataset {
        Dataset(validated: name, task, [featureCount], features, labels, targets, count: count, featureCount: featureCount)
    }

    static func permutation(_ n: Int, seed: UInt64) -> [Int] {
        var order = Array(0..<n)
        var random = Xoshiro256(seed: seed)
        order.withUnsafeMutableBufferPointer { random.shuffle($0) }
        return order
    }
}

// MARK: - Mini-batches

extension Dataset {
    /// Copies the features of samples `indices` into `destination`, sample after sample
    /// (indices.count × featureCount floats): the mini-batch gather, with no allocation.
    public func gatherFeatures(_ indices: UnsafeBufferPointer<Int>, into destination: UnsafeMutablePointer<Float>) {
        let n = count
        for i in indices { precondition(i >= 0 && i < n, "sample index out of range") }
        features.withUnsafeBufferPointer { x in
            guard let base = x.baseAddress else { return }
            gatherRows(base, rowLength: featureCount, indices: indices, into: destination)
        }
    }

    /// Copies the regression targets of samples `indices` into `destination`
    /// (indices.count × outputs floats).
    public func gatherTargets(_ indices: UnsafeBufferPointer<Int>, into destination: UnsafeMutablePointer<Float>) {
        guard case .regression(let outputs) = task else { preconditionFailure("a classification set has no regression targets") }
        let n = count
        for i in indices { precondition(i >= 0 && i < n, "sample index out of range") }
        targets.withUnsafeBufferPointer { y in
            guard let base = y.baseAddress else { return }
            gatherRows(base, rowLength: outputs, indices: indices, into: destination)
        }
    }

    /// Copies the class labels of samples `indices` into `destination`.
    public func gatherLabels(_ indices: UnsafeBufferPointer<Int>, into destination: UnsafeMutablePointer<Int32>) {
        precondition(classCount > 0, "a regression set has no class labels")
        let n = count
        labels.withUnsafeBufferPointer { y in
            for (k, i) in indices.enumerated() {
                precondition(i >= 0 && i < n, "sample index out of range")
                destination[k] = y[i]
            }
        }
    }
}
