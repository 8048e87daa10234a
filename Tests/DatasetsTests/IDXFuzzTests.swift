import OptBenchCore
import Foundation
import Testing
import TestSupport

@testable import OptBenchDatasets

/// The fuzz loop of `make fuzz` (Benchmarks/IDXFuzz), 5000 inputs: every outcome as the
/// reference decoder predicts.
@Suite struct IDXFuzzTests {
    @Test func fiveThousandInputsBehaveAsTheReferencePredicts() throws {
        var seeds: [IDXFuzzer.CompressedSeed] = []
        let paths = [IDXFixture.digits("digits-test-images-idx3-ubyte.gz"), IDXFixture.digits("digits-train-labels-idx1-ubyte.gz"),
                     IDXFixture.fixture("gzip/huffman-text-1.gz"), IDXFixture.fixture("gzip/fixed-big-1.gz")]
        for path in paths {
            let data = try #require(FileManager.default.contents(atPath: path), "missing \(path)")
            seeds.append(IDXFuzzer.CompressedSeed(compressed: [UInt8](data), content: try Gzip.decompress(data)))
        }
        func outcome<T>(_ body: () throws(ConfigurationError) -> T) -> IDXFuzzOutcome<T> {
            do { return .decoded(try body()) } catch { return .refused(error.message) }
        }
        var fuzzer = IDXFuzzer(seed: 2024, compressedSeeds: seeds)
        var decoded = 0, refused = 0, pairsLoaded = 0, problems: [String] = []
        for index in 0..<5000 {
            let input = fuzzer.next()
            let problem: String?
            let ok: Bool
            if input.isPair {
                let result = outcome { () throws(ConfigurationError) in
                    let d = try Dataset.idx(imageContents: input.contents, imageSource: "i", labelContents: input.labelContents, labelSource: "l", classes: input.classes)
                    return IDXReferenceDataset(sampleShape: d.sampleShape, features: d.features, labels: d.labels, classes: d.classCount)
                }
                if case .decoded = result { ok = true; pairsLoaded += 1 } else { ok = false }
                problem = input.mismatch(dataset: result, imageSource: "i", labelSource: "l")
            } else {
                let asDouble = outcome { () throws(ConfigurationError) in
                    let a = try IDXReader.decode(contents: input.contents, source: "x", as: Double.self)
                    return (a.dimensions, a.values)
                }
                let asFloat = outcome { () throws(ConfigurationError) in
                    let a = try IDXReader.decode(contents: input.contents, source: "x", as: Float.self)
                    return (a.dimensions, a.values)
                }
                if case .decoded = asDouble { ok = true } else { ok = false }
                problem = input.mismatch(double: asDouble, float: asFloat, source: "x")
            }
            if ok { decoded += 1 } else { refused += 1 }
            if let problem { problems.append("input \(index) (\(input.kind)): \(problem)") }
        }
        #expect(problems.isEmpty, "\(problems.prefix(5))")
        // Both outcomes are common, so a reader that accepted or refused everything would fail.
        #expect(decoded > 500 && refused > 2000 && pairsLoaded > 200, "\(decoded) decoded, \(refused) refused, \(pairsLoaded) pairs")
    }
}
