import OptBenchExperiments
import OptBenchHarness
import OptBenchOptimizers
import OptBenchProblems
import OptBenchSuites

extension Catalog {
    /// The catalog that ships: every built-in problem, optimizer, suite and experiment, one line
    /// each. A plugin package extends it with `Catalog.standard.adding(…)`.
    public static let standard = Catalog(
        problems: [
            Rosenbrock.entry,
            W7.entry,
            Product.entry,
            LeastSquares.entry,
            LogisticRegression.entry,
            MatrixFactorization.entry,
            DeepLinearNetwork.entry,
            MLP.entry,
            ResNet.entry,
        ],
        optimizers: [
            .gd,
            .sgd,
            .momentum,
            .nesterov,
            .svrg,
            .saga,
            .rcd,
            .bb,
            .lbfgs,
            .adagrad,
            .rmsprop,
            .adam,
            .amsgrad,
            .adamw,
            .nadam,
            .adadelta,
            .kfac,
            .adamax,
            .radam,
            .nadamw,
            .rprop,
            .asgd,
            .lion,
            .ademamix,
            .sf_sgd,
            .sf_adamw,
            .adafactor,
            .lamb,
            .lars,
            .adan,
            .prodigy,
            .muon,
            .soap,
            .shampoo,
        ],
        suites: StandardSuites.files.map { SuiteFile(name: $0.name, path: $0.path, text: $0.text) },
        experiments: [
            .signalPropagation,
            .toyDepth,
            .deepLinearInit,
            .sgdVsGd,
            .normalizationAndSkips,
            .adamCounterexample,
            .largeBatch,
            .landscape,
            .edgeOfStability,
            .lazyTraining,
        ])
}
