//! Red-cell flow from space-time diagrams.
