import Foundation

/// Peak resident memory of `optbench run --problem mlp` on MNIST-sized IDX files (n 28×28 ubyte
/// images and labels, written here), one epoch of SGD at batch 128, against the float32 size of
/// the training images: the child's maximum RSS from `getrusage(RUSAGE_CHILDREN)`.
func peakMemoryReport(images x: [Float], labels y: [Int32], samples n: Int, directory: URL, optbench: String) {
    func idx(_ type: UInt8, _ dims: [Int], _ payload: [UInt8]) -> Data {
        var d = Data([0, 0, type, UInt8(dims.count)])
        for v in dims { withUnsafeBytes(of: UInt32(v).bigEndian) { d.append(contentsOf: $0) } }
        d.append(contentsOf: payload)
        return d
    }
    let images = directory.appendingPathComponent("train-images-idx3-ubyte")
    let labels = directory.appendingPathComponent("train-labels-idx1-ubyte")
    do {
        try idx(0x08, [n, 28, 28], x.prefix(n * 784).map { UInt8(min(255, max(0, $0 * 255))) }).write(to: images)
        try idx(0x08, [n], y.prefix(n).map { UInt8($0) }).write(to: labels)
    } catch {
        print("  peak memory: cannot write the IDX files (\(error.localizedDescription))")
        return
    }
    guard FileManager.default.isExecutableFile(atPath: optbench) else {
        print("  peak memory: \(optbench) is not built (make build)")
        return
    }
    // wait4 gives this child's own peak; RUSAGE_CHILDREN would be the largest of every child
    // reaped so far, the torch worker's included.
    let arguments = [optbench, "run", "--problem", "mlp", "--set", "train-images=\(images.path)", "--set", "train-labels=\(labels.path)",
                     "--optimizer", "sgd", "--hp", "lr=0.05", "--hp", "batch_size=128", "--epochs", "1"]
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
    defer { for a in argv { free(a) } }
    var pid: pid_t = 0
    guard posix_spawn(&pid, optbench, &actions, nil, &argv, environ) == 0 else { print("  peak memory: cannot start optbench"); return }
    var status: Int32 = 0
    var usage = rusage()
    guard wait4(pid, &status, 0, &usage) == pid, status == 0 else { print("  peak memory: optbench run failed (status \(status))"); return }
    let peak = Double(usage.ru_maxrss) * 1024
    let dataset = Double(n * 784 * 4)
    print(String(format: "Peak memory of optbench run --problem mlp on %d 28×28 IDX images: %.0f MB = %.2f × the float32 images (%.0f MB); goal ≤ 2.5 ×",
                 n, peak / 1e6, peak / dataset, dataset / 1e6))
}
