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
    let p = Process()
    p.executableURL = URL(fileURLWithPath: optbench)
    p.arguments = ["run", "--problem", "mlp", "--set", "train-images=\(images.path)", "--set", "train-labels=\(labels.path)",
                   "--optimizer", "sgd", "--hp", "lr=0.05", "--hp", "batch_size=128", "--epochs", "1"]
    p.standardOutput = FileHandle.nullDevice
    do { try p.run() } catch { print("  peak memory: cannot start optbench"); return }
    p.waitUntilExit()
    var usage = rusage()
    getrusage(RUSAGE_CHILDREN.rawValue, &usage)
    let peak = Double(usage.ru_maxrss) * 1024
    let dataset = Double(n * 784 * 4)
    print(String(format: "Peak memory of optbench run --problem mlp on %d 28×28 IDX images: %.0f MB = %.2f × the float32 images (%.0f MB); goal ≤ 2.5 ×",
                 n, peak / 1e6, peak / dataset, dataset / 1e6))
}
