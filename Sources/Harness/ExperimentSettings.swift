import Foundation
import OptBenchCore

/// How an experiment reads its sizes: each `--set key=value` parsed against the keys the
/// experiment documents, its quick or default value otherwise, and its independent cells run on
/// `jobs` threads with results in cell order (each cell seeds itself, so the numbers do not
/// depend on the thread count).
extension ExperimentOptions {
    /// Refuses a `--set` key the experiment does not read, naming the valid ones.
    public func check(keys: [String], experiment: String) throws(ConfigurationError) {
        for key in settings.keys.sorted() where !keys.contains(key) {
            throw ConfigurationError("experiment \(experiment): unknown setting '\(key)'; valid settings: \(keys.joined(separator: ", "))")
        }
    }

    /// An integer setting in `range`: `--set key=N`, else `quick` under `--quick`, else `standard`.
    public func integer(_ key: String, standard: Int, quick: Int, range: ClosedRange<Int>, experiment: String) throws(ConfigurationError) -> Int {
        guard let text = settings[key] else { return self.quick ? quick : standard }
        guard let v = Int(text), range.contains(v) else {
            throw ConfigurationError("experiment \(experiment): \(key)=\(text) is not valid; expected an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return v
    }

    /// A real setting in `range`, as `integer`.
    public func real(_ key: String, standard: Double, quick: Double, range: ClosedRange<Double>, experiment: String) throws(ConfigurationError) -> Double {
        guard let text = settings[key] else { return self.quick ? quick : standard }
        guard let v = Double(text), v.isFinite, range.contains(v) else {
            throw ConfigurationError("experiment \(experiment): \(key)=\(text) is not valid; expected a number in \(formatShort(range.lowerBound))...\(formatShort(range.upperBound))")
        }
        return v
    }

    /// A comma-separated list of integers, each in `range` (a grid axis: `widths=16,64,256`).
    public func integers(_ key: String, standard: [Int], quick: [Int], range: ClosedRange<Int>, experiment: String) throws(ConfigurationError) -> [Int] {
        guard let text = settings[key] else { return self.quick ? quick : standard }
        let words = text.split(separator: ",", omittingEmptySubsequences: false)
        let values = words.compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !words.isEmpty, values.count == words.count, values.allSatisfy(range.contains) else {
            throw ConfigurationError("experiment \(experiment): \(key)=\(text) is not valid; expected a comma-separated list of integers in \(range.lowerBound)...\(range.upperBound)")
        }
        return values
    }

    /// `body` over `0..<count` on up to `jobs` threads, the results in index order.
    public func map<T>(_ count: Int, _ body: @Sendable (Int) throws -> T) throws -> [T] {
        guard jobs > 1, count > 1 else { return try (0..<count).map(body) }
        let queue = WorkQueue(count: count)
        let results = ResultSlots<Result<T, any Error>>(count: count)
        try withoutActuallyEscaping(body) { body in
            let box = UnsafeSendable(body)
            DispatchQueue.concurrentPerform(iterations: min(jobs, count)) { _ in
                while let i = queue.next() {
                    results.set(i, Result { try box.value(i) })
                }
            }
        }
        return try results.values().map { try $0.get() }
    }
}

/// A non-escaping closure carried into `concurrentPerform`, which returns before it ends.
private struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
