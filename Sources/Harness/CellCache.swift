import Foundation

/// Finished cells, one JSON line each, appended as they finish so an interrupted grid loses
/// nothing: `optbench bench --resume` runs only the cells missing from it. Outcomes go to
/// `url` (`cells.jsonl`), wall seconds to `timings.jsonl` beside it, so the outcome file is
/// the same bytes whenever the outcomes are.
final class CellCache: @unchecked Sendable {
    let url: URL
    let timingsURL: URL
    private(set) var done: [String: CellSummary] = [:]
    private var timings: [String: CellTiming] = [:]
    private let handle: FileHandle
    private let timingsHandle: FileHandle
    private let lock = NSLock()

    /// Opens the cache at `url`; `keep` loads earlier lines, otherwise the file starts empty.
    init(url: URL, keep: Bool) throws {
        self.url = url
        timingsURL = url.deletingLastPathComponent().appendingPathComponent("timings.jsonl")
        if keep, let data = FileManager.default.contents(atPath: timingsURL.path) {
            for line in data.split(separator: UInt8(ascii: "\n")) {
                if let t = try? JSONDecoder().decode(CellTiming.self, from: Data(line)) { timings[t.key] = t }
            }
        } else {
            _ = FileManager.default.createFile(atPath: timingsURL.path, contents: nil)
        }
        if keep, let data = FileManager.default.contents(atPath: url.path) {
            let decoder = JSONDecoder()
            decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            for line in data.split(separator: UInt8(ascii: "\n")) {
                // A line cut short by the interruption is simply run again.
                if var c = try? decoder.decode(CellSummary.self, from: Data(line)) {
                    if let t = timings[c.key] {
                        c.seconds = t.seconds
                        c.secondsToTarget = t.secondsToTarget
                    }
                    done[c.key] = c
                }
            }
        } else {
            _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        }
        guard let h = FileHandle(forWritingAtPath: url.path), let t = FileHandle(forWritingAtPath: timingsURL.path) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
        handle = h
        timingsHandle = t
        // A line torn by an interruption is cut off, so the next line appended starts on its own.
        for (file, path) in [(handle, url.path), (timingsHandle, timingsURL.path)] {
            let data = FileManager.default.contents(atPath: path) ?? Data()
            let end = data.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? data.startIndex
            if end != data.endIndex { try file.truncate(atOffset: UInt64(end - data.startIndex)) }
            file.seekToEndOfFile()
        }
    }

    deinit {
        try? handle.close()
        try? timingsHandle.close()
    }

    static func line(_ value: some Encodable) -> Data? {
        let encoder = reportEncoder()
        encoder.outputFormatting = .sortedKeys
        guard var data = try? encoder.encode(value) else { return nil }
        data.append(UInt8(ascii: "\n"))
        return data
    }

    func append(_ c: CellSummary) {
        guard let data = Self.line(c), let timing = Self.line(c.timing) else { return }
        // Timing first: a kill between the two writes then leaves a timing whose cell runs again
        // on resume, never a cached cell whose seconds are lost.
        lock.lock()
        timingsHandle.write(timing)
        handle.write(data)
        lock.unlock()
    }

    /// Rewrites both files with exactly `cells`, in that order (write, then rename): cells
    /// finish in whatever order the workers take, and the outcome file must not depend on it.
    func finalize(_ cells: [CellSummary]) throws {
        var outcomes = Data(), times = Data()
        for c in cells {
            if let d = Self.line(c) { outcomes.append(d) }
            if let t = Self.line(c.timing) { times.append(t) }
        }
        lock.lock()
        defer { lock.unlock() }
        try outcomes.write(to: url, options: .atomic)
        try times.write(to: timingsURL, options: .atomic)
    }
}
