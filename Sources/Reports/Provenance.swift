import OptBenchHarness
import Foundation

/// Where a suite's tables came from: the git commit, the toolchain, the CPU, the thread count
/// and the date, written as `provenance.json` beside them. It changes with every run (the
/// date), so it is kept apart from the results, like the timing files.
public struct Provenance: Codable, Sendable {
    public var commit: String
    public var toolchain: String
    public var cpu: String
    public var threads: Int
    public var date: String

    /// The provenance of a run made now, in the current directory's checkout.
    public static func current(threads: Int) -> Provenance {
        Provenance(commit: command("git", ["rev-parse", "HEAD"]) ?? "unknown",
                   toolchain: command("swift", ["--version"])?.split(separator: "\n").first.map(String.init) ?? compilerVersion,
                   cpu: cpuModel() ?? "unknown", threads: threads,
                   date: ISO8601DateFormatter().string(from: Date()))
    }

    public func write(to directory: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try encoder.encode(self).write(to: directory.appendingPathComponent("provenance.json"), options: .atomic)
    }

    /// The compiler this binary was built with, when `swift` is not on the PATH.
    static var compilerVersion: String {
        #if compiler(>=6.3)
        "Swift compiler ≥ 6.3"
        #else
        "Swift compiler < 6.3"
        #endif
    }

    static func cpuModel() -> String? {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            return line.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) }
        }
        return nil
    }

    /// The trimmed standard output of a command, or nil if it cannot run or fails.
    static func command(_ name: String, _ arguments: [String]) -> String? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [name] + arguments
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
