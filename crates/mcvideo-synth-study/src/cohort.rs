//! The simulated cohort: patients, their doses and outcomes, and the design of every clip.

use crate::model::{flow_mix, site_spread, PlantedThresholds};
use crate::StudyError;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use serde::{Deserialize, Serialize};

/// What to simulate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudyParams {
    pub patients: usize,
    pub seed: u64,
    /// Sites per patient, drawn uniformly from this inclusive range (the paper: 3–5).
    pub sites: [usize; 2],
    /// Clip size and timing.
    pub width: u32,
    pub height: u32,
    pub fps: f64,
    pub duration_s: f64,
    /// Scale range; each patient's device gets one value from it.
    pub um_per_px: [f64; 2],
    /// Median NE dose of the cohort (µg/kg/min); the paper's is about 0.45.
    pub median_dose: f64,
    pub planted: PlantedThresholds,
}

impl Default for StudyParams {
    fn default() -> Self {
        StudyParams {
            patients: 20,
            seed: 1,
            sites: [3, 5],
            width: 320,
            height: 240,
            fps: 25.0,
            duration_s: 4.0,
            um_per_px: [1.0, 1.4],
            median_dose: 0.45,
            planted: PlantedThresholds::default(),
        }
    }
}

/// One clip to render.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteDesign {
    pub site: String,
    pub seed: u64,
    pub flow_mix: [f64; 4],
    pub um_per_px: f64,
    /// The site's offset of the perfused share (the source of heterogeneity).
    pub site_effect: f64,
}

/// One patient on one study day: the clinical row and the clips.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatientDay {
    pub patient: String,
    pub day: String,
    pub ne_dose: f64,
    pub apache_ii: f64,
    pub heart_rate: f64,
    pub il6: f64,
    pub lactate: f64,
    pub died_28: u8,
    pub time_28: f64,
    pub died_90: u8,
    pub time_90: f64,
    pub sites: Vec<SiteDesign>,
}

fn check(params: &StudyParams) -> Result<(), StudyError> {
    let bad = |m: &str| Err(StudyError::Params(m.to_string()));
    if params.patients == 0 {
        return bad("--patients must be at least 1");
    }
    if params.sites[0] == 0 || params.sites[0] > params.sites[1] {
        return bad("sites per patient must be a range like 3-5 with a minimum of at least 1");
    }
    if !(params.median_dose > 0.0 && params.median_dose.is_finite()) {
        return bad("median dose must be positive");
    }
    if !(params.um_per_px[0] > 0.0 && params.um_per_px[0] <= params.um_per_px[1]) {
        return bad("um_per_px must be a positive range");
    }
    Ok(())
}

fn round_to(x: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (x * f).round() / f
}

/// Simulates the cohort: two study days (1 and 3) per patient, sorted by patient and day.
/// Same parameters, same cohort.
///
/// ```
/// use mcvideo_synth_study::{simulate_cohort, StudyParams};
/// let rows = simulate_cohort(&StudyParams { patients: 3, ..Default::default() }).unwrap();
/// assert_eq!(rows.len(), 6);
/// assert_eq!(rows[0].patient, "P001");
/// assert_eq!(rows, simulate_cohort(&StudyParams { patients: 3, ..Default::default() }).unwrap());
/// ```
pub fn simulate_cohort(params: &StudyParams) -> Result<Vec<PatientDay>, StudyError> {
    check(params)?;
    let standard = Normal::new(0.0, 1.0).map_err(|e| StudyError::Params(e.to_string()))?;
    let mut rows = Vec::with_capacity(params.patients * 2);
    for index in 0..params.patients {
        // One stream per patient: adding patients does not change the earlier ones.
        let mut rng = ChaCha8Rng::seed_from_u64(params.seed);
        rng.set_stream(index as u64 + 1);
        let mut z = || standard.sample(&mut rng);
        let patient = format!("P{:03}", index + 1);
        // Right-skewed dose, as the paper's cohort (log-normal, median about 0.45).
        let dose1 = (params.median_dose.ln() + 0.75 * z())
            .exp()
            .clamp(0.03, 2.5);
        let dose3 = (dose1 * (-0.3 + 0.4 * z()).exp()).clamp(0.0, 2.5);
        let apache = (18.0 + 6.0 * dose1 + 5.0 * z()).round().clamp(5.0, 45.0);
        let patient_effect = 0.03 * z();
        let mut rng = ChaCha8Rng::seed_from_u64(params.seed ^ 0x5eed_0000);
        rng.set_stream(index as u64 + 1);
        let logit = -1.8 + 1.6 * f64::from(u8::from(dose1 > 0.8)) + 0.06 * (apache - 20.0);
        let died_28 = rng.r#gen::<f64>() < 1.0 / (1.0 + (-logit).exp());
        let time_28 = if died_28 {
            f64::from(rng.gen_range(1..=28u32))
        } else {
            28.0
        };
        let died_later = !died_28 && rng.r#gen::<f64>() < 0.12;
        let time_90 = if died_28 {
            time_28
        } else if died_later {
            f64::from(rng.gen_range(29..=90u32))
        } else {
            90.0
        };
        let n_sites = rng.gen_range(params.sites[0]..=params.sites[1]);
        let um_per_px = rng.gen_range(params.um_per_px[0]..=params.um_per_px[1]);
        for (day, dose) in [("1", dose1), ("3", dose3)] {
            let spread = site_spread(dose, &params.planted);
            let sites = (0..n_sites)
                .map(|s| {
                    let site_effect = patient_effect + spread * standard.sample(&mut rng);
                    SiteDesign {
                        site: format!("S{}", s + 1),
                        seed: rng.r#gen(),
                        flow_mix: flow_mix(dose, site_effect, &params.planted),
                        um_per_px: round_to(um_per_px, 3),
                        site_effect,
                    }
                })
                .collect();
            rows.push(PatientDay {
                patient: patient.clone(),
                day: day.to_string(),
                ne_dose: round_to(dose, 3),
                apache_ii: apache,
                heart_rate: round_to(95.0 + 12.0 * dose + 12.0 * standard.sample(&mut rng), 0),
                il6: round_to(
                    (150f64.ln() + 0.8 * dose + 0.8 * standard.sample(&mut rng)).exp(),
                    1,
                ),
                lactate: round_to(
                    (2f64.ln() + 0.5 * dose + 0.4 * standard.sample(&mut rng)).exp(),
                    2,
                ),
                died_28: u8::from(died_28),
                time_28,
                died_90: u8::from(died_28 || died_later),
                time_90,
                sites,
            });
        }
    }
    Ok(rows)
}
