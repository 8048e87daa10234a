import OptBenchCore
import OptBenchKernels

/// Data sets generated from a seed, for problems that need no files.
public enum SyntheticDatasets {
    /// A random one-hidden-layer tanh network, the teacher of `teacherRegression`:
    ///
    ///     f(x) = W₂ tanh(W₁ x + b₁),   W₁ ∈ ℝ^{h×d}, b₁ ∈ ℝʰ, W₂ ∈ ℝ^{k×h}
    ///
    /// with independent entries W₁ ~ N(0, 1/d), b₁ ~ N(0, 1/4), W₂ ~ N(0, 1/h), so that for
    /// x ~ N(0, I) each pre-activation has variance about 1.25 and each output about 0.4.
    public struct Teacher: Sendable, Equatable {
        public let inputs: Int
        public let hidden: Int
        public let outputs: Int
        /// W₁, hidden × inputs, row-major.
        public let firstWeights: [Double]
        /// b₁, hidden entries.
        public let firstBias: [Double]
        /// W₂, outputs × hidden, row-major.
        public let secondWeights: [Double]

        /// The teacher drawn from `seed` (the stream `teacherRegression` uses).
        public init(inputs: Int, hidden: Int, outputs: Int, seed: UInt64) {
            precondition(inputs > 0 && hidden > 0 && outputs > 0, "the teacher needs positive sizes")
            self.inputs = inputs
            self.hidden = hidden
            self.outputs = outputs
            var random = Xoshiro256(seed: seed, stream: SyntheticDatasets.teacherStream)
            let s1 = 1 / Double(inputs).squareRoot(), s2 = 1 / Double(hidden).squareRoot()
            firstWeights = (0..<hidden * inputs).map { _ in s1 * random.nextGaussian() }
            firstBias = (0..<hidden).map { _ in 0.5 * random.nextGaussian() }
            secondWeights = (0..<outputs * hidden).map { _ in s2 * random.nextGaussian() }
        }

        /// Writes f(x) for the `inputs` features at `x` into `y` (`outputs` entries), using
        /// `activations` (`hidden` entries) as scratch.
        public func evaluate(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Double>, activations: UnsafeMutablePointer<Double>) {
            firstWeights.withUnsafeBufferPointer { w1 in
                for j in 0..<hidden {
                    var z = firstBias[j]
                    let row = w1.baseAddress! + j * inputs
                    for i in 0..<inputs { z += row[i] * Double(x[i]) }
                    activations[j] = Math.tanh(z)
                }
            }
            secondWeights.withUnsafeBufferPointer { w2 in
                for k in 0..<outputs {
                    var s = 0.0
                    let row = w2.baseAddress! + k * hidden
                    for j in 0..<hidden { s += row[j] * activations[j] }
                    y[k] = s
                }
            }
        }
    }

    static let teacherStream: UInt64 = 0x7465_6163_6865_72  // "teacher"
    static let inputStream: UInt64 = 0x696E_7075_7473  // "inputs"
    static let noiseStream: UInt64 = 0x6E6F_6973_65  // "noise"

    /// Regression on the outputs of a random teacher network (`Teacher`):
    ///
    ///     xᵢ ~ N(0, I_d),   yᵢ = W₂ tanh(W₁ xᵢ + b₁) + σ εᵢ,   εᵢ ~ N(0, I_k)
    ///
    /// with σ = `noise`. The teacher, the inputs and the noise come from three streams of
    /// `seed`, so changing `noise` keeps the teacher and the inputs. The targets are computed
    /// from the inputs as stored (Float) in float64; a student of the teacher's shape reaches the
    /// mean squared error σ² per output, half-MSE σ²/2.
    /// - Throws: `ConfigurationError` for a size below 1 or a negative or non-finite `noise`.
    public static func teacherRegression(
        samples: Int, inputs: Int, hidden: Int, outputs: Int, noise: Double, seed: UInt64
    ) throws(ConfigurationError) -> Dataset {
        for (name, value) in [("samples", samples), ("inputs", inputs), ("hidden", hidden), ("outputs", outputs)] where value < 1 {
            throw ConfigurationError("teacher regression: \(name) = \(value); expected at least 1")
        }
        guard noise.isFinite, noise >= 0 else { throw ConfigurationError("teacher regression: noise = \(noise); expected a finite number ≥ 0") }
        let (featureCount, overflow) = samples.multipliedReportingOverflow(by: inputs)
        guard !overflow, featureCount <= 1 << 31, samples.multipliedReportingOverflow(by: outputs).partialValue <= 1 << 31 else {
            throw ConfigurationError("teacher regression: \(samples) samples × \(inputs) inputs is too large; expected at most 2³¹ features")
        }
        let teacher = Teacher(inputs: inputs, hidden: hidden, outputs: outputs, seed: seed)
        var inputRandom = Xoshiro256(seed: seed, stream: inputStream)
        let features = (0..<samples * inputs).map { _ in Float(inputRandom.nextGaussian()) }
        var noiseRandom = Xoshiro256(seed: seed, stream: noiseStream)
        var targets = [Float](repeating: 0, count: samples * outputs)
        var y = [Double](repeating: 0, count: outputs), h = [Double](repeating: 0, count: hidden)
        features.withUnsafeBufferPointer { x in
            for i in 0..<samples {
                teacher.evaluate(x.baseAddress! + i * inputs, into: &y, activations: &h)
                for k in 0..<outputs { targets[i * outputs + k] = Float(y[k] + noise * noiseRandom.nextGaussian()) }
            }
        }
        return Dataset(
            validated: "teacher-regression(d=\(inputs),h=\(hidden),k=\(outputs),noise=\(noise))", .regression(outputs: outputs), [inputs],
            features, [], targets, count: samples, featureCount: inputs)
    }

    /// A classification set shaped like MNIST: `samples` grey-scale images of 28 × 28 pixels in
    /// [0, 1] (sample shape [28, 28]), `classes` classes, each image a class's glyph drawn with
    /// random pose, deformation and pen, a faint glyph of another class over it, and pixel noise
    /// (`SyntheticDigits` gives the model).
    ///
    /// The classes (their glyphs) are a function of `seed` alone, the images of (seed, stream,
    /// index): a training set (stream 0) and a test set (stream 1) of one seed are two samples of
    /// the same distribution. Labels are uniform over the classes.
    /// - Throws: `ConfigurationError` unless samples ≥ 1 and 2 ≤ classes ≤ 1024.
    public static func mnistShaped(samples: Int, classes: Int = 10, seed: UInt64, stream: UInt64) throws(ConfigurationError) -> Dataset {
        guard samples >= 1, samples <= Int(Int32.max) / SyntheticDigits.pixels else {
            throw ConfigurationError("synthetic mnist: samples = \(samples); expected 1...\(Int(Int32.max) / SyntheticDigits.pixels)")
        }
        guard classes >= 2, classes <= 1024 else {
            throw ConfigurationError("synthetic mnist: classes = \(classes); expected 2...1024")
        }
        let digits = SyntheticDigits(classes: classes, seed: seed)
        let (features, labels) = digits.images(samples, stream: stream)
        let part = stream == 0 ? "train" : stream == 1 ? "test" : "stream \(stream)"
        return Dataset(
            validated: "synthetic-mnist(\(part))", .classification(classes: classes), [SyntheticDigits.side, SyntheticDigits.side],
            features, labels, [], count: samples, featureCount: SyntheticDigits.pixels)
    }
}
