// idx-fuzz: random IDX inputs through the reader and the image+label loader, in memory.
//
//     swift build -c release --product idx-fuzz && .build/release/idx-fuzz [inputs] [seed]
//
// Each input (IDXFuzzer: valid files, truncations, bit flips, huge dimensions, random type
// codes, garbage, gzip-wrapped and gzip-corrupted files, image+label pairs) comes with the
// outcome an independent reference decoder predicts; the program counts decoded and refused
// inputs per kind and exits 1 on any other outcome (3 if one input hangs for 10 s).
import OptBenchCore
import OptBenchDatasets
import Dispatch
import Foundation
import Synchronization
import TestSupport

let arguments = CommandLine.arguments
let total = arguments.count > 1 ? Int(arguments[1]) ?? 100_000 : 100_000
let seed = arguments.count > 2 ? UInt64(arguments[2]) ?? 1 : 1

let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
var seeds: [IDXFuzzer.CompressedSeed] = []
let seedFiles = ["digits-train-images-idx3-ubyte.gz", "digits-test-images-idx3-ubyte.gz",
                 "digits-train-labels-idx1-ubyte.gz", "digits-test-labels-idx1-ubyte.gz"].map { "data/digits/" + $0 }
    + ["text-6.gz", "runs-9.gz", "fixed-big-1.gz", "huffman-text-1.gz", "memlevel1-text.gz", "header-flags.gz",
       "random-6.gz", "two-members.gz", "empty-6.gz"].map { "Tests/Fixtures/gzip/" + $0 }
for name in seedFiles {
    let path = repository.appendingPathComponent(name).path
    guard let data = FileManager.default.contents(atPath: path), let content = try? Gzip.decompress(data) else {
        print("idx-fuzz: cannot read the seed file \(path)")
        exit(2)
    }
    seeds.append(IDXFuzzer.CompressedSeed(compressed: [UInt8](data), content: content))
}

// A watchdog: the main loop bumps `progress` per input; no progress for 10 s is a hang.
let progress = Atomic<Int>(0)
Thread.detachNewThread {
    var last = -1
    while true {
        Thread.sleep(forTimeInterval: 10)
        let now = progress.load(ordering: .relaxed)
        if now == last {
            print("idx-fuzz: input \(now) (seed \(seed)) has run for over 10 s: a hang")
            exit(3)
        }
        last = now
    }
}

func outcome<T>(_ body: () throws(ConfigurationError) -> T) -> IDXFuzzOutcome<T> {
    do { return .decoded(try body()) } catch { return .refused(error.message) }
}

var fuzzer = IDXFuzzer(seed: seed, compressedSeeds: seeds)
var counts: [String: (decoded: Int, refused: Int)] = [:]
var unexpected = 0
let start = DispatchTime.now()
for index in 0..<total {
    let input = fuzzer.next()
    let problem: String?
    let decoded: Bool
    if input.isPair {
        let result = outcome { () throws(ConfigurationError) in
            let d = try Dataset.idx(
                imageContents: input.contents, imageSource: "images.idx", labelContents: input.labelContents,
                labelSource: "labels.idx", classes: input.classes)
            return IDXReferenceDataset(sampleShape: d.sampleShape, features: d.features, labels: d.labels, classes: d.classCount)
        }
        if case .decoded = result { decoded = true } else { decoded = false }
        problem = input.mismatch(dataset: result, imageSource: "images.idx", labelSource: "labels.idx")
    } else {
        let asDouble = outcome { () throws(ConfigurationError) in
            let a = try IDXReader.decode(contents: input.contents, source: "input.idx", as: Double.self)
            return (a.dimensions, a.values)
        }
        let asFloat = outcome { () throws(ConfigurationError) in
            let a = try IDXReader.decode(contents: input.contents, source: "input.idx", as: Float.self)
            return (a.dimensions, a.values)
        }
        if case .decoded = asDouble { decoded = true } else { decoded = false }
        problem = input.mismatch(double: asDouble, float: asFloat, source: "input.idx")
    }
    counts[input.kind, default: (0, 0)].decoded += decoded ? 1 : 0
    counts[input.kind, default: (0, 0)].refused += decoded ? 0 : 1
    if let problem {
        unexpected += 1
        if unexpected <= 10 { print("UNEXPECTED input \(index) (\(input.kind)): \(problem)") }
    }
    progress.store(index + 1, ordering: .relaxed)
}
let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9

print("kind                          decoded  refused")
for (kind, c) in counts.sorted(by: { $0.key < $1.key }) {
    print(kind.padding(toLength: 28, withPad: " ", startingAt: 0), String(format: "%8d %8d", c.decoded, c.refused))
}
let decoded = counts.values.reduce(0) { $0 + $1.decoded }
print(String(format: "%d inputs (seed %llu) in %.1f s: %d decoded, %d refused, %d unexpected",
             total, seed, seconds, decoded, total - decoded, unexpected))
exit(unexpected == 0 ? 0 : 1)
