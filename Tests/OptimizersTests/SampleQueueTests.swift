import OptBenchKernels
import Testing
@testable import OptBenchOptimizers

/// Drawing ahead must not change the sample sequence: the queue returns exactly the indices
/// drawing on demand gives, and announces each one `depth` steps before it is returned.
@Test(arguments: [1, 4, 7])
func sampleQueueKeepsTheOnDemandSequence(depth: Int) {
    var direct = Xoshiro256(seed: 11, stream: 12)
    var queue = SampleQueue(rng: Xoshiro256(seed: 11, stream: 12), depth: depth)
    var announced: [Int] = []
    for step in 0..<500 {
        let j = queue.next(below: 97) { announced.append($0) }
        #expect(j == direct.nextInt(below: 97))
        #expect(announced.count == step + 1 + depth)
        #expect(announced[step] == j)
    }
}
