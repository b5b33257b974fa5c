//! Browser bindings (to be written).
