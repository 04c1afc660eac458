"""The pieces of the matcher. `bilimq.matching` is the public entry point."""
