import Foundation

/// IDX files written by hand for reader and loader tests, and the repository's digits data.
public enum IDXFixture {
    /// The repository's `data/digits`: UCI handwritten digits in IDX format, plain and gzipped
    /// (written by data/digits/make_digits.py).
    public static let digitsDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("data/digits")

    /// Tests/Fixtures: the gzip fixtures and the reference iterates.
    public static let fixturesDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// The path of a committed fixture, e.g. `gzip/empty.gz`.
    public static func fixture(_ name: String) -> String { fixturesDirectory.appendingPathComponent(name).path }

    /// The path of a digits file, e.g. `digits-train-images-idx3-ubyte.gz`.
    public static func digits(_ name: String) -> String { digitsDirectory.appendingPathComponent(name).path }

    /// IDX bytes: magic 0 0 type ndims, big-endian UInt32 sizes, then `payload`.
    public static func bytes(type: UInt8, dims: [Int], payload: [UInt8]) -> [UInt8] {
        var b: [UInt8] = [0, 0, type, UInt8(dims.count)]
        for n in dims { b += [UInt8(n >> 24 & 255), UInt8(n >> 16 & 255), UInt8(n >> 8 & 255), UInt8(n & 255)] }
        return b + payload
    }

    /// Big-endian float64 IDX bytes (type 0x0E) for `values` with the given dimensions.
    public static func doubles(_ values: [Double], dims: [Int]) -> [UInt8] {
        var payload: [UInt8] = []
        payload.reserveCapacity(8 * values.count)
        for v in values {
            let u = v.bitPattern
            for k in (0..<8).reversed() { payload.append(UInt8(u >> (8 * UInt64(k)) & 255)) }
        }
        return bytes(type: 0x0E, dims: dims, payload: payload)
    }

    /// A fresh temporary directory for one test.
    public static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("optbench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes `bytes` to `name` in `dir` and returns its path.
    public static func write(_ bytes: [UInt8], _ name: String, in dir: URL) throws -> String {
        let url = dir.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    /// Writes X (n×d) and y as float64 IDX files in a fresh directory: (X path, y path).
    public static func leastSquaresFiles(_ x: [Double], rows n: Int, columns d: Int, targets y: [Double]) throws -> (String, String) {
        let dir = try temporaryDirectory()
        return (try write(doubles(x, dims: [n, d]), "x.idx", in: dir), try write(doubles(y, dims: [y.count]), "y.idx", in: dir))
    }
}
