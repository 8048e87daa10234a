import OptBenchCore
import OptBenchHarness
import OptBenchOptimizers
import OptBenchProblems
import OptBenchReports

extension ExperimentEntry {
    /// `normalization-and-skips`: the largest stable learning rate and the epochs to a target
    /// training accuracy of four networks of growing depth on the built-in MNIST-shaped set:
    /// a plain ReLU MLP (Kaiming init), the MLP with BatchNorm after every hidden dense layer,
    /// the fully-connected residual net of the survey's eq. (19), z ← φ(W₁φ(W₂z) + z) (Kaiming
    /// init, no normalisation), and the same residual net with Fixup's initialisation (each
    /// branch's last layer and the output layer zero, the other branch layers shrunk by
    /// B^{−1/2} for B blocks).
    ///
    /// Claim (survey §4.3–4.4; Ioffe & Szegedy, 2015; He et al., 2016; Zhang et al., 2019): plain
    /// nets get harder to train as they deepen; BatchNorm makes larger steps stable and training
    /// faster; residual connections with a suitable initialisation (Fixup) train at depth without
    /// normalisation about as fast as shallow nets.
    ///
    /// Depth L counts the dense layers on the main path: the MLP has L − 1 hidden layers, the
    /// residual nets (L − 2)/2 blocks between an input and an output layer. Grid: L ∈ `depths`
    /// (4, 8, 16, 32), lr ∈ `lrs` (0.01 … 1, SGD with mini-batches of `batch`), one seed, at most
    /// `epochs` epochs on `samples` training images of hidden width `width`; target: training
    /// accuracy ≥ `target`. A run is stable when it does not diverge and its training loss ends
    /// below half its start; epochs to target are the fewest over the learning rates.
    ///
    /// Verdicts, at the largest depth L_max and the smallest L_min (a run that does not reach
    /// the target counts as `epochs` + 1): (1) BatchNorm: the MLP+BN's largest stable lr ≥ 3×
    /// the plain MLP's; (2) BatchNorm: the MLP+BN reaches the target in fewer epochs than the
    /// plain MLP; (3) depth hurts the plain MLP: its epochs at L_max > 2× those at L_min;
    /// (4) Fixup: the residual net with Fixup needs at L_max ≤ 2× its epochs at L_min.
    ///
    /// `result.json`: `normalization_and_skips`, a list of {model, depth, max_stable_lr (null:
    /// none), epochs (null: not reached), best_lr}, and `runs`, a list of {model, depth, lr,
    /// stable, epochs, final_train_accuracy}.
    public static let normalizationAndSkips = ExperimentEntry(
        name: "normalization-and-skips",
        summary: "largest stable lr and epochs to a target of MLP, MLP+BatchNorm, residual net and residual net with Fixup against depth",
        claim: "BatchNorm makes larger steps stable and deep nets fast to train; residual nets with Fixup train at depth without normalisation (survey §4.3–4.4; Ioffe & Szegedy 2015; Zhang et al. 2019).",
        run: NormalizationAndSkipsExperiment.run)
}

enum NormalizationAndSkipsExperiment {
    enum Model: String, CaseIterable {
        case mlp
        case mlpBatchNorm = "mlp+batchnorm"
        case resnet
        case resnetFixup = "resnet+fixup"

        /// The problem's settings at depth L (dense layers on the main path).
        func settings(depth: Int, width: Int, samples: Int) -> (entry: ProblemEntry, settings: [String]) {
            let data = ["width=\(width)", "samples=\(samples)", "test_samples=0"]
            switch self {
            case .mlp: return (MLP.entry, data + ["depth=\(depth - 1)"])
            case .mlpBatchNorm: return (MLP.entry, data + ["depth=\(depth - 1)", "norm=batch"])
            case .resnet: return (ResNet.entry, data + ["form=fully-connected", "blocks=\((depth - 2) / 2)"])
            case .resnetFixup: return (ResNet.entry, data + ["form=fully-connected", "blocks=\((depth - 2) / 2)", "init=fixup"])
            }
        }
    }

    static func run(_ options: ExperimentOptions) throws -> ExperimentOutcome {
        var sizes = ExperimentSizes("normalization-and-skips", options)
        let depths = try sizes.ints("depths", [4, 8, 16, 32], quick: [4, 16], range: 2...200)
        let lrs = try sizes.doubles("lrs", [0.01, 0.03, 0.1, 0.3, 1], quick: [0.03, 0.1, 0.3, 1], range: 1e-9...1e3)
        let width = try sizes.int("width", 32, quick: 32, range: 1...4096)
        let samples = try sizes.int("samples", 2048, quick: 1024, range: 32...1_000_000)
        let batch = try sizes.int("batch", 32, quick: 32, range: 1...1_000_000)
        let epochs = try sizes.int("epochs", 20, quick: 10, range: 1...10_000)
        let target = try sizes.double("target", 0.9, quick: 0.85, range: 0...1)
        try sizes.finish()
        guard depths.allSatisfy({ $0 % 2 == 0 }) else {
            throw ConfigurationError("experiment 'normalization-and-skips': depths=\(depths.map(String.init).joined(separator: ",")) is not valid; expected even depths (a residual net has (L − 2)/2 blocks)")
        }

        struct Cell { var model: Model; var depth: Int; var lr: Double }
        var cells: [Cell] = []
        for m in Model.allCases { for d in depths { for lr in lrs { cells.append(Cell(model: m, depth: d, lr: lr)) } } }
        let optimizers = try lrs.map { try OptimizerEntry.sgd.make(["lr=\(format17($0))", "batch_size=\(batch)"]).float32 }
        let runs = try ExperimentCells.map(cells.count, jobs: options.jobs) { k -> Result<TrainingRun, Error> in
            Result {
                let c = cells[k]
                let (entry, settings) = c.model.settings(depth: c.depth, width: width, samples: samples)
                let problem = NetworkTraining.float32(try entry.make(settings))
                let run = NetworkTraining.train(problem, optimizers[lrs.firstIndex(of: c.lr)!], from: problem.initialPoint(seed: 0), seed: 0,
                                                epochs: epochs, target: { $0.trainAccuracy >= target })
                options.log("normalization-and-skips: \(c.model.rawValue) L=\(c.depth) lr=\(formatNumber(c.lr)): "
                    + (run.diverged ? "diverged" : run.reached.map { "target at epoch \(formatNumber($0.epoch))" } ?? "accuracy \(formatNumber(run.final.trainAccuracy))"))
                return run
            }
        }.map { try $0.get() }

        var rows: [[String]] = [], summary: [JSONValue] = [], all: [JSONValue] = []
        var maxLR: [Model: [Int: Double]] = [:], best: [Model: [Int: Double]] = [:]
        for m in Model.allCases {
            for d in depths {
                let mine = cells.indices.filter { cells[$0].model == m && cells[$0].depth == d }
                let stable = mine.filter { runs[$0].stable }.map { cells[$0].lr }
                let reached = mine.compactMap { i in runs[i].reached.map { (cells[i].lr, $0.epoch) } }
                let fastest = reached.min { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 > $1.0) }
                maxLR[m, default: [:]][d] = stable.max()
                best[m, default: [:]][d] = fastest?.1
                rows.append([m.rawValue, String(d), stable.max().map(formatNumber) ?? "none",
                             fastest.map { formatNumber($0.1) } ?? "> \(epochs)", fastest.map { formatNumber($0.0) } ?? "—",
                             mine.map { i in runs[i].diverged ? "div" : formatNumber(runs[i].final.trainAccuracy) }.joined(separator: " ")])
                summary.append(.object([
                    "model": .string(m.rawValue), "depth": .number(Double(d)), "max_stable_lr": .finite(stable.max()),
                    "epochs": .finite(fastest?.1), "best_lr": .finite(fastest?.0),
                ]))
                for i in mine {
                    all.append(.object([
                        "model": .string(m.rawValue), "depth": .number(Double(d)), "lr": .number(cells[i].lr), "stable": .bool(runs[i].stable),
                        "diverged": .bool(runs[i].diverged), "epochs": .finite(runs[i].reached?.epoch),
                        "final_train_accuracy": .finite(runs[i].final.trainAccuracy),
                    ]))
                }
            }
        }

        let shallow = depths.min()!, deep = depths.max()!
        func epochsText(_ m: Model, _ d: Int) -> String { best[m]?[d].map(formatNumber) ?? "> \(epochs)" }
        func epochsValue(_ m: Model, _ d: Int) -> Double { best[m]?[d] ?? Double(epochs + 1) }
        func lrText(_ m: Model) -> String { maxLR[m]?[deep].map(formatNumber) ?? "none" }
        let bnLR = maxLR[.mlpBatchNorm]?[deep] ?? 0, mlpLR = maxLR[.mlp]?[deep] ?? 0
        let verdicts = [
            Verdict(test: "BatchNorm: at L = \(deep) the MLP+BN's largest stable lr ≥ 3× the plain MLP's",
                    measured: "MLP+BN \(lrText(.mlpBatchNorm)), MLP \(lrText(.mlp))", holds: bnLR > 0 && bnLR >= 3 * mlpLR),
            Verdict(test: "BatchNorm: at L = \(deep) the MLP+BN reaches training accuracy \(formatNumber(target)) in fewer epochs than the plain MLP",
                    measured: "MLP+BN \(epochsText(.mlpBatchNorm, deep)), MLP \(epochsText(.mlp, deep)) epochs",
                    holds: best[.mlpBatchNorm]?[deep] != nil && epochsValue(.mlpBatchNorm, deep) < epochsValue(.mlp, deep)),
            Verdict(test: "depth hurts the plain MLP: its epochs at L = \(deep) > 2× those at L = \(shallow)",
                    measured: "L=\(shallow): \(epochsText(.mlp, shallow)), L=\(deep): \(epochsText(.mlp, deep)) epochs",
                    holds: best[.mlp]?[shallow] != nil && epochsValue(.mlp, deep) > 2 * epochsValue(.mlp, shallow)),
            Verdict(test: "Fixup: the residual net with Fixup needs at L = \(deep) ≤ 2× its epochs at L = \(shallow)",
                    measured: "L=\(shallow): \(epochsText(.resnetFixup, shallow)), L=\(deep): \(epochsText(.resnetFixup, deep)) epochs",
                    holds: best[.resnetFixup]?[deep] != nil && epochsValue(.resnetFixup, deep) <= 2 * epochsValue(.resnetFixup, shallow)),
        ]

        var lrPlot = SVGPlot(title: "Largest stable learning rate against depth", xTitle: "depth L (dense layers)",
                             yTitle: "largest stable lr (SGD, batch \(batch))", logX: true, logY: true)
        var epochPlot = SVGPlot(title: "Epochs to training accuracy \(formatNumber(target))", xTitle: "depth L (dense layers)",
                                yTitle: "epochs (best lr of the grid)", logX: true, logY: false)
        for m in Model.allCases {
            lrPlot.series.append(.init(label: m.rawValue, x: depths.map(Double.init), y: depths.map { maxLR[m]?[$0] }))
            epochPlot.series.append(.init(label: m.rawValue, x: depths.map(Double.init), y: depths.map { best[m]?[$0] }))
        }
        epochPlot.references.append(.init(orientation: .horizontal, value: Double(epochs), label: "budget"))
        let figures = [
            ExperimentFigure(name: "max-stable-lr.svg",
                             caption: "Largest learning rate of the grid \(lrs.map(formatNumber).joined(separator: ", ")) whose run neither diverged nor ended above half its starting loss; a missing point: none was stable.",
                             svg: lrPlot.svg()),
            ExperimentFigure(name: "epochs-to-target.svg",
                             caption: "Fewest epochs over the lr grid to training accuracy \(formatNumber(target)); a missing point: no lr reached it within \(epochs) epochs.",
                             svg: epochPlot.svg()),
        ]
        return ExperimentOutcome(
            columns: ["model", "L", "max stable lr", "epochs to target", "best lr", "final train accuracy per lr (div: diverged)"],
            rows: rows,
            notes: [sizes.describe([("depths", depths.map(String.init).joined(separator: ",")), ("lrs", lrs.map(formatNumber).joined(separator: ",")),
                                    ("width", String(width)), ("samples", String(samples)), ("batch", String(batch)),
                                    ("epochs", String(epochs)), ("target", formatNumber(target))])],
            figures: figures, result: .object(["normalization_and_skips": .array(summary), "runs": .array(all)]), verdicts: verdicts)
    }
}
