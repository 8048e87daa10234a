import OptBenchCore
import OptBenchDatasets
import OptBenchKernels

/// How a network problem's training and test sets are chosen, shared by `mlp` and `resnet`:
/// the four IDX files when given (plain or gzipped, MNIST's format), else a built-in synthetic
/// set; then the preprocessing and the held-out split.
enum NetworkDataSource: String, ParameterChoice {
    /// MNIST-shaped classification: 28×28 images in [0, 1], `classes` classes.
    case mnistShaped = "mnist-shaped"
    /// y = W₂ tanh(W₁x + b₁) + noise regression from a random teacher network.
    case teacher
}

/// Feature preprocessing fitted on the training set and applied to both sets:
/// `unit` divides by the training set's largest |x| (255 for MNIST, 16 for UCI digits), giving
/// [0, 1] images; `standardize` maps each feature to (x − mean)/std of the training set;
/// `none` leaves the values as read.
enum NetworkPreprocessing: String, ParameterChoice {
    case unit, standardize, none
}

/// The data settings `mlp` and `resnet` share.
public struct NetworkDataSettings: ParameterSet {
    @Setting("train-images", "IDX file of training inputs (any element type, plain or .gz); with train-labels, replaces the synthetic set")
    public var trainImages = ""
    @Setting("train-labels", "IDX file of training labels (1-D, integer type)")
    public var trainLabels = ""
    @Setting("test-images", "IDX file of test inputs")
    public var testImages = ""
    @Setting("test-labels", "IDX file of test labels")
    public var testLabels = ""
    @Setting("data", "built-in synthetic set used when no files are given")
    var source = NetworkDataSource.mnistShaped
    @Setting("samples", range: 1...1e7, "synthetic training samples")
    public var samples = 6000
    @Setting("test_samples", range: 0...1e7, "synthetic test samples (0: none)")
    public var testSamples = 1000
    @Setting("classes", range: 2...1000, "classes: of the synthetic set (mnist-shaped), or of the files, every label checked to lie in 0…classes−1; the model's outputs")
    public var classes = 10
    @Setting("inputs", range: 1...1e5, "teacher: input features")
    public var inputs = 32
    @Setting("teacher_width", range: 1...1e5, "teacher: hidden width")
    public var teacherWidth = 64
    @Setting("outputs", range: 1...1e4, "teacher: regression targets")
    public var outputs = 4
    @Setting("noise", range: 0...1e6, "teacher: target noise std")
    public var noise = 0.1
    @Setting("data_seed", range: 0...Double(Int32.max), "seed of the synthetic data and of the held-out split")
    public var dataSeed = 0
    @Setting("preprocess", "input preprocessing fitted on the training set")
    var preprocess = NetworkPreprocessing.unit
    @Setting("held_out", range: 0...0.9, "fraction of the training set held out as the test set when no test files are given")
    public var heldOut = 0.0
    @Setting("batch_size", range: 1...1e7,
             "the mini-batch |B| of every rule whose batch_size is auto (torch's DataLoader batch_size); the full set when larger")
    public var batchSize = 128
    public init() {}

    /// (train, test) as the settings describe them, preprocessed.
    func load(problem: String) throws(ConfigurationError) -> (train: Dataset, test: Dataset?) {
        let files = [trainImages, trainLabels, testImages, testLabels]
        var train: Dataset
        var test: Dataset?
        if !files[0].isEmpty || !files[1].isEmpty {
            guard !files[0].isEmpty, !files[1].isEmpty else {
                throw ConfigurationError("problem '\(problem)': train-images and train-labels go together; expected both files or neither")
            }
            // The model has `classes` outputs whether or not the setting is written, so every label
            // is checked against it: a 255 in a digits file is refused, not a 256-class model.
            train = try Dataset.idx(images: files[0], labels: files[1], classes: classes)
            if !files[2].isEmpty || !files[3].isEmpty {
                guard !files[2].isEmpty, !files[3].isEmpty else {
                    throw ConfigurationError("problem '\(problem)': test-images and test-labels go together; expected both files or neither")
                }
                let t = try Dataset.idx(images: files[2], labels: files[3], classes: classes)
                guard t.sampleShape == train.sampleShape else {
                    throw ConfigurationError("file \(files[2]): samples of shape \(t.sampleShape.map(String.init).joined(separator: "×")); expected \(train.sampleShape.map(String.init).joined(separator: "×")) as in \(files[0])")
                }
                test = t
            }
        } else {
            guard files[2].isEmpty, files[3].isEmpty else {
                throw ConfigurationError("problem '\(problem)': test files are given without train-images and train-labels; expected the training files too")
            }
            let seed = UInt64(dataSeed)
            switch source {
            case .mnistShaped:
                try checkSize(problem, "samples=\(samples) of 784 pixels", entries: (samples, 784))
                train = try SyntheticDatasets.mnistShaped(samples: samples, classes: self.classes, seed: seed, stream: 0)
                if testSamples > 0 {
                    test = try SyntheticDatasets.mnistShaped(samples: testSamples, classes: self.classes, seed: seed, stream: 1)
                }
            case .teacher:
                try checkSize(problem, "samples=\(samples) of \(inputs) features", entries: (samples, inputs))
                let all = try SyntheticDatasets.teacherRegression(
                    samples: samples + testSamples, inputs: inputs, hidden: teacherWidth, outputs: outputs, noise: noise, seed: seed)
                if testSamples > 0 {
                    let (a, b) = try all.split(heldOut: Double(testSamples) / Double(all.count), seed: seed)
                    (train, test) = (a, b)
                } else {
                    train = all
                }
            }
        }
        if heldOut > 0 {
            guard test == nil else {
                throw ConfigurationError("problem '\(problem)': held_out=\(heldOut) with a test set already given; expected held_out=0 or no test set")
            }
            let (a, b) = try train.split(heldOut: heldOut, seed: UInt64(dataSeed))
            (train, test) = (a, b)
        }
        switch preprocess {
        case .none: break
        case .unit:
            let top = train.features.reduce(Float(0)) { max($0, abs($1)) }
            if top > 0, top != 1 {
                // Below 2⁻¹²⁸ (subnormal) 1/top overflows to +∞, and 0·∞ is NaN: divide there instead.
                let factor = 1 / top
                train = factor.isFinite ? train.scaled(by: factor) : train.scaled(dividingBy: top)
                test = factor.isFinite ? test?.scaled(by: factor) : test?.scaled(dividingBy: top)
            }
        case .standardize:
            let stats = train.featureStatistics()
            train = train.standardized(with: stats)
            test = test?.standardized(with: stats)
        }
        return (train, test)
    }

    /// The sizes the settings describe, without loading anything: training and test samples,
    /// the shape of a sample, the outputs (classes or regression targets), and the float32
    /// bytes loading and preprocessing hold at their peak: the sets as generated or read (with
    /// a file's compressed and inflated bytes), plus one copy each for a split (teacher data
    /// with a test set, `held_out`) and for preprocessing that changes the values (files, whose
    /// largest value is rarely 1, under `unit`; `standardize`). MNIST-shaped images reach 1,
    /// so `unit` leaves them as generated. For a gzip file, whose header
    /// is compressed, elements are counted as its inflated bytes and a sample's shape is
    /// inferred as a square image.
    func footprint() -> (train: Int, test: Int, shape: [Int], outputs: Int, loading: Int) {
        var train = 0, test = 0, shape = [784], outputs = classes, files = Bytes()
        if !trainImages.isEmpty {
            let images = IDXReader.footprint(of: trainImages), labels = IDXReader.footprint(of: trainLabels)
            train = labels?.rows ?? max(0, (labels?.elements ?? 8) - 8)
            let elements = images?.elements ?? 0
            let features = max(1, images?.columns ?? elements / max(train, 1))
            if let i = images, i.rows != nil, let c = i.columns {
                shape = c == features ? [c] : [features]
            } else {
                let side = Int(Double(features).squareRoot())
                shape = side * side == features ? [side, side] : [features]
            }
            files += Bytes((images?.fileBytes ?? 0) + (images?.inflatedBytes ?? 0) + (labels?.fileBytes ?? 0) + (labels?.inflatedBytes ?? 0))
            if !testImages.isEmpty, let t = IDXReader.footprint(of: testImages) {
                test = t.elements / features
                files += Bytes(t.fileBytes + t.inflatedBytes)
            }
        } else if source == .teacher {
            (train, test, shape, outputs) = (samples, testSamples, [inputs], self.outputs)
        } else {
            (train, test) = (samples, testSamples)
        }
        if heldOut > 0 && test == 0 {
            test = Int((Double(train) * heldOut).rounded(.up))
            train -= test
        }
        let features = shape.reduce(1, *)
        let synthetic = trainImages.isEmpty
        let perSample = features + (source == .teacher && synthetic ? outputs : 1)
        var copies = 1
        if heldOut > 0 || (synthetic && source == .teacher && testSamples > 0) { copies += 1 }
        if preprocess == .standardize || (preprocess == .unit && !synthetic) { copies += 1 }
        let loading = files + Bytes.values(train + test, perSample, of: 4) * copies
        return (train, test, shape, outputs, loading.value)
    }

    /// A dataset in the run precision.
    static func networkData<Scalar: KernelScalar>(_ d: Dataset, flatten: Bool, as _: Scalar.Type) -> NetworkData<Scalar> {
        let shape = flatten ? [d.featureCount] : d.sampleShape
        switch d.task {
        case .classification(let classes):
            return NetworkData(features: asScalars(d.features), sampleShape: shape, labels: d.labels, classes: classes)
        case .regression(let outputs):
            return NetworkData(features: asScalars(d.features), sampleShape: shape, targets: asScalars(d.targets), outputs: outputs)
        }
    }
}
