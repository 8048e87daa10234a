import OptBenchCatalog
import OptBenchHarness
import Testing
import OptBenchCore
import OptBenchOptimizers
import TestSupport

/// R-CD with Lipschitz sampling on a problem whose coordinate view has no L_j: the harness's
/// check names the missing capability, and a run started anyway neither crashes nor charges.
@Test func rcdLipschitzWithoutConstantsIsIncompatible() throws {
    let o = oracle(TestObjective<Double>.quadratic(diagonal: [1, 2], lipschitz: false))
    let lipschitz = try configured("rcd", ["sampling=lipschitz"])
    let reason = try #require(lipschitz.requirements.incompatibility(optimizer: "rcd", problem: "quadratic", offered: o.capabilities))
    #expect(reason.contains("Lipschitz"), "\(reason)")
    #expect(!reason.contains("coordinate partial derivatives"), "\(reason)")
    let path = iterates(lipschitz.float64, oracle: o, start: [1, 1], steps: 2)
    #expect(path.last! == [1, 1])
    #expect(o.charges == EpochCharges())
    // Uniform sampling needs only the partials, which this problem has.
    #expect(try configured("rcd", []).requirements.incompatibility(optimizer: "rcd", problem: "quadratic", offered: o.capabilities) == nil)
}

@Test func rcdWithoutCoordinatesIsIncompatible() throws {
    let o = oracle(TestObjective<Double>.rosenbrock())
    let rcd = try configured("rcd", [])
    let reason = try #require(rcd.requirements.incompatibility(optimizer: "rcd", problem: "rosenbrock", offered: o.capabilities))
    #expect(reason.contains("coordinate partial derivatives"), "\(reason)")
    let path = iterates(rcd.float64, oracle: o, start: [-1, 1], steps: 2)
    #expect(path.last! == [-1, 1] && o.charges == EpochCharges())
}

/// Everything else but K-FAC (which needs a layer view, `KFACTests`) runs on any objective:
/// full gradients and sample gradients are always there.
@Test(arguments: Catalog.standard.optimizers.map(\.name).filter { $0 != "rcd" && $0 != "kfac" })
func othersNeedNoCapability(name: String) throws {
    #expect(try configured(name, []).requirements.capabilities == [])
}

@Test(arguments: Catalog.standard.optimizers.map(\.name))
func parameterGroupSupportIsDeclared(name: String) throws {
    let grouped: Set<String> = ["gd", "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "amsgrad", "adamw", "nadam", "adadelta",
                                "adamax", "radam", "nadamw", "rprop", "asgd", "lion", "ademamix", "sf_sgd", "sf_adamw"]
    let requirements = try configured(name, []).requirements
    #expect(requirements.parameterGroups == grouped.contains(name))
    #expect(try configured(name, []).float32.requirements == requirements)
}
