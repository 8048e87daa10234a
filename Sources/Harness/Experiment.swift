import OptBenchCore

/// An experiment of the survey's second half: a claim from the literature, the grid that tests
/// it, its analysis and a verdict the numbers decide (never a written sentence). A catalog
/// value like problems and optimizers, so a plugin package can add its own.
public struct ExperimentEntry: Sendable {
    public let name: String
    public let summary: String
    /// The claim tested, with its source, as the table's header states it.
    public let claim: String
    let body: @Sendable (ExperimentOptions) throws -> ExperimentOutcome

    public init(name: String, summary: String, claim: String, run: @escaping @Sendable (ExperimentOptions) throws -> ExperimentOutcome) {
        self.name = name
        self.summary = summary
        self.claim = claim
        body = run
    }

    /// Runs the experiment: every figure measured now.
    public func run(_ options: ExperimentOptions) throws -> ExperimentOutcome { try body(options) }
}

/// How an experiment runs: its quick or default sizes, sizes scaled up by `--set`, the cells run
/// in parallel, and where progress goes.
public struct ExperimentOptions: Sendable {
    public var quick: Bool
    /// `key=value` overrides of the experiment's sizes (each experiment documents its keys).
    public var settings: [String: String]
    public var jobs: Int
    public var log: @Sendable (String) -> Void

    public init(quick: Bool = false, settings: [String: String] = [:], jobs: Int = 2, log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.quick = quick
        self.settings = settings
        self.jobs = jobs
        self.log = log
    }
}

/// One test of measured numbers against a claim, with the tolerance it allows.
public struct Verdict: Sendable, Equatable {
    /// What is tested, tolerance included ("slope of log epochs against L within 0.3 of 1").
    public var test: String
    /// The measured figure the test read ("slope 0.94").
    public var measured: String
    public var holds: Bool

    public init(test: String, measured: String, holds: Bool) {
        self.test = test
        self.measured = measured
        self.holds = holds
    }
}

/// A figure of an experiment: an SVG document and its caption.
public struct ExperimentFigure: Sendable {
    public var name: String
    public var caption: String
    public var svg: String

    public init(name: String, caption: String, svg: String) {
        self.name = name
        self.caption = caption
        self.svg = svg
    }
}

/// What an experiment measured: its table, figures, every number as JSON, and its verdicts.
public struct ExperimentOutcome: Sendable {
    public var columns: [String]
    public var rows: [[String]]
    /// Lines printed under the table (sizes used, fitted rates).
    public var notes: [String]
    public var figures: [ExperimentFigure]
    /// `result.json`: every number of the table, under the keys the experiment documents.
    public var result: JSONValue
    public var verdicts: [Verdict]

    public init(columns: [String], rows: [[String]], notes: [String] = [], figures: [ExperimentFigure] = [], result: JSONValue,
                verdicts: [Verdict]) {
        self.columns = columns
        self.rows = rows
        self.notes = notes
        self.figures = figures
        self.result = result
        self.verdicts = verdicts
    }
}
