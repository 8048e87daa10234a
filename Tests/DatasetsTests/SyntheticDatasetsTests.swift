import OptBenchCore
import Foundation
import OptBenchKernels
import Testing
import TestSupport

@testable import OptBenchDatasets

@Suite struct TeacherRegressionTests {
    /// With noise 0 every target is the teacher's forward pass, recomputed here from its weights.
    @Test func targetsAreTheTeachersOutputs() throws {
        let (n, d, h, k) = (40, 7, 5, 3)
        let data = try SyntheticDatasets.teacherRegression(samples: n, inputs: d, hidden: h, outputs: k, noise: 0, seed: 9)
        let t = SyntheticDatasets.Teacher(inputs: d, hidden: h, outputs: k, seed: 9)
        #expect(data.task == .regression(outputs: k) && data.sampleShape == [d] && data.count == n && data.targets.count == n * k)
        #expect(t.firstWeights.count == h * d && t.firstBias.count == h && t.secondWeights.count == k * h)
        for i in 0..<n {
            let x = (0..<d).map { Double(data.features[i * d + $0]) }
            let a = (0..<h).map { j in tanh(t.firstBias[j] + (0..<d).reduce(0.0) { $0 + t.firstWeights[j * d + $1] * x[$1] }) }
            for o in 0..<k {
                let y = (0..<h).reduce(0.0) { $0 + t.secondWeights[o * h + $1] * a[$1] }
                #expect(abs(Double(data.targets[i * k + o]) - y) <= 1e-6 * max(1, abs(y)), "sample \(i) output \(o)")
            }
        }
    }

    /// Same seed, same bytes; noise changes only the targets, by N(0, σ²) residuals; the inputs
    /// are standard normal and the weights have the documented scales.
    @Test func noiseAndDeterminism() throws {
        let (n, d, h, k) = (4000, 20, 16, 5)
        let clean = try SyntheticDatasets.teacherRegression(samples: n, inputs: d, hidden: h, outputs: k, noise: 0, seed: 2)
        let noisy = try SyntheticDatasets.teacherRegression(samples: n, inputs: d, hidden: h, outputs: k, noise: 0.3, seed: 2)
        let again = try SyntheticDatasets.teacherRegression(samples: n, inputs: d, hidden: h, outputs: k, noise: 0.3, seed: 2)
        let other = try SyntheticDatasets.teacherRegression(samples: n, inputs: d, hidden: h, outputs: k, noise: 0.3, seed: 3)
        #expect(noisy.features == again.features && noisy.targets == again.targets)
        #expect(noisy.features == clean.features && other.features != noisy.features)
        let residuals = zip(noisy.targets, clean.targets).map { Double($0) - Double($1) }
        let mean = residuals.reduce(0, +) / Double(residuals.count)
        let variance = residuals.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(residuals.count)
        // 20 000 residuals: the sample variance is within 3 % of 0.09 with overwhelming probability.
        #expect(abs(mean) < 0.01 && abs(variance / 0.09 - 1) < 0.03, "mean \(mean), variance \(variance)")
        let x = noisy.features.map(Double.init)
        let xMean = x.reduce(0, +) / Double(x.count), xVariance = x.map { $0 * $0 }.reduce(0, +) / Double(x.count)
        #expect(abs(xMean) < 0.01 && abs(xVariance - 1) < 0.02)
        let t = SyntheticDatasets.Teacher(inputs: 200, hidden: 100, outputs: 50, seed: 1)
        func meanSquare(_ v: [Double]) -> Double { v.map { $0 * $0 }.reduce(0, +) / Double(v.count) }
        #expect(abs(meanSquare(t.firstWeights) * 200 - 1) < 0.03 && abs(meanSquare(t.secondWeights) * 100 - 1) < 0.05)
        #expect(abs(meanSquare(t.firstBias) / 0.25 - 1) < 0.3)
    }

    @Test func badSizesAreRefused() {
        #expect(configurationMessage { _ = try SyntheticDatasets.teacherRegression(samples: 10, inputs: 2, hidden: 0, outputs: 1, noise: 0, seed: 1) }
            == "teacher regression: hidden = 0; expected at least 1")
        #expect(configurationMessage { _ = try SyntheticDatasets.teacherRegression(samples: 10, inputs: 2, hidden: 2, outputs: 1, noise: -1, seed: 1) }
            == "teacher regression: noise = -1.0; expected a finite number ≥ 0")
    }
}

@Suite struct SyntheticMNISTTests {
    @Test func shapeRangeAndLabels() throws {
        let d = try SyntheticDatasets.mnistShaped(samples: 3000, seed: 1, stream: 0)
        #expect(d.sampleShape == [28, 28] && d.featureCount == 784 && d.count == 3000 && d.classCount == 10)
        #expect(d.name == "synthetic-mnist(train)")
        #expect(d.features.allSatisfy { $0 >= 0 && $0 <= 1 })
        // Ink covers part of the image: dark background, some saturated pixels.
        let mean = d.features.reduce(0.0) { $0 + Double($1) } / Double(d.features.count)
        #expect(mean > 0.05 && mean < 0.35 && d.features.contains(1) && d.features.contains(0))
        // Uniform labels: each class within 5 standard deviations of 300.
        for c in 0..<10 { #expect(abs(d.labels.count { $0 == c } - 300) < 5 * 17, "class \(c)") }
    }

    @Test func deterministicPerSeedStreamAndIndex() throws {
        let a = try SyntheticDatasets.mnistShaped(samples: 700, seed: 5, stream: 0)
        let b = try SyntheticDatasets.mnistShaped(samples: 700, seed: 5, stream: 0)
        #expect(a.features == b.features && a.labels == b.labels)
        // Image i depends on (seed, stream, i) only: a shorter set is a prefix.
        let short = try SyntheticDatasets.mnistShaped(samples: 300, seed: 5, stream: 0)
        #expect(short.features == Array(a.features.prefix(300 * 784)) && short.labels == Array(a.labels.prefix(300)))
        let test = try SyntheticDatasets.mnistShaped(samples: 700, seed: 5, stream: 1)
        #expect(test.name == "synthetic-mnist(test)" && test.features != a.features)
        #expect(SyntheticDigits(classes: 10, seed: 5).controlPoints != SyntheticDigits(classes: 10, seed: 6).controlPoints)
        #expect(SyntheticDigits(classes: 10, seed: 5).controlPoints == SyntheticDigits(classes: 10, seed: 5).controlPoints)
    }

    /// Nearest class mean on fresh test images: far above chance (the classes are learnable) and
    /// far from perfect (templates do not separate them; numpy on 60 000 images gives 61 %).
    @Test func learnableButNotTemplateSeparable() throws {
        let train = try SyntheticDatasets.mnistShaped(samples: 2000, seed: 1, stream: 0)
        let test = try SyntheticDatasets.mnistShaped(samples: 1000, seed: 1, stream: 1)
        var centroids = [Double](repeating: 0, count: 10 * 784), counts = [Double](repeating: 0, count: 10)
        for i in 0..<train.count {
            let c = Int(train.labels[i])
            counts[c] += 1
            for p in 0..<784 { centroids[c * 784 + p] += Double(train.features[i * 784 + p]) }
        }
        for c in 0..<10 { for p in 0..<784 { centroids[c * 784 + p] /= counts[c] } }
        var correct = 0
        for i in 0..<test.count {
            let distances = (0..<10).map { c in (0..<784).reduce(0.0) { s, p in let e = Double(test.features[i * 784 + p]) - centroids[c * 784 + p]; return s + e * e } }
            if distances.firstIndex(of: distances.min()!) == Int(test.labels[i]) { correct += 1 }
        }
        let accuracy = Double(correct) / Double(test.count)
        #expect(accuracy > 0.4 && accuracy < 0.8, "nearest-centroid accuracy \(accuracy)")
    }

    @Test func classesAreConfigurable() throws {
        let d = try SyntheticDatasets.mnistShaped(samples: 400, classes: 3, seed: 2, stream: 7)
        #expect(d.classCount == 3 && Set(d.labels) == [0, 1, 2] && d.name == "synthetic-mnist(stream 7)")
        #expect(configurationMessage { _ = try SyntheticDatasets.mnistShaped(samples: 10, classes: 1, seed: 1, stream: 0) }
            == "synthetic mnist: classes = 1; expected 2...1024")
        #expect(configurationMessage { _ = try SyntheticDatasets.mnistShaped(samples: 0, seed: 1, stream: 0) }?
            .hasPrefix("synthetic mnist: samples = 0; expected 1...") == true)
    }

    /// A pixel's pen value is clip(r + ½ − distance, 0, 1), against the distance computed directly.
    @Test func segmentPenMatchesTheDistanceFormula() {
        var canvas = [Float](repeating: 0, count: 784)
        let a = SIMD2<Float>(5.3, 7.1), b = SIMD2<Float>(15.8, 11.4)
        canvas.withUnsafeMutableBufferPointer { SyntheticDigits.drawSegment(from: a, to: b, radius: 1.3, into: $0.baseAddress!) }
        for y in 0..<28 {
            for x in 0..<28 {
                let p = SIMD2<Double>(Double(x), Double(y)), da = SIMD2<Double>(Double(a.x), Double(a.y)), db = SIMD2<Double>(Double(b.x), Double(b.y))
                let t = min(max(((p - da) * (db - da)).sum() / ((db - da) * (db - da)).sum(), 0), 1)
                let e = p - da - t * (db - da)
                let expected = min(max(1.8 - (e * e).sum().squareRoot(), 0), 1)
                #expect(abs(Double(canvas[y * 28 + x]) - expected) < 1e-5, "pixel (\(y), \(x))")
            }
        }
    }
}
