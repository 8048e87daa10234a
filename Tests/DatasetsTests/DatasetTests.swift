import OptBenchCore
import Foundation
import OptBenchKernels
import Testing
import TestSupport

@testable import OptBenchDatasets

/// A classification set whose feature j of sample i is 1000·i + j, so every row names its sample.
func indexedDataset(_ n: Int, shape: [Int] = [2, 3], classes: Int = 4) throws -> Dataset {
    let f = shape.reduce(1, *)
    let features = (0..<n * f).map { Float(1000 * ($0 / f) + $0 % f) }
    return try Dataset(
        name: "indexed", task: .classification(classes: classes), sampleShape: shape, features: features,
        labels: (0..<n).map { Int32($0 % classes) }, targets: [])
}

/// The sample a row of an `indexedDataset` came from.
func sampleIndex(_ d: Dataset, row: Int) -> Int { Int(d.features[row * d.featureCount]) / 1000 }

@Suite struct DatasetTests {
    @Test func initialiserRefusesInconsistentSizes() {
        func message(_ task: Dataset.Task, shape: [Int] = [2], features: [Float] = [1, 2, 3, 4], labels: [Int32] = [], targets: [Float] = []) -> String? {
            configurationMessage { _ = try Dataset(name: "d", task: task, sampleShape: shape, features: features, labels: labels, targets: targets) }
        }
        #expect(message(.classification(classes: 2), labels: [0, 1]) == nil)
        #expect(message(.classification(classes: 2), shape: [3], labels: [0]) == "dataset d: 4 features are not a whole number of samples of 3 (3 features each)")
        #expect(message(.classification(classes: 2), labels: [0]) == "dataset d: 1 labels for 2 samples; expected one label per sample")
        #expect(message(.classification(classes: 2), labels: [0, 2]) == "dataset d: label 1 is 2; expected a class in 0..<2")
        #expect(message(.classification(classes: 2), labels: [-1, 0]) == "dataset d: label 0 is -1; expected a class in 0..<2")
        #expect(message(.classification(classes: 0), labels: [0, 0]) == "dataset d: classes = 0; expected 1...65536")
        #expect(message(.classification(classes: 2), shape: [0], labels: []) == "dataset d: sample shape [0]; expected at least one dimension, every size positive")
        #expect(message(.regression(outputs: 3), targets: [1, 2, 3, 4, 5, 6]) == nil)
        #expect(message(.regression(outputs: 3), targets: [1, 2, 3]) == "dataset d: 3 targets for 2 samples of 3 outputs; expected 2 × 3")
        #expect(message(.regression(outputs: 1), targets: [1, .infinity]) == "dataset d: target 1 (sample 1, output 0) is inf; expected finite values")
        #expect(message(.classification(classes: 2), features: [1, 2, 3, .nan], labels: [0, 1]) == "dataset d: feature 1 of sample 1 is nan; expected finite values")
        #expect(message(.regression(outputs: 1), labels: [0, 1], targets: [1, 2]) == "dataset d: a regression set has 2 class labels; expected none")
    }

    @Test func firstNonFiniteFindsTheFirstAcrossBlocks() {
        var values = [Float](repeating: 1, count: 10_000)
        #expect(Dataset.firstNonFinite(values) == nil)
        values[9000] = -.infinity
        values[9999] = .nan
        #expect(Dataset.firstNonFinite(values) == 9000)
        values[4096] = .nan
        #expect(Dataset.firstNonFinite(values) == 4096)
        values = [.greatestFiniteMagnitude, -.greatestFiniteMagnitude, .leastNonzeroMagnitude]
        #expect(Dataset.firstNonFinite(values) == nil)
    }

    @Test func scaledMultipliesEveryFeature() throws {
        let d = try indexedDataset(5)
        let s = d.scaled(by: 1 / 255)
        #expect(s.features == d.features.map { $0 * (1 / 255) })
        #expect(s.labels == d.labels && s.sampleShape == d.sampleShape && s.count == 5)
        let u = try Dataset(name: "u", task: .classification(classes: 1), sampleShape: [3], features: [0, 127.5, 255], labels: [0], targets: [])
        #expect(u.scaled(from: 0...255).features == [0, 0.5, 1])
        #expect(IDXElementType.ubyte.integerRange == 0...255 && IDXElementType.byte.integerRange == -128...127 && IDXElementType.float.integerRange == nil)
    }

    @Test func splitIsADeterministicPartition() throws {
        let d = try indexedDataset(101)
        let (train, heldOut) = try d.split(heldOut: 0.2, seed: 7)
        #expect(heldOut.count == 20 && train.count == 81)
        let trainSamples = (0..<train.count).map { sampleIndex(train, row: $0) }
        let heldOutSamples = (0..<heldOut.count).map { sampleIndex(heldOut, row: $0) }
        #expect(Set(trainSamples).isDisjoint(with: heldOutSamples))
        #expect((trainSamples + heldOutSamples).sorted() == Array(0..<101))
        #expect(trainSamples == trainSamples.sorted() && heldOutSamples == heldOutSamples.sorted())
        #expect(train.labels == trainSamples.map { Int32($0 % 4) } && heldOut.labels == heldOutSamples.map { Int32($0 % 4) })
        #expect(train.name == "indexed[train]" && heldOut.name == "indexed[held-out]")

        let again = try d.split(heldOut: 0.2, seed: 7)
        #expect(again.train.features == train.features && again.heldOut.features == heldOut.features)
        let other = try d.split(heldOut: 0.2, seed: 8)
        #expect(other.heldOut.features != heldOut.features)
    }

    @Test func splitRefusesEmptyParts() throws {
        let d = try indexedDataset(4)
        #expect(configurationMessage { _ = try d.split(heldOut: 0, seed: 1) } == "dataset indexed: held-out fraction 0.0; expected a number in (0, 1)")
        #expect(configurationMessage { _ = try d.split(heldOut: .nan, seed: 1) } == "dataset indexed: held-out fraction nan; expected a number in (0, 1)")
        #expect(configurationMessage { _ = try d.split(heldOut: 0.1, seed: 1) }
            == "dataset indexed: held-out fraction 0.1 of 4 samples leaves 0 held out and 4 to train; expected at least one in each")
        #expect(try d.split(heldOut: 0.5, seed: 1).heldOut.count == 2)
    }

    @Test func shuffledIsASeededPermutation() throws {
        let d = try indexedDataset(50)
        let s = d.shuffled(seed: 3)
        let order = (0..<50).map { sampleIndex(s, row: $0) }
        #expect(order.sorted() == Array(0..<50) && order != Array(0..<50))
        #expect(s.labels == order.map { Int32($0 % 4) })
        #expect(d.shuffled(seed: 3).features == s.features && d.shuffled(seed: 4).features != s.features)
        // Fisher–Yates from the last position, as Xoshiro256.shuffle documents.
        var random = Xoshiro256(seed: 3)
        var expected = Array(0..<50)
        for i in stride(from: 49, to: 0, by: -1) { expected.swapAt(i, random.nextInt(below: i + 1)) }
        #expect(order == expected)
    }

    @Test func prefixAndFlattened() throws {
        let d = try indexedDataset(6)
        let p = d.prefix(4)
        #expect(p.count == 4 && p.features == Array(d.features.prefix(24)) && p.labels == [0, 1, 2, 3])
        #expect(d.prefix(100).count == 6 && d.prefix(0).count == 0 && d.prefix(0).features.isEmpty)
        let f = d.flattened()
        #expect(f.sampleShape == [6] && f.featureCount == 6 && f.features == d.features && d.sampleShape == [2, 3])
    }

    @Test func gatherMatchesANaiveCopy() throws {
        let d = try indexedDataset(30, shape: [5])
        let indices = [29, 0, 7, 7, 13]
        var batch = [Float](repeating: -1, count: indices.count * 5)
        indices.withUnsafeBufferPointer { i in batch.withUnsafeMutableBufferPointer { d.gatherFeatures(i, into: $0.baseAddress!) } }
        var naive: [Float] = []
        for i in indices { for j in 0..<5 { naive.append(d.features[i * 5 + j]) } }
        #expect(batch == naive)
        var labels = [Int32](repeating: -1, count: indices.count)
        indices.withUnsafeBufferPointer { i in labels.withUnsafeMutableBufferPointer { d.gatherLabels(i, into: $0.baseAddress!) } }
        #expect(labels == indices.map { d.labels[$0] })

        let r = try Dataset(name: "r", task: .regression(outputs: 2), sampleShape: [1], features: [10, 11, 12], labels: [], targets: [0, 1, 2, 3, 4, 5])
        var targets = [Float](repeating: -1, count: 4)
        [2, 0].withUnsafeBufferPointer { i in targets.withUnsafeMutableBufferPointer { r.gatherTargets(i, into: $0.baseAddress!) } }
        #expect(targets == [4, 5, 0, 1] && r.selecting([2, 0]).targets == [4, 5, 0, 1] && r.outputCount == 2 && r.classCount == 0)
    }
}

@Suite struct FeatureStatisticsTests {
    /// Features with a large offset, a constant one and random scales, against a naive double loop.
    @Test func statisticsMatchANaiveDoubleLoop() throws {
        let n = 257, f = 5
        var random = Xoshiro256(seed: 11)
        var features: [Float] = []
        for _ in 0..<n {
            features += [Float(1000 + random.nextGaussian() * 0.01), 3, Float(random.nextGaussian() * 50), Float(random.nextUniform()), Float(random.nextInt(below: 2))]
        }
        let d = try Dataset(name: "s", task: .regression(outputs: 1), sampleShape: [f], features: features, labels: [], targets: [Float](repeating: 0, count: n))
        let s = d.featureStatistics()
        for j in 0..<f {
            let column = (0..<n).map { Double(features[$0 * f + j]) }
            let mean = column.reduce(0, +) / Double(n)
            let std = (column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n)).squareRoot()
            #expect(abs(s.mean[j] - mean) <= 1e-12 * max(1, abs(mean)), "mean \(j)")
            #expect(abs(s.standardDeviation[j] - std) <= 1e-9 * max(1e-3, std), "std \(j)")
        }
        #expect(s.standardDeviation[1] == 0 && s.mean[1] == 3)
    }

    @Test func standardizedIsCentredAndScaled() throws {
        let (images, labels) = DatasetIDXTests.digits("train")
        let d = try Dataset.idx(images: images, labels: labels)
        let s = d.featureStatistics()
        // From numpy on the same file: feature 20 and the constant features.
        #expect(abs(s.mean[20] - 112.41333333333333) < 1e-12 && abs(s.standardDeviation[20] - 98.363312040392159) < 1e-10)
        #expect((0..<64).filter { s.standardDeviation[$0] == 0 } == [0, 32, 39, 56])
        let z = d.standardized(with: s)
        for (i, j) in [(0, 2), (17, 20), (1499, 63), (3, 0)] {
            let std = s.standardDeviation[j] == 0 ? 1 : s.standardDeviation[j]
            #expect(z.features[i * 64 + j] == Float((Double(d.features[i * 64 + j]) - s.mean[j]) / std))
        }
        let after = z.featureStatistics()
        for j in 0..<64 {
            #expect(abs(after.mean[j]) < 1e-6)
            #expect(abs(after.standardDeviation[j] - (s.standardDeviation[j] == 0 ? 0 : 1)) < 1e-6)
        }
        #expect(z.labels == d.labels)
    }
}
