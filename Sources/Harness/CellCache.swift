import Foundation

/// Finished cells, one JSON line each, appended as they finish so an interrupted grid loses
/// nothing: `optbench bench --resume` runs only the cells missing from it.
final class CellCache: @unchecked Sendable {
    let url: URL
    private(set) var done: [String: CellSummary] = [:]
    private let handle: FileHandle
    private let lock = NSLock()

    /// Opens the cache at `url`; `keep` loads earlier lines, otherwise the file starts empty.
    init(url: URL, keep: Bool) throws {
        self.url = url
        if keep, let data = FileManager.default.contents(atPath: url.path) {
            let decoder = JSONDecoder()
            decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            for line in data.split(separator: UInt8(ascii: "\n")) {
                // A line cut short by the interruption is simply run again.
                if let c = try? decoder.decode(CellSummary.self, from: Data(line)) { done[c.key] = c }
            }
        } else {
            _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        }
        guard let h = FileHandle(forWritingAtPath: url.path) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
        handle = h
        handle.seekToEndOfFile()
    }

    deinit { try? handle.close() }

    func append(_ c: CellSummary) {
        let encoder = reportEncoder()
        encoder.outputFormatting = .sortedKeys
        guard var data = try? encoder.encode(c) else { return }
        data.append(UInt8(ascii: "\n"))
        lock.lock()
        handle.write(data)
        lock.unlock()
    }
}
