import Dispatch
import OptBenchKernels

/// The generative model behind `SyntheticDatasets.mnistShaped`: 28 × 28 images of pen-drawn
/// glyphs, one glyph family per class.
///
/// **Classes** (a function of the seed alone). Each class has two allographs — two ways of
/// writing it, as a 7 with or without its bar — each made of 2 or 3 strokes; a stroke is a cubic
/// Bézier curve with control points in the glyph square [−1, 1]². The second allograph is the
/// first with one stroke redrawn, so a class is two nearby modes, not one template.
///
/// **An image** of class y (a function of seed, stream and index):
///
///     x = clip(a · G_y(pose₁) + w · G_y′(pose₂) + σ ε, 0, 1)
///
/// where G_c(pose) renders a random allograph of class c: every control point moved by
/// N(0, `jitter`²) (a smooth deformation of the whole stroke), then the affine pose
/// p ↦ centre + s·R(θ)·Shear(k)·diag(α, 1/α)·p·8 px + t with θ ~ U(±`rotation`),
/// s ~ U(`scale`), α ~ U(`aspect`), k ~ U(±`shear`), t ~ U(±`translation`)² px, and a pen of
/// radius r ~ U(`radius`) px (anti-aliased: a pixel at distance d from the curve gets
/// clip(r + ½ − d, 0, 1), strokes combined by maximum). a ~ U(`intensity`) is the ink, y′ a
/// uniformly drawn other class whose glyph is overlaid at weight w ~ U(`distractor`), and ε
/// approximately standard normal pixel noise (a sum of four uniforms) of scale σ = `noise`.
///
/// Translation, rotation and the two allographs make the classes far from linearly separable;
/// the overlay and the noise keep a margin of genuinely ambiguous images.
struct SyntheticDigits: Sendable {
    static let side = 28
    static let pixels = side * side
    static let allographs = 2
    static let maximumStrokes = 3
    /// Points at which each Bézier stroke is evaluated; the pen is drawn along the polyline.
    static let curvePoints = 9

    /// The ranges of the random pose, pen and noise.
    struct Style: Sendable {
        var rotation: Double = 0.35
        var scale: ClosedRange<Double> = 0.8...1.1
        var aspect: ClosedRange<Double> = 0.85...1.15
        var shear: Double = 0.3
        var translation: Double = 3
        var jitter: Double = 0.12
        var radius: ClosedRange<Double> = 0.8...1.9
        var intensity: ClosedRange<Double> = 0.7...1.0
        var distractor: ClosedRange<Double> = 0.1...0.5
        var noise: Double = 0.1
        /// Pixels per glyph unit: the glyph square spans 16 px, as MNIST's digits fill 20 × 20.
        var glyphScale: Double = 8
    }

    let classes: Int
    let seed: UInt64
    let style: Style
    /// Strokes per glyph, for glyph g = class · allographs + allograph.
    let strokeCounts: [Int]
    /// Control points: glyph g, stroke s, point k at (g · maximumStrokes + s) · 4 + k.
    let controlPoints: [SIMD2<Double>]

    static let structureStream: UInt64 = 0x676C_7970_6873  // "glyphs"

    init(classes: Int, seed: UInt64, style: Style = Style()) {
        self.classes = classes
        self.seed = seed
        self.style = style
        var random = Xoshiro256(seed: seed, stream: Self.structureStream)
        var counts: [Int] = []
        var points = [SIMD2<Double>](repeating: .zero, count: classes * Self.allographs * Self.maximumStrokes * 4)
        for c in 0..<classes {
            let strokes = 2 + random.nextInt(below: 2)
            let base = c * Self.allographs
            for s in 0..<strokes {
                let stroke = Self.randomStroke(&random)
                for a in 0..<Self.allographs {
                    for k in 0..<4 { points[((base + a) * Self.maximumStrokes + s) * 4 + k] = stroke[k] }
                }
            }
            for a in 1..<Self.allographs {
                let redrawn = random.nextInt(below: strokes)
                let stroke = Self.randomStroke(&random)
                for k in 0..<4 { points[((base + a) * Self.maximumStrokes + redrawn) * 4 + k] = stroke[k] }
            }
            counts += repeatElement(strokes, count: Self.allographs)
        }
        strokeCounts = counts
        controlPoints = points
    }

    /// A stroke from a uniform start point to an end 0.8–1.8 glyph units away, its inner
    /// control points on the chord's thirds pushed sideways by N(0, 0.5²).
    static func randomStroke(_ random: inout Xoshiro256) -> [SIMD2<Double>] {
        let start = SIMD2(2 * random.nextUniform() - 1, 2 * random.nextUniform() - 1)
        let angle = 2 * Double.pi * random.nextUniform()
        let length = 0.8 + random.nextUniform()
        var end = start + length * SIMD2(Math.cos(angle), Math.sin(angle))
        end = end.clamped(lowerBound: SIMD2(repeating: -1.2), upperBound: SIMD2(repeating: 1.2))
        let chord = end - start
        let normal = SIMD2(-chord.y, chord.x)
        let p1 = start + chord / 3 + 0.5 * random.nextGaussian() * normal
        let p2 = start + 2 * chord / 3 + 0.5 * random.nextGaussian() * normal
        return [start, p1, p2, end]
    }

    /// The seed of image `index` of `stream`: SplitMix64 finalisers chained over the three
    /// numbers, so images are independent of one another and of how they are split into chunks.
    static func imageSeed(_ seed: UInt64, stream: UInt64, index: Int) -> UInt64 {
        func mix(_ x: UInt64) -> UInt64 {
            var z = x &+ 0x9E37_79B9_7F4A_7C15
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        return mix(mix(mix(seed) ^ stream) ^ UInt64(index))
    }

    /// `count` images of `stream` (count × 784 pixels) and their labels, rendered in parallel
    /// chunks; the result does not depend on the number of threads.
    func images(_ count: Int, stream: UInt64) -> (features: [Float], labels: [Int32]) {
        let chunk = 256
        let chunks = (count + chunk - 1) / chunk
        var labels = [Int32](repeating: 0, count: count)
        let features = [Float](unsafeUninitializedCapacity: count * Self.pixels) { out, initialized in
            labels.withUnsafeMutableBufferPointer { labelBuffer in
                nonisolated(unsafe) let pixels = out.baseAddress!
                nonisolated(unsafe) let labelOut = labelBuffer.baseAddress!
                DispatchQueue.concurrentPerform(iterations: chunks) { part in
                    var scratch = [Float](repeating: 0, count: Self.pixels)
                    scratch.withUnsafeMutableBufferPointer { scratch in
                        for i in part * chunk..<min(count, (part + 1) * chunk) {
                            labelOut[i] = Int32(render(index: i, stream: stream, into: pixels + i * Self.pixels, scratch: scratch.baseAddress!))
                        }
                    }
                }
            }
            initialized = count * Self.pixels
        }
        return (features, labels)
    }

    /// Renders image `index` of `stream` into `image` (784 pixels) and returns its class.
    func render(index: Int, stream: UInt64, into image: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) -> Int {
        var random = Xoshiro256(seed: Self.imageSeed(seed, stream: stream, index: index))
        let label = random.nextInt(below: classes)
        let ink = Float(uniform(style.intensity, &random))
        scratch.update(repeating: 0, count: Self.pixels)
        drawGlyph(of: label, &random, into: scratch)
        for p in 0..<Self.pixels { image[p] = ink * scratch[p] }

        let other = (label + 1 + random.nextInt(below: classes - 1)) % classes
        let weight = Float(uniform(style.distractor, &random))
        scratch.update(repeating: 0, count: Self.pixels)
        drawGlyph(of: other, &random, into: scratch)
        // Irwin–Hall: four 16-bit uniforms summed have mean 2 and variance 1/3.
        let noiseScale = Float(style.noise * 3.0.squareRoot() / 65536)
        for p in 0..<Self.pixels {
            let r = random.next()
            let sum = Int32(truncatingIfNeeded: r & 0xFFFF) + Int32(truncatingIfNeeded: r >> 16 & 0xFFFF)
                + Int32(truncatingIfNeeded: r >> 32 & 0xFFFF) + Int32(truncatingIfNeeded: r >> 48)
            let noise = Float(sum - 131_072) * noiseScale
            let value = image[p] + weight * scratch[p] + noise
            image[p] = value < 0 ? 0 : value > 1 ? 1 : value
        }
        return label
    }

    private func uniform(_ range: ClosedRange<Double>, _ random: inout Xoshiro256) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * random.nextUniform()
    }

    private func symmetric(_ bound: Double, _ random: inout Xoshiro256) -> Double {
        bound * (2 * random.nextUniform() - 1)
    }

    /// Draws a random allograph of class `label` in a random pose and pen into `canvas`,
    /// combining with what is there by maximum.
    private func drawGlyph(of label: Int, _ random: inout Xoshiro256, into canvas: UnsafeMutablePointer<Float>) {
        let glyph = label * Self.allographs + random.nextInt(below: Self.allographs)
        let theta = symmetric(style.rotation, &random)
        let s = uniform(style.scale, &random) * style.glyphScale
        let alpha = uniform(style.aspect, &random)
        let k = symmetric(style.shear, &random)
        let offset = SIMD2(symmetric(style.translation, &random), symmetric(style.translation, &random))
        let radius = uniform(style.radius, &random)
        // A = s · R(θ) · [[1, k], [0, 1]] · diag(α, 1/α), applied to column vectors.
        let c = Math.cos(theta), sn = Math.sin(theta)
        let m00 = s * c * alpha, m01 = s * (c * k - sn) / alpha
        let m10 = s * sn * alpha, m11 = s * (sn * k + c) / alpha
        let centre = SIMD2(repeating: Double(Self.side - 1) / 2) + offset

        var previous = SIMD2<Float>.zero
        for stroke in 0..<strokeCounts[glyph] {
            func pixel(_ j: Int) -> SIMD2<Double> {
                let p = controlPoints[(glyph * Self.maximumStrokes + stroke) * 4 + j]
                    + style.jitter * SIMD2(random.nextGaussian(), random.nextGaussian())
                return centre + SIMD2(m00 * p.x + m01 * p.y, m10 * p.x + m11 * p.y)
            }
            let q0 = pixel(0), q1 = pixel(1), q2 = pixel(2), q3 = pixel(3)
            for step in 0..<Self.curvePoints {
                let t = Double(step) / Double(Self.curvePoints - 1), u = 1 - t
                let b = u * u * u * q0 + 3 * u * u * t * q1 + 3 * u * t * t * q2 + t * t * t * q3
                let point = SIMD2<Float>(Float(b.x), Float(b.y))
                if step > 0 { Self.drawSegment(from: previous, to: point, radius: Float(radius), into: canvas) }
                previous = point
            }
        }
    }

    /// Draws the segment a–b with an anti-aliased pen of `radius`: pixel (row i, column j),
    /// centred at (x, y) = (j, i), gets max(its value, clip(radius + ½ − distance, 0, 1)).
    static func drawSegment(from a: SIMD2<Float>, to b: SIMD2<Float>, radius: Float, into canvas: UnsafeMutablePointer<Float>) {
        let reach = radius + 0.5
        let lower = (pointwiseMin(a, b) - reach).rounded(.up)
        let upper = (pointwiseMax(a, b) + reach).rounded(.down)
        let x0 = max(0, Int(max(lower.x, -1))), x1 = min(side - 1, Int(min(upper.x, Float(side))))
        let y0 = max(0, Int(max(lower.y, -1))), y1 = min(side - 1, Int(min(upper.y, Float(side))))
        guard x0 <= x1, y0 <= y1 else { return }
        let direction = b - a
        let lengthSquared = (direction * direction).sum()
        let inverse: Float = lengthSquared > 0 ? 1 / lengthSquared : 0
        let reachSquared = reach * reach
        for y in y0...y1 {
            let row = canvas + y * side
            for x in x0...x1 {
                let p = SIMD2(Float(x), Float(y)) - a
                let t = min(max((p * direction).sum() * inverse, 0), 1)
                let d = p - t * direction
                let distanceSquared = (d * d).sum()
                guard distanceSquared < reachSquared else { continue }
                let value = min(reach - distanceSquared.squareRoot(), 1)
                if value > row[x] { row[x] = value }
            }
        }
    }
}
