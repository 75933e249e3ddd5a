//! Value parsers of the `stats` options: a number outside its range (or NaN, infinite, not a
//! number) is a command-line error, so clap reports it and exits 2 (SPEC.md).

use std::ops::RangeInclusive;

/// A finite number (any sign).
pub fn finite(text: &str) -> Result<f64, String> {
    let value: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number"))?;
    if value.is_finite() {
        Ok(value)
    } else {
        Err(format!("`{text}` is not a finite number"))
    }
}

/// A probability strictly between 0 and 1 (a confidence level, a test level).
pub fn open_unit(text: &str) -> Result<f64, String> {
    let value = finite(text)?;
    if value > 0.0 && value < 1.0 {
        Ok(value)
    } else {
        Err(format!("{value} must lie strictly between 0 and 1"))
    }
}

fn count_in(text: &str, range: RangeInclusive<usize>) -> Result<usize, String> {
    let value: usize = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a whole number"))?;
    if range.contains(&value) {
        Ok(value)
    } else {
        Err(format!(
            "{value} is out of range: expected {} to {}",
            range.start(),
            range.end()
        ))
    }
}

/// Largest bootstrap resample count accepted (a typo such as 1e9 would run for days).
pub const MAX_BOOT: usize = 100_000;

/// Bootstrap resamples: 0 (none) to [`MAX_BOOT`].
pub fn boot_count(text: &str) -> Result<usize, String> {
    count_in(text, 0..=MAX_BOOT)
}

/// A GAM basis dimension: 3 (the null space {1, x} plus one penalized function) to 500.
pub fn basis_dimension(text: &str) -> Result<usize, String> {
    count_in(text, 3..=500)
}

/// mgcv's `max.knots` of the thin-plate basis: 3 to 20000 (mgcv's default is 2000).
pub fn max_knots(text: &str) -> Result<usize, String> {
    count_in(text, 3..=20_000)
}

/// Knots up to which bootstrap resamples rebuild the GAM basis: 0 to 20000.
pub fn refit_max_knots(text: &str) -> Result<usize, String> {
    count_in(text, 0..=20_000)
}

/// Restricted cubic spline knots: 3 to 7 (Harrell's table of knot quantiles).
pub fn rcs_knots(text: &str) -> Result<usize, String> {
    count_in(text, 3..=7)
}

/// Newton-Raphson iterations: 1 to 1000.
pub fn iterations(text: &str) -> Result<usize, String> {
    count_in(text, 1..=1000)
}

/// `COL:X`: a numeric column split at a finite cutoff.
pub fn column_cutoff(spec: &str) -> Result<(String, f64), String> {
    let Some((column, value)) = spec.rsplit_once(':') else {
        return Err(format!("`{spec}`: expected COLUMN:VALUE, e.g. ne_dose:0.8"));
    };
    let cutoff = finite(value).map_err(|e| format!("`{spec}`: {e}"))?;
    if column.trim().is_empty() {
        return Err(format!("`{spec}`: the column name is empty"));
    }
    Ok((column.trim().to_string(), cutoff))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsers_refuse_non_finite_and_out_of_range_values() {
        for bad in ["nan", "NaN", "inf", "-inf", "x", ""] {
            assert!(finite(bad).is_err(), "{bad}");
            assert!(open_unit(bad).is_err(), "{bad}");
        }
        assert_eq!(finite("-2.5"), Ok(-2.5));
        for bad in ["0", "1", "-0.1", "1.5"] {
            assert!(open_unit(bad).is_err(), "{bad}");
        }
        assert_eq!(open_unit("0.9"), Ok(0.9));
        assert!(basis_dimension("2").is_err() && basis_dimension("-1").is_err());
        assert_eq!(basis_dimension("10"), Ok(10));
        assert!(rcs_knots("8").is_err() && rcs_knots("3").is_ok());
        assert!(boot_count("100001").is_err() && boot_count("0").is_ok());
        assert!(iterations("0").is_err() && iterations("20").is_ok());
        assert!(max_knots("2").is_err() && max_knots("2000").is_ok());
        assert_eq!(column_cutoff("dose:0.8"), Ok(("dose".to_string(), 0.8)));
        for bad in ["dose", "dose:nan", ":1", "dose:inf"] {
            assert!(column_cutoff(bad).is_err(), "{bad}");
        }
    }
}
