import Foundation
import OptBenchCore

/// Finished cells, one JSON line each, appended as they finish so an interrupted grid loses
/// nothing: `optbench bench --resume` runs only the cells missing from it. Outcomes go to
/// `url` (`cells.jsonl`), wall seconds to `timings.jsonl` beside it, so the outcome file is
/// the same bytes whenever the outcomes are.
///
/// Read back (`--resume`), every line is checked (`RecordFile`): a last line that is not JSON —
/// a write cut short — is dropped and its cell runs again; any other defect refuses the run
/// with the file, line and field, before anything is written, so the files stay as they are
/// for the user to mend the line (or to start over without `--resume`).
public final class CellCache: @unchecked Sendable {
    let url: URL
    let timingsURL: URL
    private(set) var done: [String: CellSummary] = [:]
    private let handle: FileHandle
    private let timingsHandle: FileHandle
    private let lock = NSLock()

    /// Opens the cache at `url`; `keep` loads earlier lines, otherwise the file starts empty.
    init(url: URL, keep: Bool) throws {
        self.url = url
        timingsURL = url.deletingLastPathComponent().appendingPathComponent("timings.jsonl")
        let fm = FileManager.default
        var lengths: [Int] = [0, 0]
        if keep {
            let read = try Self.read(cells: fm.contents(atPath: url.path) ?? Data(), cellsFile: url.path,
                                     timings: fm.contents(atPath: timingsURL.path) ?? Data(), timingsFile: timingsURL.path)
            done = read.done
            lengths = [read.cellsLength, read.timingsLength]
        }
        for path in [url.path, timingsURL.path] where !keep || !fm.fileExists(atPath: path) {
            guard fm.createFile(atPath: path, contents: nil) else {
                throw ConfigurationError("file \(path): cannot be created; expected a writable results folder")
            }
        }
        guard let h = FileHandle(forWritingAtPath: url.path), let t = FileHandle(forWritingAtPath: timingsURL.path) else {
            throw ConfigurationError("file \(url.path): cannot be opened for writing; expected a writable results folder")
        }
        handle = h
        timingsHandle = t
        // A line torn by an interruption is cut off, so the next line appended starts on its own.
        for (file, length) in zip([handle, timingsHandle], lengths) {
            try file.truncate(atOffset: UInt64(length))
            file.seekToEndOfFile()
        }
    }

    /// The finished cells of a `cells.jsonl` and `timings.jsonl` (their contents; the names for
    /// errors), each with its seconds, and how much of each file to keep: all of it but a last
    /// line cut short.
    public static func read(cells: Data, cellsFile: String, timings: Data, timingsFile: String)
        throws(ConfigurationError) -> (done: [String: CellSummary], cellsLength: Int, timingsLength: Int) {
        let t = try RecordFile.lines(CellTiming.self, from: timings, file: timingsFile, tornEnd: true)
        let c = try RecordFile.lines(CachedCell.self, from: cells, file: cellsFile, tornEnd: true)
        var seconds: [String: CellTiming] = [:]
        for timing in t.records { seconds[timing.key] = timing }
        var done: [String: CellSummary] = [:]
        for var cell in c.records.map(\.cell) {
            if let timing = seconds[cell.key] {
                cell.seconds = timing.seconds
                cell.secondsToTarget = timing.secondsToTarget
            }
            done[cell.key] = cell
        }
        return (done, c.validLength, t.validLength)
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
