// OptBenchCLI module
