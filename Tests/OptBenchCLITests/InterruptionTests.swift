import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `optbench bench` killed mid-run (SIGKILL, as `kill -9`; SIGINT, as Ctrl-C) and resumed: no
/// half-written file, every cell finished before the kill reused, and the tables those of an
/// uninterrupted run. The child is the `optbench` binary `swift test` builds beside this test
/// bundle (or `OPTBENCH_BINARY`); without it the test fails.
@Suite(.serialized) struct InterruptionTests {
    /// The built `optbench`: `OPTBENCH_BINARY`, else beside the running test executable.
    static func binary() -> URL? {
        if let path = ProcessInfo.processInfo.environment["OPTBENCH_BINARY"] { return URL(fileURLWithPath: path) }
        var dir = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = dir.appendingPathComponent("optbench")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }

    func folder(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("optbench-kill-\(name)-\(UUID().uuidString)")
    }

    /// Starts `optbench bench --suite smoke --jobs 1 --out dir` (plus `extra`), its stderr to `log`.
    func start(_ binary: URL, out: URL, log: URL, _ extra: [String] = []) throws -> Process {
        let p = Process()
        p.executableURL = binary
        p.arguments = ["bench", "--suite", "smoke", "--jobs", "1", "--out", out.path] + extra
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        p.standardError = try FileHandle(forWritingTo: log)
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        return p
    }

    func finish(_ binary: URL, out: URL, log: URL, _ extra: [String] = []) throws -> String {
        let p = try start(binary, out: out, log: log, extra)
        p.waitUntilExit()
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(p.terminationReason == .exit && p.terminationStatus == 0, "\(text)")
        return text
    }

    /// What the test reads of a `cells.jsonl` or `timings.jsonl` line.
    struct Line: Decodable {
        var key: String
        var seconds: Double?
    }

    /// The complete lines of a JSON-lines file that parse; a torn last line is not among them.
    static func completeLines(_ url: URL) -> [Line] {
        guard let data = FileManager.default.contents(atPath: url.path) else { return [] }
        return data.split(separator: UInt8(ascii: "\n")).compactMap { try? JSONDecoder().decode(Line.self, from: Data($0)) }
    }

    static let resultFiles = ["table.md", "table.csv", "table.json", "cells.jsonl", "rankings.md"]

    /// Every results file of `dir` is byte for byte the reference's; `traces/`, when present,
    /// holds exactly the reference's files.
    func expectSameResults(_ dir: URL, as reference: URL, allowMissing: Bool = false) throws {
        let fm = FileManager.default
        for name in Self.resultFiles {
            let path = dir.appendingPathComponent(name).path
            if allowMissing && !fm.fileExists(atPath: path) { continue }
            #expect(fm.contents(atPath: path) == fm.contents(atPath: reference.appendingPathComponent(name).path), "\(name) differs")
        }
        let traces = dir.appendingPathComponent("traces")
        if allowMissing && !fm.fileExists(atPath: traces.path) { return }
        let names = try fm.contentsOfDirectory(atPath: traces.path).sorted()
        #expect(names == (try fm.contentsOfDirectory(atPath: reference.appendingPathComponent("traces").path).sorted()))
        for n in names {
            #expect(fm.contents(atPath: traces.appendingPathComponent(n).path)
                    == fm.contents(atPath: reference.appendingPathComponent("traces/\(n)").path), "traces/\(n) differs")
        }
    }

    @Test func killedDuringTheSweepResumesWithoutRerunningFinishedCells() throws {
        let binary = try #require(Self.binary(), "no built optbench beside the test bundle; build it (make test does) or set OPTBENCH_BINARY")
        let reference = folder("ref"), dir = folder("run")
        let logs = folder("logs")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        defer { for d in [reference, dir, logs] { try? FileManager.default.removeItem(at: d) } }
        _ = try finish(binary, out: reference, log: logs.appendingPathComponent("ref.log"))
        let total = Self.completeLines(reference.appendingPathComponent("cells.jsonl")).count

        // Kill -9 once a hundred cells are in the cache.
        let child = try start(binary, out: dir, log: logs.appendingPathComponent("killed.log"))
        let cache = dir.appendingPathComponent("cells.jsonl")
        let deadline = Date().addingTimeInterval(120)
        while child.isRunning, Date() < deadline {
            if let data = FileManager.default.contents(atPath: cache.path), data.split(separator: UInt8(ascii: "\n")).count >= 100 { break }
            usleep(1000)
        }
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        #expect(child.terminationReason == .uncaughtSignal, "the child finished before it could be killed")

        let cached = Self.completeLines(cache)
        #expect(cached.count >= 100 && cached.count < total, "\(cached.count) of \(total) cells cached at the kill")
        // Nothing but the two append-only logs exists yet: no table, report or trace half-written.
        let present = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { !$0.hasPrefix(".") }.sorted()
        #expect(present == ["cells.jsonl", "timings.jsonl"], "\(present)")
        var before: [String: Double] = [:]
        for t in Self.completeLines(dir.appendingPathComponent("timings.jsonl")) { before[t.key] = t.seconds }

        let log = try finish(binary, out: dir, log: logs.appendingPathComponent("resumed.log"), ["--resume"])
        #expect(log.contains("(\(cached.count) from the cache)"), "\(log)")
        // A cell run again would have been timed again: every cached cell kept its seconds.
        var after: [String: Double] = [:]
        for t in Self.completeLines(dir.appendingPathComponent("timings.jsonl")) { after[t.key] = t.seconds }
        for c in cached {
            #expect(after[c.key] != nil && after[c.key] == before[c.key], "cell \(c.key) was run again")
        }
        try expectSameResults(dir, as: reference)
    }

    /// Ctrl-C mid-sweep: the run ends with the shell's status for SIGINT (130), says where the
    /// finished cells are and prints the command that resumes, which then takes them from the cache.
    @Test func ctrlCSaysHowToResume() throws {
        let binary = try #require(Self.binary(), "no built optbench beside the test bundle; build it (make test does) or set OPTBENCH_BINARY")
        let dir = folder("int"), logs = folder("int-logs")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        defer { for d in [dir, logs] { try? FileManager.default.removeItem(at: d) } }
        let log = logs.appendingPathComponent("interrupted.log")
        let child = try start(binary, out: dir, log: log)
        let cache = dir.appendingPathComponent("cells.jsonl")
        let deadline = Date().addingTimeInterval(120)
        while child.isRunning, Date() < deadline {
            if let data = FileManager.default.contents(atPath: cache.path), data.split(separator: UInt8(ascii: "\n")).count >= 50 { break }
            usleep(1000)
        }
        kill(child.processIdentifier, SIGINT)
        child.waitUntilExit()
        #expect(child.terminationReason == .exit && child.terminationStatus == 130, "\(child.terminationReason) \(child.terminationStatus)")
        let text = try String(contentsOf: log, encoding: .utf8)
        #expect(text.contains("interrupted; the finished cells are kept in \(dir.path)/cells.jsonl"), "\(text)")
        #expect(text.contains("  optbench bench --suite smoke --out \(dir.path) --jobs 1 --resume\n"), "\(text)")
        let cached = Self.completeLines(cache).count
        let resumed = try finish(binary, out: dir, log: logs.appendingPathComponent("resumed.log"), ["--resume"])
        #expect(cached >= 50 && resumed.contains("(\(cached) from the cache)"), "\(cached) cached; \(resumed)")
    }

    /// Interrupted (SIGINT, as Ctrl-C) while tracing and writing, at several moments: whatever
    /// is on disk is the reference's bytes (or not there yet), and a resume completes it.
    @Test func interruptedWhileWritingLeavesNoHalfWrittenFile() throws {
        let binary = try #require(Self.binary(), "no built optbench beside the test bundle; build it (make test does) or set OPTBENCH_BINARY")
        let reference = folder("ref"), logs = folder("logs")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        defer { for d in [reference, logs] { try? FileManager.default.removeItem(at: d) } }
        _ = try finish(binary, out: reference, log: logs.appendingPathComponent("ref.log"))
        for (k, delay) in [0, 30_000, 120_000].enumerated() {
            let dir = folder("w\(k)")
            defer { try? FileManager.default.removeItem(at: dir) }
            // Start from the finished cells only, so the run goes straight to tracing and writing.
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            for name in ["cells.jsonl", "timings.jsonl"] {
                try FileManager.default.copyItem(at: reference.appendingPathComponent(name), to: dir.appendingPathComponent(name))
            }
            let log = logs.appendingPathComponent("w\(k).log")
            let child = try start(binary, out: dir, log: log, ["--resume"])
            let deadline = Date().addingTimeInterval(120)
            while child.isRunning, Date() < deadline, !((try? String(contentsOf: log, encoding: .utf8)) ?? "").contains("tracing") { usleep(500) }
            usleep(useconds_t(delay))
            kill(child.processIdentifier, SIGINT)
            child.waitUntilExit()
            try expectSameResults(dir, as: reference, allowMissing: true)
            _ = try finish(binary, out: dir, log: logs.appendingPathComponent("w\(k)-resumed.log"), ["--resume"])
            try expectSameResults(dir, as: reference)
        }
    }
}
