// Harness module
