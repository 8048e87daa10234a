// Optimizers module
