import OptBenchHarness

/// A line plot of an experiment's figure, drawn by the report's `SVGPlot` (same palette, axes
/// and deterministic output): lines of (x, y) points, linear or log axes, dashed reference
/// lines. Points a log axis cannot show (≤ 0, non-finite) break their line.
public struct ExperimentPlot: Sendable {
    public struct Line: Sendable {
        public var label: String
        public var x: [Double]
        public var y: [Double?]
        public init(_ label: String, x: [Double], y: [Double?]) {
            self.label = label
            self.x = x
            self.y = y
        }
    }

    /// A dashed reference line: horizontal at y = value, or vertical at x = value.
    public struct Reference: Sendable {
        public var horizontal: Bool
        public var value: Double
        public var label: String
        public init(horizontal: Bool, value: Double, label: String) {
            self.horizontal = horizontal
            self.value = value
            self.label = label
        }
    }

    public var title: String
    public var xTitle: String
    public var yTitle: String
    public var logX: Bool
    public var logY: Bool
    public var lines: [Line]
    public var references: [Reference]

    public init(title: String, xTitle: String, yTitle: String, logX: Bool = false, logY: Bool = true, lines: [Line] = [],
                references: [Reference] = []) {
        self.title = title
        self.xTitle = xTitle
        self.yTitle = yTitle
        self.logX = logX
        self.logY = logY
        self.lines = lines
        self.references = references
    }

    public func svg() -> String {
        var plot = SVGPlot(title: title, xTitle: xTitle, yTitle: yTitle, logX: logX, logY: logY)
        plot.series = lines.map { SVGPlot.Series(label: $0.label, x: $0.x, y: $0.y) }
        plot.references = references.map { SVGPlot.Reference(orientation: $0.horizontal ? .horizontal : .vertical, value: $0.value, label: $0.label) }
        return plot.svg()
    }

    /// The figure `name`.svg with this plot and its caption.
    public func figure(_ name: String, caption: String) -> ExperimentFigure {
        ExperimentFigure(name: name, caption: caption, svg: svg())
    }
}
