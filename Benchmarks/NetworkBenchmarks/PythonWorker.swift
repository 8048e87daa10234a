// The torch side of every `network-bench` comparison: one long-lived python3 answering a line
// per request line, so ours and torch's rounds can alternate on the same data.
import Foundation

/// python3 running a script (a file, or `-c` source) on `threads` OpenMP threads that prints
/// `ready` once it has imported torch and loaded its data, then answers each request line with
/// one line. Nil when python3 or torch is missing.
final class PythonWorker {
    private let process = Process()
    private let input = Pipe(), output = Pipe()
    private var buffer = Data()

    init?(_ arguments: [String], threads: Int) {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-u"] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["OMP_NUM_THREADS"] = String(threads)
        process.environment = environment
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        signal(SIGPIPE, SIG_IGN)
        do { try process.run() } catch { return nil }
        guard readLine() == "ready" else {
            process.terminate()
            return nil
        }
    }

    private func readLine() -> String? {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
                buffer.removeSubrange(buffer.startIndex...newline)
                return line
            }
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { return nil }
            buffer.append(chunk)
        }
    }

    /// The answer to one request line, or nil if python died.
    func request(_ line: String) -> String? {
        do { try input.fileHandleForWriting.write(contentsOf: Data((line + "\n").utf8)) } catch { return nil }
        return readLine()
    }

    /// Asks the script to quit and waits for it.
    func close() {
        _ = try? input.fileHandleForWriting.write(contentsOf: Data("quit\n".utf8))
        process.waitUntilExit()
    }
}
