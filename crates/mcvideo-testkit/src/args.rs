//! Command-line reading shared by the accuracy examples: `--name value` pairs with defaults.

/// The value after `name` in `args`, parsed, or `default` when absent or unparsable.
pub fn arg<T: std::str::FromStr>(args: &[String], name: &str, default: T) -> T {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
