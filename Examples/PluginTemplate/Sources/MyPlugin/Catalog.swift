import OptBenchCatalog
import OptBenchHarness

extension Catalog {
    /// OptBench's catalog with this package's optimizer and problem.
    public static let withMyPlugin = Catalog.standard.adding(problems: [PseudoHuber.entry], optimizers: [.signDescent])
}
