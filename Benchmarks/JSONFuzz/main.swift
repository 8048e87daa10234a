// json-fuzz: mutated copies of every JSON file optbench reads back, through its readers and
// what consumes their records, in memory.
//
//     swift build --product json-fuzz && .build/debug/json-fuzz [inputs] [seed]
//
// The seeds are real files of a small grid (Tests/Fixtures/records, made by make_records.sh):
// cells.jsonl, timings.jsonl, shard.json, timings.json, table.json, suite.json. Each input is
// one of them after one to three mutations — truncation, bit flips, byte insertions and
// deletions, a JSON value swapped for one of another type, a number replaced by "nan", "inf",
// 1e308, 1e400, −1, 0, 1.5 or 2⁶³, a key removed, repeated or added, an array emptied or an
// element repeated, a line dropped, repeated or cut. Each is read by the function the command
// calls, and an accepted input is then used as the command would use it: `compare` both ways
// against the unmutated table and `index`'s page, the grid's pair summaries and table cells
// from a cache, the merge's marker checks, the comparison band. Every input must be accepted
// or refused with a `ConfigurationError` naming its file; anything else exits 1. A trap kills
// the process, so finishing is the proof of none; an input running for 10 s is a hang (exit 3).
import Dispatch
import Foundation
import OptBenchCatalog
import OptBenchCore
@testable import OptBenchHarness
@testable import OptBenchReports
import Synchronization

let arguments = CommandLine.arguments
let total = arguments.count > 1 ? Int(arguments[1]) ?? 100_000 : 100_000
let fuzzSeed = arguments.count > 2 ? UInt64(arguments[2]) ?? 1 : 1

/// SplitMix64: a small seeded generator, so a failing input can be replayed by its seed.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

// MARK: The seed files

let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Tests/Fixtures/records")
func seedFile(_ name: String) -> Data {
    guard let data = FileManager.default.contents(atPath: fixtures.appendingPathComponent(name).path) else {
        print("json-fuzz: cannot read the seed file \(fixtures.path)/\(name)")
        exit(2)
    }
    return data
}
let seedTable = seedFile("table.json"), seedCells = seedFile("cells.jsonl"), seedTimings = seedFile("timings.jsonl")
let seedNoise = seedFile("timings.json"), seedShard = seedFile("shard.json"), seedShard2 = seedFile("shard-2.json")
let seedSuite = seedFile("suite.json")

// MARK: A JSON tree to mutate

indirect enum J {
    case null, bool(Bool), number(String), string(String), array([J]), object([(String, J)])

    init(_ node: JSONNode) {
        switch node.value {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .number(_, let text): self = .number(text)
        case .string(let s): self = .string(s)
        case .array(let items): self = .array(items.map(J.init))
        case .object(let members): self = .object(members.map { ($0.key, J($0.node)) })
        }
    }

    var text: String {
        switch self {
        case .null: "null"
        case .bool(let b): b ? "true" : "false"
        case .number(let t): t
        case .string(let s): jsonQuoted(s)
        case .array(let items): "[" + items.map(\.text).joined(separator: ",") + "]"
        case .object(let members): "{" + members.map { jsonQuoted($0.0) + ":" + $0.1.text }.joined(separator: ",") + "}"
        }
    }

    /// Nodes in the tree (itself included).
    var size: Int {
        switch self {
        case .array(let items): 1 + items.reduce(0) { $0 + $1.size }
        case .object(let members): 1 + members.reduce(0) { $0 + $1.1.size }
        default: 1
        }
    }

    /// The tree with node `k` (pre-order) passed through `change`.
    func replacing(_ k: Int, _ change: (J) -> J) -> J {
        var k = k
        return replacing(&k, change)
    }

    private func replacing(_ k: inout Int, _ change: (J) -> J) -> J {
        if k == 0 { k -= 1; return change(self) }
        k -= 1
        switch self {
        case .array(let items):
            var out: [J] = []
            for item in items { out.append(k >= 0 ? item.replacing(&k, change) : item) }
            return .array(out)
        case .object(let members):
            var out: [(String, J)] = []
            for (key, value) in members { out.append((key, k >= 0 ? value.replacing(&k, change) : value)) }
            return .object(out)
        default:
            return self
        }
    }
}

let numbers = ["\"nan\"", "\"inf\"", "\"-inf\"", "1e308", "1e400", "-1", "0", "-0", "1.5", "9223372036854775808", "18446744073709551616",
               "1e-320", "-1e308", "100000", "3"]
let words = ["", "nan", "reached", "partial", "budget", "diverged", "stalled", "skipped", "low", "high", "x=1", "=", "lr=0.1",
             String(repeating: "a", count: 300)]

/// The mutations, drawn from one seeded stream.
struct Mutator {
    var random: SplitMix

    mutating func mutateValue(_ v: J) -> J {
        switch random.below(12) {
        case 0: return .null
        case 1: return .bool(random.below(2) == 0)
        case 2, 3, 4:
            // A quoted word ("nan", "inf") goes in as the string the encoder writes for it.
            let n = numbers[random.below(numbers.count)]
            return n.hasPrefix("\"") ? .string(String(n.dropFirst().dropLast())) : .number(n)
        case 5: return .string(words[random.below(words.count)])
        case 6: return .array([])
        case 7: return .object([])
        case 8:
            if case .array(let items) = v, !items.isEmpty {
                var out = items
                let i = random.below(items.count)
                if random.below(2) == 0 { out.remove(at: i) } else { out.insert(items[i], at: random.below(items.count + 1)) }
                return .array(out)
            }
            return .array([v])
        case 9, 10:
            if case .object(let members) = v, !members.isEmpty {
                var out = members
                let i = random.below(members.count)
                switch random.below(3) {
                case 0: out.remove(at: i)
                case 1: out.append((members[i].0, mutateValue(members[i].1)))
                default: out.insert(("unknown", .number("1")), at: random.below(members.count + 1))
                }
                return .object(out)
            }
            return .number(numbers[random.below(numbers.count)])
        default:
            if case .number = v { return .number(numbers[random.below(numbers.count)]) }
            if case .string = v { return .string(words[random.below(words.count)]) }
            return .null
        }
    }

    /// One JSON-aware mutation of a document's text, or nil when it is not JSON any more.
    mutating func mutateDocument(_ text: String) -> String? {
        guard let node = try? JSONReader.parse(text, file: "seed") else { return nil }
        let tree = J(node)
        let k = random.below(tree.size)
        return tree.replacing(k) { mutateValue($0) }.text
    }

    mutating func mutateBytes(_ data: [UInt8]) -> [UInt8] {
        var d = data
        switch random.below(5) {
        case 0: d = Array(d.prefix(random.below(d.count + 1)))
        case 1: for _ in 0...random.below(8) where !d.isEmpty { d[random.below(d.count)] ^= UInt8(1 << random.below(8)) }
        case 2: for _ in 0...random.below(4) { d.insert(UInt8(truncatingIfNeeded: random.next()), at: random.below(d.count + 1)) }
        case 3:
            if !d.isEmpty {
                let a = random.below(d.count), b = min(d.count, a + 1 + random.below(16))
                d.removeSubrange(a..<b)
            }
        default:
            if !d.isEmpty {
                let a = random.below(d.count), b = min(d.count, a + 1 + random.below(32))
                d.insert(contentsOf: d[a..<b], at: random.below(d.count + 1))
            }
        }
        return d
    }

    /// One mutation of a whole file: JSON-aware (for JSON lines, of one line, or lines dropped,
    /// repeated or cut) three times in four, else of the bytes.
    mutating func mutate(_ data: [UInt8], lines: Bool) -> [UInt8] {
        if random.below(4) == 0 { return mutateBytes(data) }
        guard lines else { return mutateDocument(String(decoding: data, as: UTF8.self)).map { Array($0.utf8) } ?? mutateBytes(data) }
        var rows = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if rows.last == "" { rows.removeLast() }
        guard !rows.isEmpty else { return mutateBytes(data) }
        let i = random.below(rows.count)
        switch random.below(6) {
        case 0: rows.remove(at: i)
        case 1: rows.insert(rows[i], at: random.below(rows.count + 1))
        case 2: rows[i] = String(rows[i].prefix(random.below(rows[i].count + 1)))
        default: if let m = mutateDocument(rows[i]) { rows[i] = m }
        }
        return Array((rows.joined(separator: "\n") + (random.below(8) == 0 ? "" : "\n")).utf8)
    }
}

// MARK: The readers, and what consumes their records

let baseline: ResultsFolder
let seedMarkers: [ShardMarker]
do {
    baseline = try ResultsFolder(path: "seed", table: seedTable, timings: seedTimings, cells: seedCells, noise: seedNoise)
    seedMarkers = [try RecordFile.read(ShardMarker.self, from: seedShard, file: "shard.json"),
                   try RecordFile.read(ShardMarker.self, from: seedShard2, file: "shard.json")]
    _ = try CellCache.read(cells: seedCells, cellsFile: "c", timings: seedTimings, timingsFile: "t")
    _ = try SuiteFile(name: "s", path: "suite.json", text: String(decoding: seedSuite, as: UTF8.self)).suite(in: .standard)
} catch {
    print("json-fuzz: a seed file is refused: \(error)")
    exit(2)
}
let shardFolders = [URL(fileURLWithPath: "/fuzz/shard-1"), URL(fileURLWithPath: "/fuzz/shard-2")]

/// Pair summaries and table cells from cached cells, as `Grid.run` makes them.
func consume(cells: [String: CellSummary]) {
    var byPair: [String: [CellSummary]] = [:]
    for c in cells.values.sorted(by: { $0.key < $1.key }) { byPair[c.problem + "\u{0}" + c.optimizer, default: []].append(c) }
    for sweep in byPair.values {
        for criterion in [StoppingCriterion.relative, .metric("test_accuracy")] {
            let p = Grid.summarize(problem: sweep[0].problem, optimizer: sweep[0].optimizer, sweep: sweep, seeds: 2, criterion: criterion)
            _ = Grid.edge(of: p, base: [0.1, 1], criterion: criterion)
            _ = ResultReport.cell(p, note: nil)
        }
    }
}

/// Reads `data` as a file of `kind` and uses what it accepts; the error when refused.
func run(_ kind: String, _ data: Data) throws(ConfigurationError) {
    switch kind {
    case "cells.jsonl":
        consume(cells: try CellCache.read(cells: data, cellsFile: kind, timings: seedTimings, timingsFile: "timings.jsonl").done)
        _ = try RecordFile.lines(CachedCell.self, from: data, file: kind, tornEnd: false)
        let folder = try ResultsFolder(path: kind, table: seedTable, timings: seedTimings, cells: data, noise: nil)
        _ = try Comparison(baseline: baseline, new: folder).report
    case "timings.jsonl":
        consume(cells: try CellCache.read(cells: seedCells, cellsFile: "cells.jsonl", timings: data, timingsFile: kind).done)
        let folder = try ResultsFolder(path: kind, table: seedTable, timings: data, cells: seedCells, noise: nil)
        _ = try Comparison(baseline: baseline, new: folder).report
    case "shard.json":
        let m = try RecordFile.read(ShardMarker.self, from: data, file: kind)
        for others in [[m], [m, seedMarkers[1]], [seedMarkers[0], m], [m, nil]] as [[ShardMarker?]] {
            _ = try? ShardMerge.checkMarkers(others, of: Array(shardFolders.prefix(others.count)))
        }
    case "timings.json":
        let noise = try TimingNoise.read(from: data, file: kind)
        _ = noise.sentences()
        let folder = try ResultsFolder(path: kind, table: seedTable, timings: seedTimings, cells: seedCells, noise: data)
        _ = try Comparison(baseline: baseline, new: folder).report
        _ = Comparison.band(given: nil, baseline: noise, new: nil)
    case "table.json":
        let folder = try ResultsFolder(path: kind, table: data, timings: seedTimings, cells: seedCells, noise: seedNoise)
        for (a, b) in [(baseline, folder), (folder, baseline), (folder, folder)] {
            if let c = try? Comparison(baseline: a, new: b) { _ = c.report }
            if let c = try? Comparison(baseline: a, new: b, timeBand: 0, compareTime: true) { _ = c.report }
        }
        _ = ResultsIndex(folders: [("a", folder), ("b", baseline)]).html()
        for p in folder.document.pairs { _ = ResultReport.cell(p, note: 1) }
    default:
        let suite = try SuiteFile(name: "s", path: kind, text: String(decoding: data, as: UTF8.self)).suite(in: .standard)
        _ = suite.canonicalDefinition
    }
}

let kinds: [(name: String, seed: Data, lines: Bool)] = [
    ("cells.jsonl", seedCells, true), ("timings.jsonl", seedTimings, true), ("shard.json", seedShard, false),
    ("timings.json", seedNoise, false), ("table.json", seedTable, false), ("suite.json", seedSuite, false),
]

// A watchdog: the main loop bumps `progress` per input; no progress for 10 s is a hang.
let progress = Atomic<Int>(0)
Thread.detachNewThread {
    var last = -1
    while true {
        Thread.sleep(forTimeInterval: 10)
        let now = progress.load(ordering: .relaxed)
        if now == last {
            print("json-fuzz: input \(now) has run for over 10 s: a hang")
            exit(3)
        }
        last = now
    }
}

var mutator = Mutator(random: SplitMix(seed: fuzzSeed))
var counts: [String: (accepted: Int, refused: Int)] = [:]
var unexpected = 0
let start = DispatchTime.now()
for index in 0..<total {
    let kind = kinds[index % kinds.count]
    var bytes = [UInt8](kind.seed)
    for _ in 0...mutator.random.below(3) { bytes = mutator.mutate(bytes, lines: kind.lines) }
    do {
        try run(kind.name, Data(bytes))
        counts[kind.name, default: (0, 0)].accepted += 1
    } catch {
        counts[kind.name, default: (0, 0)].refused += 1
        // The suite reader names its file as it was given; every other reader names the file it read.
        if !error.message.contains(kind.name) {
            unexpected += 1
            if unexpected <= 5 { print("json-fuzz: input \(index) (\(kind.name)) refused without naming its file: \(error.message)") }
        }
    }
    progress.store(index + 1, ordering: .relaxed)
}
let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) * 1e-9
print("json-fuzz: \(total) inputs in \(String(format: "%.1f", seconds)) s, 0 traps (the process finished)")
for kind in kinds {
    let c = counts[kind.name, default: (0, 0)]
    print("  \(kind.name.padding(toLength: 14, withPad: " ", startingAt: 0)) \(String(format: "%6d", c.accepted)) accepted  \(String(format: "%6d", c.refused)) refused")
}
if unexpected > 0 {
    print("json-fuzz: \(unexpected) input(s) refused without naming the file")
    exit(1)
}
