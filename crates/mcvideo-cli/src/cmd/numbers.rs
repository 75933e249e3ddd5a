//! Range checks of numeric command-line options, run by clap as it parses: a value out of
//! range is a command-line error (exit 2) that names the option and the allowed range.

/// A finite number from the command line (Rust's parser takes "nan" and "inf").
fn finite(text: &str) -> Result<f64, String> {
    let value: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a number"))?;
    if value.is_finite() {
        Ok(value)
    } else {
        Err(format!("{text} is not a finite number"))
    }
}

/// A memory size such as 600M or 2G, at least [`mcvideo_score::stream::MIN_BUDGET_BYTES`].
pub fn memory_budget(text: &str) -> Result<u64, String> {
    let bytes = mcvideo_score::stream::parse_size(text)?;
    let min = mcvideo_score::stream::MIN_BUDGET_BYTES;
    if bytes >= min {
        Ok(bytes)
    } else {
        Err(format!(
            "{text} is below the smallest budget, {}M",
            min >> 20
        ))
    }
}

/// A finite number greater than zero.
pub fn positive(text: &str) -> Result<f64, String> {
    let value = finite(text)?;
    if value > 0.0 {
        Ok(value)
    } else {
        Err(format!("{text} must be greater than 0"))
    }
}

/// A finite number, zero or more.
pub fn non_negative(text: &str) -> Result<f64, String> {
    let value = finite(text)?;
    if value >= 0.0 {
        Ok(value)
    } else {
        Err(format!("{text} must not be negative"))
    }
}

/// A scale in µm per pixel within the calibration's plausible range.
pub fn um_per_px(text: &str) -> Result<f64, String> {
    let value = finite(text)?;
    let (min, max) = mcvideo_score::UM_PER_PX_RANGE;
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(format!(
            "{text} is not a plausible scale: expected {min} to {max} µm per pixel"
        ))
    }
}

/// A count of at least one.
pub fn at_least_one(text: &str) -> Result<usize, String> {
    let value: usize = text
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a whole number"))?;
    if value >= 1 {
        Ok(value)
    } else {
        Err(format!("{text} must be at least 1"))
    }
}

/// A frame side in pixels that the decoder accepts (at least 16).
pub fn frame_side(text: &str) -> Result<u32, String> {
    let value: u32 = text
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a whole number"))?;
    let min = mcvideo_score::MIN_FRAME_SIDE;
    if value >= min {
        Ok(value)
    } else {
        Err(format!("{text} px is too small: at least {min} are needed"))
    }
}

/// `K/N` with 1 ≤ K ≤ N, kept as written (the batch records it as given).
pub fn shard(text: &str) -> Result<String, String> {
    mcvideo_batch::Shard::parse(text)
        .map(|_| text.to_string())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_hold_at_their_edges() {
        assert_eq!(positive("2.5"), Ok(2.5));
        for bad in ["0", "-1", "nan", "NaN", "inf", "-inf", "x", ""] {
            assert!(positive(bad).is_err(), "{bad}");
        }
        assert_eq!(non_negative("0"), Ok(0.0));
        assert!(non_negative("-0.1").is_err() && non_negative("inf").is_err());
        assert_eq!(um_per_px("1.2"), Ok(1.2));
        assert!(um_per_px("0").is_err() && um_per_px("500").is_err());
        assert_eq!(at_least_one("3"), Ok(3));
        assert!(at_least_one("0").is_err() && at_least_one("-2").is_err());
        assert_eq!(frame_side("16"), Ok(16));
        assert!(frame_side("15").is_err());
        assert_eq!(shard("2/4"), Ok("2/4".to_string()));
        for bad in ["0/4", "5/4", "1/0", "a/b", "3"] {
            assert!(shard(bad).is_err(), "{bad}");
        }
    }
}
