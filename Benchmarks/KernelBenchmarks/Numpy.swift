// The numpy anchor: one long-lived python3 process, driven line by line over pipes, so numpy
// is measured in the same minutes as Swift and interleaved with it.

import Foundation

/// Python side of the bridge. Commands on stdin, one answer line each:
///   info                                  → JSON with versions, BLAS, core and threads
///   run KERNEL DTYPE DIMS INNER WARM REPS → REPS seconds-per-call figures, after WARM untimed calls
/// Arrays for the current case stay allocated until a different case is requested.
let numpyScript = #"""
import sys, os, json, time, glob, ctypes, gc
import numpy as np

def blas_info():
    info = {"numpy": np.__version__, "blas": "unknown", "core": "unknown", "threads": "unknown"}
    try:
        from threadpoolctl import threadpool_info
        for p in threadpool_info():
            if p.get("user_api") == "blas":
                info.update(blas=f'{p.get("internal_api")} {p.get("version")}',
                            core=str(p.get("architecture")), threads=str(p.get("num_threads")))
                return info
    except Exception:
        pass
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        info["blas"] = f'{blas.get("name")} {blas.get("version")}'
    except Exception:
        try:
            info["blas"] = str(np.__config__.get_info("blas_opt_info"))
        except Exception:
            pass
    here = os.path.dirname(np.__file__)
    for path in glob.glob(os.path.join(here, "..", "numpy.libs", "*openblas*")) + glob.glob(os.path.join(here, ".libs", "*openblas*")):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix in ("scipy_openblas_", "openblas_"):
            for suffix in ("64_", ""):
                try:
                    core = getattr(lib, prefix + "get_corename" + suffix)
                    threads = getattr(lib, prefix + "get_num_threads" + suffix)
                except AttributeError:
                    continue
                core.restype = ctypes.c_char_p
                info.update(core=core().decode(), threads=str(threads()))
                return info
    return info

def make(kernel, dt, dims):
    rng = np.random.default_rng(0)
    r = lambda *shape: rng.standard_normal(shape, dtype=dt)
    if kernel == "gemm":
        m, n, k = dims
        a, b, c = r(m, k), r(k, n), np.empty((m, n), dt)
        return lambda: np.matmul(a, b, out=c)
    if kernel == "gemv":
        m, n = dims
        a, x, y = r(m, n), r(n), np.empty(m, dt)
        return lambda: np.matmul(a, x, out=y)
    if kernel == "gemvT":
        m, n = dims
        a, x, y = r(m, n), r(m), np.empty(n, dt)
        return lambda: np.matmul(x, a, out=y)
    n = dims[0]
    if kernel == "read":
        x = r(n)
        return lambda: np.add.reduce(x)
    if kernel == "amax":
        x = r(n)
        return lambda: np.linalg.norm(x, np.inf)
    if kernel == "nrm2":
        x = r(n)
        return lambda: np.linalg.norm(x)
    if kernel == "dot":
        x, y = r(n), r(n)
        return lambda: np.dot(x, y)
    if kernel == "axpy":
        x, y, alpha = r(n), r(n), dt(0.5)
        def axpy():
            y.__iadd__(alpha * x)
        return axpy
    if kernel == "adam":
        w, g, m, v = r(n), r(n), r(n), np.abs(r(n))
        b1, b2, step, root, eps = dt(0.9), dt(0.999), dt(1e-3), dt(1.0), dt(1e-8)
        def adam():
            m.__imul__(b1); m.__iadd__((1 - b1) * g)
            v.__imul__(b2); v.__iadd__((1 - b2) * (g * g))
            w.__isub__(step * m / (np.sqrt(v) * root + eps))
        return adam
    if kernel == "copy":
        src, dst = r(n), np.empty(n, dt)
        return lambda: np.copyto(dst, src)
    raise ValueError(kernel)

current = (None, None)
for line in sys.stdin:
    words = line.split()
    if not words:
        continue
    if words[0] == "info":
        print(json.dumps(blas_info()), flush=True)
    elif words[0] == "run":
        kernel, dtype, dims, inner, warm, reps = words[1], words[2], words[3], int(words[4]), int(words[5]), int(words[6])
        key = (kernel, dtype, dims)
        if current[0] != key:
            current = (None, None); gc.collect()
            try:
                fn = make(kernel, np.float32 if dtype == "f32" else np.float64, [int(d) for d in dims.split("x")])
                fn()
            except Exception:
                print("", flush=True)  # no numpy figure for this case
                continue
            current = (key, fn)
        fn = current[1]
        for _ in range(warm):
            fn()
        times = []
        for _ in range(reps):
            t0 = time.perf_counter()
            for _ in range(inner):
                fn()
            times.append((time.perf_counter() - t0) / inner)
        print(" ".join(repr(t) for t in times), flush=True)
    elif words[0] == "quit":
        break
"""#

/// A running python3 with numpy, or nil when python3 or numpy is missing.
final class NumpyBridge {
    let process = Process()
    let input = Pipe(), output = Pipe()
    var buffer = Data()
    var info: [String: String] = [:]

    init?(threads: Int) {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-u", "-c", numpyScript]
        var environment = ProcessInfo.processInfo.environment
        // Set on this machine for other tools; either one makes OpenBLAS pick a slower kernel.
        environment["OPENBLAS_CORETYPE"] = nil
        environment["OPENBLAS_L2_SIZE"] = nil
        environment["OPENBLAS_NUM_THREADS"] = String(threads)
        environment["OMP_NUM_THREADS"] = String(threads)
        process.environment = environment
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        // A python that dies mid-run must end its figures, not this process.
        signal(SIGPIPE, SIG_IGN)
        do { try process.run() } catch { return nil }
        guard let line = request("info"),
              let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String]
        else {
            process.terminate()
            return nil
        }
        info = object
    }

    /// Sends one command and returns the answer line (nil if python died).
    func request(_ command: String) -> String? {
        do { try input.fileHandleForWriting.write(contentsOf: Data((command + "\n").utf8)) } catch { return nil }
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

    /// Seconds per call for `reps` timed repetitions of `inner` calls each, after `warm`
    /// untimed calls.
    func run(_ command: String, inner: Int, warm: Int, reps: Int) -> [Double] {
        guard let line = request("run \(command) \(inner) \(warm) \(reps)") else { return [] }
        return line.split(separator: " ").compactMap { Double($0) }
    }

    func close() {
        _ = try? input.fileHandleForWriting.write(contentsOf: Data("quit\n".utf8))
        process.waitUntilExit()
    }
}
