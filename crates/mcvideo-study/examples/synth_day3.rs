//! Writes `fixtures/study/cohort_a_day3.csv`: synthetic Day 3 values for the synthetic cohort
//! `fixtures/reference/cohort_a.csv` (which holds Day 1), so the example study can show the
//! Day 3 − Day 1 change analysis. Seeded (ChaCha8, seed 2026): the same file every run.
//!
//! Model (planted, for a demonstration only): patients who died before day 3 have no Day 3 row;
//! dose3 = dose1 · exp(N(−0.25, 0.5)); Δmfi = −0.12 Δdose + N(0, 0.06²) (MFI kept in [0, 3]);
//! Δppv = −2.5 Δdose + N(0, 1.5²) (≤ 100); Δhi = 0.10 Δdose + N(0, 0.08²) (≥ 0);
//! Δlactate = 1.8 Δdose + N(0, 0.7²) (≥ 0.3).
//!
//! Run: `cargo run -p mcvideo-study --example synth_day3 -- fixtures/reference/cohort_a.csv fixtures/study/cohort_a_day3.csv`

use mcvideo_stats::data::Table;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use std::path::Path;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 {
        return Err("usage: synth_day3 COHORT.csv OUT.csv".into());
    }
    let t = Table::from_path(Path::new(&args[1]))?;
    let patients = t.text("patient")?;
    let col = |n: &str| t.numeric(n);
    let (dose, mfi, ppv, hi, lac) = (
        col("ne_dose")?,
        col("mfi")?,
        col("ppv")?,
        col("hi")?,
        col("lactate")?,
    );
    let (time28, death28) = (col("time28")?, col("death28")?);
    let mut rng = ChaCha8Rng::seed_from_u64(2026);
    let n01 = Normal::new(0.0, 1.0)?;
    let mut out = String::from("patient,day,ne_dose,mfi,ppv,hi,lactate\n");
    for i in 0..t.n_rows() {
        let (Some(p), Some(d), Some(m), Some(v), Some(h), Some(l)) =
            (&patients[i], dose[i], mfi[i], ppv[i], hi[i], lac[i])
        else {
            continue;
        };
        // Draw every variate for every patient, so a row's values do not depend on who died.
        let z: Vec<f64> = (0..5).map(|_| n01.sample(&mut rng)).collect();
        if death28[i] == Some(1.0) && time28[i].is_some_and(|t| t < 3.0) {
            continue;
        }
        let d3 = (d * (-0.25 + 0.5 * z[0]).exp() * 1000.0).round() / 1000.0;
        let dd = d3 - d;
        let m3 = (m - 0.12 * dd + 0.06 * z[1]).clamp(0.0, 3.0);
        let v3 = (v - 2.5 * dd + 1.5 * z[2]).min(100.0);
        let h3 = (h + 0.10 * dd + 0.08 * z[3]).max(0.0);
        let l3 = (l + 1.8 * dd + 0.7 * z[4]).max(0.3);
        out.push_str(&format!("{p},3,{d3:.3},{m3:.3},{v3:.2},{h3:.3},{l3:.2}\n"));
    }
    std::fs::write(&args[2], out)?;
    Ok(())
}
