import OptBenchCore

/// Every optimizer by name. Adding an optimizer is one file (with its `OptimizerEntry`) and
/// one line here.
public enum OptimizerRegistry {
    public static let all: [OptimizerEntry] = [
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
    ]

    public static func entry(named name: String) throws(ConfigurationError) -> OptimizerEntry {
        guard let e = all.first(where: { $0.name == name }) else {
            throw ConfigurationError("unknown optimizer '\(name)'; valid optimizers: \(all.map(\.name).joined(separator: ", "))")
        }
        return e
    }
}
