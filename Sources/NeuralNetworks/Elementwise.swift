import OptBenchKernels

/// Where a network's element-wise passes (activations, the residual sum) split across the cores
/// (`forEachElementwiseRange`): a batch's activations were just written by a layer that ran on
/// every core, and from 2¹⁵ entries (128 samples × 256 units) the split repays its hand-off.
let activationParallelLength = 1 << 15
