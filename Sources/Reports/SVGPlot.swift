import OptBenchHarness
import Foundation

/// A small, dependency-free SVG line-plot writer for the HTML report.
///
/// Each series is a median line with an optional shaded band (lower…upper) or a step function
/// (performance profiles). Axes are linear or log-scale (ticks at powers of ten); one colour per
/// series: twelve colours (Okabe–Ito's colour-blind-safe eight, then four of Tol's muted set) and,
/// past twelve series, a dash pattern per round, so up to sixty series stay apart; the legend
/// grows the figure to show every series, its score never cut.
/// Values a log axis cannot show (≤ 0, NaN, ±∞) are skipped and break the line, so the SVG never
/// contains a non-finite number. Output is deterministic: every coordinate is printed `%.2f`.
public struct SVGPlot {
    public struct Series {
        public var label: String
        public var x: [Double]
        /// The line (the median over seeds); nil entries break it.
        public var y: [Double?]
        /// The band's edges (e.g. min and max over seeds), both or neither.
        public var lower: [Double?]? = nil
        public var upper: [Double?]? = nil
        /// Draw as a right-continuous step function (a performance profile).
        public var step: Bool = false
        /// Shown after the label in the legend and never shortened (a profile's score `B=0.833`).
        public var legendSuffix: String = ""

        public init(label: String, x: [Double], y: [Double?], lower: [Double?]? = nil, upper: [Double?]? = nil, step: Bool = false,
                    legendSuffix: String = "") {
            self.label = label
            self.x = x
            self.y = y
            self.lower = lower
            self.upper = upper
            self.step = step
            self.legendSuffix = legendSuffix
        }
    }

    /// A dashed horizontal (`y`) or vertical (`x`) reference line with a label.
    public struct Reference {
        public enum Orientation: Sendable { case horizontal, vertical }
        public var orientation: Orientation
        public var value: Double
        public var label: String

        public init(orientation: Orientation, value: Double, label: String) {
            self.orientation = orientation
            self.value = value
            self.label = label
        }
    }

    public var title: String
    public var xTitle: String
    public var yTitle: String
    public var logX = false
    public var logY = true
    public var series: [Series] = []
    public var references: [Reference] = []
    /// Fixed axis ranges; nil: from the data.
    public var xRange: ClosedRange<Double>? = nil
    public var yRange: ClosedRange<Double>? = nil
    /// Labelled x ticks beyond the automatic ones (e.g. τ = 1 on a profile).
    var extraXTicks: [Double] = []

    // Geometry (pixels). The legend sits right of the plot area.
    var width = 660.0
    var height = 340.0
    var marginLeft = 64.0
    var marginRight = 196.0
    var marginTop = 38.0
    var marginBottom = 46.0

    public init(title: String, xTitle: String, yTitle: String, logX: Bool = false, logY: Bool = true, series: [Series] = [],
                references: [Reference] = [], xRange: ClosedRange<Double>? = nil, yRange: ClosedRange<Double>? = nil) {
        self.title = title
        self.xTitle = xTitle
        self.yTitle = yTitle
        self.logX = logX
        self.logY = logY
        self.series = series
        self.references = references
        self.xRange = xRange
        self.yRange = yRange
    }

    /// Okabe & Ito (2008), "Color Universal Design", reordered so the first colours contrast most
    /// on white (their yellow last: it is faint on white), then Tol's muted wine, indigo, olive and
    /// teal, which differ in hue or lightness from all eight.
    static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#882255",
                          "#332288", "#999933", "#44AA99", "#F0E442"]
    static let dashes = ["", "6 3", "2 2", "8 3 2 3", "12 4"]
    /// Vertical pixels per legend entry.
    static let legendStep = 17.0

    /// A white outline behind a label drawn over the lines.
    static let halo = " paint-order=\"stroke\" stroke=\"#ffffff\" stroke-width=\"3\" stroke-linejoin=\"round\""

    static func colour(_ k: Int) -> String { palette[k % palette.count] }
    static func dash(_ k: Int) -> String { dashes[(k / palette.count) % dashes.count] }

    /// One axis: data range → pixel range, linear or log10.
    struct Axis {
        var lo: Double
        var hi: Double
        var log: Bool
        var pixelLo: Double
        var pixelHi: Double

        func accepts(_ v: Double) -> Bool { v.isFinite && (!log || v > 0) }

        /// The pixel of `v`, clamped to the axis; nil when the axis cannot show it.
        func pixel(_ v: Double) -> Double? {
            guard accepts(v) else { return nil }
            let t: Double
            if log {
                t = (Foundation.log10(v) - Foundation.log10(lo)) / (Foundation.log10(hi) - Foundation.log10(lo))
            } else {
                t = (v - lo) / (hi - lo)
            }
            let p = pixelLo + min(1, max(0, t)) * (pixelHi - pixelLo)
            return p.isFinite ? p : nil
        }

        /// Tick positions with their labels (SVG text content).
        func ticks() -> [(value: Double, label: String)] {
            if log {
                let a = Int(Foundation.log10(lo).rounded(.down)), b = Int(Foundation.log10(hi).rounded(.up))
                let stride = max(1, Int((Double(b - a) / 7).rounded(.up)))
                // Over at most two decades, 2× and 5× ticks too, so a short range stays readable.
                let minor = b - a <= 2 ? [2.0, 5.0] : []
                var out: [(value: Double, label: String)] = []
                for e in Swift.stride(from: a, through: b, by: 1) where (e - a) % stride == 0 {
                    let v = Foundation.pow(10, Double(e))
                    if v >= lo * (1 - 1e-9), v <= hi * (1 + 1e-9) { out.append((v, "10<tspan dy=\"-5\" font-size=\"9\">\(e)</tspan>")) }
                    for m in minor where m * v <= hi * (1 + 1e-9) && m * v >= lo * (1 - 1e-9) {
                        out.append((m * v, SVGPlot.tickLabel(m * v)))
                    }
                }
                return out
            }
            let step = Self.niceStep((hi - lo) / 5)
            var out: [(Double, String)] = []
            var k = (lo / step).rounded(.up)
            while k * step <= hi + step * 1e-9, out.count < 50 {
                let v = k * step
                out.append((v, SVGPlot.tickLabel(abs(v) < step * 1e-9 ? 0 : v)))
                k += 1
            }
            return out
        }

        static func niceStep(_ raw: Double) -> Double {
            guard raw > 0, raw.isFinite else { return 1 }
            let mag = Foundation.pow(10, Foundation.log10(raw).rounded(.down))
            let f = raw / mag
            return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * mag
        }
    }

    static func tickLabel(_ v: Double) -> String {
        let s = String(format: "%.6g", v)
        return s == "-0" ? "0" : s
    }

    var plotLeft: Double { marginLeft }
    var plotRight: Double { width - marginRight }
    var plotTop: Double { marginTop }
    var plotBottom: Double { height - marginBottom }

    /// The axes fitted to the data (or the fixed ranges).
    func axes() -> (x: Axis, y: Axis) {
        func range(_ values: [Double], log: Bool, fixed: ClosedRange<Double>?) -> (Double, Double) {
            if let f = fixed { return (f.lowerBound, f.upperBound) }
            let ok = values.filter { $0.isFinite && (!log || $0 > 0) }
            guard var lo = ok.min(), var hi = ok.max() else { return log ? (0.1, 1) : (0, 1) }
            if log {
                lo = Foundation.pow(10, Foundation.log10(lo).rounded(.down))
                hi = Foundation.pow(10, Foundation.log10(hi).rounded(.up))
                if hi <= lo { hi = lo * 10 }
            } else if hi <= lo {
                hi = lo + 1
            }
            return (lo, hi)
        }
        var xs: [Double] = [], ys: [Double] = []
        for s in series {
            xs += s.x
            for band in [s.y, s.lower ?? [], s.upper ?? []] {
                for (k, v) in band.enumerated() where k < s.x.count {
                    if let v { ys.append(v) }
                }
            }
        }
        for r in references { if r.orientation == .horizontal { ys.append(r.value) } else { xs.append(r.value) } }
        let (xl, xh) = range(xs, log: logX, fixed: xRange)
        let (yl, yh) = range(ys, log: logY, fixed: yRange)
        return (Axis(lo: xl, hi: xh, log: logX, pixelLo: plotLeft, pixelHi: plotRight),
                Axis(lo: yl, hi: yh, log: logY, pixelLo: plotBottom, pixelHi: plotTop))
    }

    static func f(_ v: Double) -> String {
        let s = String(format: "%.2f", v.isFinite ? v : 0)
        return s == "-0.00" ? "0.00" : s
    }

    static func escape(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }

    /// Runs of consecutive drawable points (nil points break a run).
    static func runs(_ points: [(Double, Double)?]) -> [[(Double, Double)]] {
        var out: [[(Double, Double)]] = [], current: [(Double, Double)] = []
        for p in points {
            if let p { current.append(p) } else if !current.isEmpty { out.append(current); current = [] }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    static func pointList(_ run: [(Double, Double)]) -> String {
        run.map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " ")
    }

    /// The label shortened to fit the legend.
    static func shorten(_ s: String, to n: Int) -> String {
        s.count <= n ? s : String(s.prefix(max(n, 2) - 1)) + "…"
    }

    public func svg() -> String {
        // Tall enough for one legend line per series.
        var plot = self
        plot.height = max(height, marginTop + 8 + Double(series.count) * Self.legendStep + 6)
        return plot.draw()
    }

    func draw() -> String {
        let (xa, ya) = axes()
        var o: [String] = []
        o.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Self.f(width))\" height=\"\(Self.f(height))\" "
            + "viewBox=\"0 0 \(Self.f(width)) \(Self.f(height))\" font-family=\"sans-serif\" font-size=\"11\">")
        o.append("<title>\(Self.escape(title))</title>")
        o.append("<rect x=\"0\" y=\"0\" width=\"\(Self.f(width))\" height=\"\(Self.f(height))\" fill=\"#ffffff\"/>")
        o.append("<text x=\"\(Self.f((plotLeft + plotRight) / 2))\" y=\"18\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\">"
            + "\(Self.escape(Self.shorten(title, to: 70)))</text>")

        // Grid and ticks.
        for (v, label) in ya.ticks() {
            guard let py = ya.pixel(v) else { continue }
            o.append("<line x1=\"\(Self.f(plotLeft))\" y1=\"\(Self.f(py))\" x2=\"\(Self.f(plotRight))\" y2=\"\(Self.f(py))\" stroke=\"#e3e3e3\" stroke-width=\"1\"/>")
            o.append("<text x=\"\(Self.f(plotLeft - 6))\" y=\"\(Self.f(py + 4))\" text-anchor=\"end\">\(label)</text>")
        }
        let xTicks = xa.ticks()
        let extra = extraXTicks.filter { v in !xTicks.contains { abs($0.value - v) <= 1e-9 * max(1, abs(v)) } }
        for (v, label) in xTicks + extra.map({ ($0, Self.tickLabel($0)) }) {
            guard let px = xa.pixel(v) else { continue }
            o.append("<line x1=\"\(Self.f(px))\" y1=\"\(Self.f(plotTop))\" x2=\"\(Self.f(px))\" y2=\"\(Self.f(plotBottom))\" stroke=\"#eeeeee\" stroke-width=\"1\"/>")
            o.append("<text x=\"\(Self.f(px))\" y=\"\(Self.f(plotBottom + 16))\" text-anchor=\"middle\">\(label)</text>")
        }
        o.append("<rect x=\"\(Self.f(plotLeft))\" y=\"\(Self.f(plotTop))\" width=\"\(Self.f(plotRight - plotLeft))\" "
            + "height=\"\(Self.f(plotBottom - plotTop))\" fill=\"none\" stroke=\"#333333\" stroke-width=\"1\"/>")
        // Axis titles.
        o.append("<text x=\"\(Self.f((plotLeft + plotRight) / 2))\" y=\"\(Self.f(height - 8))\" text-anchor=\"middle\">\(Self.escape(xTitle))</text>")
        let yMid = (plotTop + plotBottom) / 2
        o.append("<text x=\"14\" y=\"\(Self.f(yMid))\" text-anchor=\"middle\" transform=\"rotate(-90 14 \(Self.f(yMid)))\">\(Self.escape(yTitle))</text>")

        // Reference lines.
        for r in references {
            switch r.orientation {
            case .horizontal:
                guard let py = ya.pixel(r.value) else { continue }
                o.append("<line x1=\"\(Self.f(plotLeft))\" y1=\"\(Self.f(py))\" x2=\"\(Self.f(plotRight))\" y2=\"\(Self.f(py))\" stroke=\"#777777\" stroke-width=\"1\" stroke-dasharray=\"4 3\"/>")
                o.append("<text x=\"\(Self.f(plotRight - 4))\" y=\"\(Self.f(max(plotTop + 10, py - 4)))\" text-anchor=\"end\" fill=\"#555555\" font-size=\"10\"\(Self.halo)>\(Self.escape(r.label))</text>")
            case .vertical:
                guard let px = xa.pixel(r.value) else { continue }
                o.append("<line x1=\"\(Self.f(px))\" y1=\"\(Self.f(plotTop))\" x2=\"\(Self.f(px))\" y2=\"\(Self.f(plotBottom))\" stroke=\"#777777\" stroke-width=\"1\" stroke-dasharray=\"4 3\"/>")
                o.append("<text x=\"\(Self.f(px))\" y=\"\(Self.f(plotTop - 4))\" text-anchor=\"middle\" fill=\"#555555\" font-size=\"10\">\(Self.escape(r.label))</text>")
            }
        }

        // Series: bands first, then lines on top.
        func point(_ x: Double, _ y: Double?) -> (Double, Double)? {
            guard let y, let px = xa.pixel(x), let py = ya.pixel(y) else { return nil }
            return (px, py)
        }
        for (k, s) in series.enumerated() {
            guard let lower = s.lower, let upper = s.upper else { continue }
            let n = min(s.x.count, lower.count, upper.count)
            var pairs: [((Double, Double), (Double, Double))?] = []
            for i in 0..<n {
                if let a = point(s.x[i], lower[i]), let b = point(s.x[i], upper[i]) { pairs.append((a, b)) } else { pairs.append(nil) }
            }
            var run: [((Double, Double), (Double, Double))] = []
            func flush() {
                if run.count >= 2 {
                    let pts = run.map { $0.1 } + run.reversed().map { $0.0 }
                    o.append("<polygon points=\"\(Self.pointList(pts))\" fill=\"\(Self.colour(k))\" fill-opacity=\"0.18\" stroke=\"none\"/>")
                }
                run = []
            }
            for p in pairs { if let p { run.append(p) } else { flush() } }
            flush()
        }
        for (k, s) in series.enumerated() {
            let n = min(s.x.count, s.y.count)
            var pts: [(Double, Double)?] = []
            if s.step {
                // Right-continuous steps: hold each value until the next x.
                for i in 0..<n {
                    let here = point(s.x[i], s.y[i])
                    if i > 0, let here, let prev = pts.last ?? nil { pts.append((here.0, prev.1)) }
                    pts.append(here)
                }
            } else {
                for i in 0..<n { pts.append(point(s.x[i], s.y[i])) }
            }
            let dash = Self.dash(k).isEmpty ? "" : " stroke-dasharray=\"\(Self.dash(k))\""
            for run in Self.runs(pts) {
                if run.count == 1 {
                    o.append("<circle cx=\"\(Self.f(run[0].0))\" cy=\"\(Self.f(run[0].1))\" r=\"2.5\" fill=\"\(Self.colour(k))\"/>")
                } else {
                    o.append("<polyline points=\"\(Self.pointList(run))\" fill=\"none\" stroke=\"\(Self.colour(k))\" stroke-width=\"1.8\""
                        + " stroke-linejoin=\"round\"\(dash)/>")
                }
            }
        }

        // Legend.
        let lx = plotRight + 14
        for (k, s) in series.enumerated() {
            let ly = plotTop + 8 + Double(k) * Self.legendStep
            let dash = Self.dash(k).isEmpty ? "" : " stroke-dasharray=\"\(Self.dash(k))\""
            if s.lower != nil {
                o.append("<rect x=\"\(Self.f(lx))\" y=\"\(Self.f(ly - 5))\" width=\"22\" height=\"10\" fill=\"\(Self.colour(k))\" fill-opacity=\"0.18\"/>")
            }
            o.append("<line x1=\"\(Self.f(lx))\" y1=\"\(Self.f(ly))\" x2=\"\(Self.f(lx + 22))\" y2=\"\(Self.f(ly))\" stroke=\"\(Self.colour(k))\" stroke-width=\"2\"\(dash)/>")
            o.append("<text x=\"\(Self.f(lx + 28))\" y=\"\(Self.f(ly + 4))\"><title>\(Self.escape(s.label + s.legendSuffix))</title>"
                + "\(Self.escape(Self.shorten(s.label, to: 27 - s.legendSuffix.count) + s.legendSuffix))</text>")
        }
        o.append("</svg>")
        return o.joined(separator: "\n") + "\n"
    }
}
