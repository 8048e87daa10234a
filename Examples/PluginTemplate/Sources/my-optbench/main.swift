import Foundation
import MyPlugin
import OptBenchCLI

exit(OptBench.main(Array(CommandLine.arguments.dropFirst()), catalog: .withMyPlugin))
