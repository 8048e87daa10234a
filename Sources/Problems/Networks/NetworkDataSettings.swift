import OptBenchCore
import OptBenchDatasets
import OptBenchKernels

/// How a network problem's training and test sets are chosen, shared by `mlp` and `resnet`:
/// the four IDX files when given (plain or gzipped, MNIST's format), else a built-in synthetic
/// set; then the preprocessing and the held-out split.
enum NetworkDataSource: String, CaseIterable, Sendable {
    /// MNIST-shaped classification: 28×28 images in [0, 1], `classes` classes.
    case mnistShaped = "mnist-shaped"
    /// y = W₂ tanh(W₁x + b₁) + noise regression from a random teacher network.
    case teacher
}

/// Feature preprocessing fitted on the training set and applied to both sets:
/// `unit` divides by the training set's largest |x| (255 for MNIST, 16 for UCI digits), giving
/// [0, 1] images; `standardize` maps each feature to (x − mean)/std of the training set;
/// `none` leaves the values as read.
enum NetworkPreprocessing: String, CaseIterable, Sendable {
    case unit, standardize, none
}

enum NetworkDataSettings {
    static let declarations: [ParameterDeclaration] = [
        .text("train-images", "", "IDX file of training inputs (any element type, plain or .gz); with train-labels, replaces the synthetic set"),
        .text("train-labels", "", "IDX file of training labels (1-D, integer type)"),
        .text("test-images", "", "IDX file of test inputs"),
        .text("test-labels", "", "IDX file of test labels"),
        .choice("data", default: NetworkDataSource.mnistShaped, "built-in synthetic set used when no files are given"),
        .integer("samples", 6000, range: 1...1e7, "synthetic training samples"),
        .integer("test_samples", 1000, range: 0...1e7, "synthetic test samples (0: none)"),
        .integer("classes", 10, range: 2...1000, "synthetic classes (mnist-shaped), or the class count files are checked against"),
        .integer("inputs", 32, range: 1...1e5, "teacher: input features"),
        .integer("teacher_width", 64, range: 1...1e5, "teacher: hidden width"),
        .integer("outputs", 4, range: 1...1e4, "teacher: regression targets"),
        .real("noise", 0.1, range: 0...1e6, "teacher: target noise std"),
        .integer("data_seed", 0, range: 0...Double(Int32.max), "seed of the synthetic data and of the held-out split"),
        .choice("preprocess", default: NetworkPreprocessing.unit, "input preprocessing fitted on the training set"),
        .real("held_out", 0, range: 0...0.9, "fraction of the training set held out as the test set when no test files are given"),
    ]

    /// (train, test) as the settings describe them, preprocessed.
    static func load(_ p: Parameters, problem: String) throws(ConfigurationError) -> (train: Dataset, test: Dataset?) {
        let files = ["train-images", "train-labels", "test-images", "test-labels"].map { p.text($0) }
        var train: Dataset
        var test: Dataset?
        if !files[0].isEmpty || !files[1].isEmpty {
            guard !files[0].isEmpty, !files[1].isEmpty else {
                throw ConfigurationError("problem '\(problem)': train-images and train-labels go together; expected both files or neither")
            }
            let classes = p.isSet("classes") ? p.integer("classes") : nil
            train = try Dataset.idx(images: files[0], labels: files[1], classes: classes)
            if !files[2].isEmpty || !files[3].isEmpty {
                guard !files[2].isEmpty, !files[3].isEmpty else {
                    throw ConfigurationError("problem '\(problem)': test-images and test-labels go together; expected both files or neither")
                }
                let t = try Dataset.idx(images: files[2], labels: files[3], classes: classes ?? train.classCount)
                guard t.sampleShape == train.sampleShape else {
                    throw ConfigurationError("file \(files[2]): samples of shape \(t.sampleShape.map(String.init).joined(separator: "×")); expected \(train.sampleShape.map(String.init).joined(separator: "×")) as in \(files[0])")
                }
                test = t
            }
        } else {
            guard files[2].isEmpty, files[3].isEmpty else {
                throw ConfigurationError("problem '\(problem)': test files are given without train-images and train-labels; expected the training files too")
            }
            let seed = UInt64(p.integer("data_seed"))
            switch p.choice("data", as: NetworkDataSource.self) {
            case .mnistShaped:
                try checkSize(problem, "samples=\(p.integer("samples")) of 784 pixels", entries: (p.integer("samples"), 784))
                train = try SyntheticDatasets.mnistShaped(samples: p.integer("samples"), classes: p.integer("classes"), seed: seed, stream: 0)
                if p.integer("test_samples") > 0 {
                    test = try SyntheticDatasets.mnistShaped(samples: p.integer("test_samples"), classes: p.integer("classes"), seed: seed, stream: 1)
                }
            case .teacher:
                try checkSize(problem, "samples=\(p.integer("samples")) of \(p.integer("inputs")) features", entries: (p.integer("samples"), p.integer("inputs")))
                let all = try SyntheticDatasets.teacherRegression(
                    samples: p.integer("samples") + p.integer("test_samples"), inputs: p.integer("inputs"), hidden: p.integer("teacher_width"),
                    outputs: p.integer("outputs"), noise: p.real("noise"), seed: seed)
                if p.integer("test_samples") > 0 {
                    let (a, b) = try all.split(heldOut: Double(p.integer("test_samples")) / Double(all.count), seed: seed)
                    (train, test) = (a, b)
                } else {
                    train = all
                }
            }
        }
        if p.real("held_out") > 0 {
            guard test == nil else {
                throw ConfigurationError("problem '\(problem)': held_out=\(p.real("held_out")) with a test set already given; expected held_out=0 or no test set")
            }
            let (a, b) = try train.split(heldOut: p.real("held_out"), seed: UInt64(p.integer("data_seed")))
            (train, test) = (a, b)
        }
        switch p.choice("preprocess", as: NetworkPreprocessing.self) {
        case .none: break
        case .unit:
            let top = train.features.reduce(Float(0)) { max($0, abs($1)) }
            if top > 0, top != 1 {
                train = train.scaled(by: 1 / top)
                test = test?.scaled(by: 1 / top)
            }
        case .standardize:
            let stats = train.featureStatistics()
            train = train.standardized(with: stats)
            test = test?.standardized(with: stats)
        }
        return (train, test)
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
