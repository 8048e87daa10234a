import Foundation
import OptBenchCLI

exit(OptBench.main(Array(CommandLine.arguments.dropFirst())))
