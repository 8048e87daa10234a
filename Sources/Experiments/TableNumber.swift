import Foundation

/// A number for a table cell: four significant digits.
func cell(_ v: Double) -> String {
    v.isFinite ? String(format: "%.4g", v) : "—"
}
