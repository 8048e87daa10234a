import Foundation
import OptBenchCore
import OptBenchHarness

/// The sizes of one experiment run: each read from `--set key=value` when given, else its
/// quick or default value, checked against its range; a key the experiment does not read is
/// refused with the keys it does (`finish`), so a misspelt size never runs silently at default.
struct ExperimentSizes {
    let experiment: String
    let options: ExperimentOptions
    private(set) var known: [String] = []

    init(_ experiment: String, _ options: ExperimentOptions) {
        self.experiment = experiment
        self.options = options
    }

    var quick: Bool { options.quick }

    private mutating func text(_ key: String) -> String? {
        known.append(key)
        return options.settings[key]
    }

    private func refuse(_ key: String, _ value: String, _ expected: String) -> ConfigurationError {
        ConfigurationError("experiment '\(experiment)': \(key)=\(value) is not valid; expected \(expected)")
    }

    mutating func int(_ key: String, _ standard: Int, quick: Int, range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        guard let given = text(key) else { return self.quick ? quick : standard }
        guard let v = Int(given.trimmingCharacters(in: .whitespaces)), range.contains(v) else {
            throw refuse(key, given, "an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return v
    }

    mutating func double(_ key: String, _ standard: Double, quick: Double, range: ClosedRange<Double>) throws(ConfigurationError) -> Double {
        guard let given = text(key) else { return self.quick ? quick : standard }
        guard let v = Double(given.trimmingCharacters(in: .whitespaces)), v.isFinite, range.contains(v) else {
            throw refuse(key, given, "a number in \(formatNumber(range.lowerBound))...\(formatNumber(range.upperBound))")
        }
        return v
    }

    /// A comma-separated list (`depths=2,4,8`), at least one entry.
    mutating func ints(_ key: String, _ standard: [Int], quick: [Int], range: ClosedRange<Int>) throws(ConfigurationError) -> [Int] {
        guard let given = text(key) else { return self.quick ? quick : standard }
        let values = given.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ $0.map(range.contains) ?? false }) else {
            throw refuse(key, given, "comma-separated integers in \(range.lowerBound)...\(range.upperBound)")
        }
        return values.map { $0! }
    }

    mutating func doubles(_ key: String, _ standard: [Double], quick: [Double], range: ClosedRange<Double>) throws(ConfigurationError) -> [Double] {
        guard let given = text(key) else { return self.quick ? quick : standard }
        let values = given.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ $0.map { $0.isFinite && range.contains($0) } ?? false }) else {
            throw refuse(key, given, "comma-separated numbers in \(formatNumber(range.lowerBound))...\(formatNumber(range.upperBound))")
        }
        return values.map { $0! }
    }

    /// Refuses settings the experiment did not read.
    func finish() throws(ConfigurationError) {
        for key in options.settings.keys.sorted() where !known.contains(key) {
            throw ConfigurationError("experiment '\(experiment)': unknown setting '\(key)'; expected one of \(known.joined(separator: ", "))")
        }
    }

    /// `key=value` for every size read, as the table's notes print them.
    func describe(_ values: [(String, String)]) -> String {
        "sizes\(quick ? " (quick)" : ""): " + values.map { "\($0.0)=\($0.1)" }.joined(separator: " ")
    }
}
