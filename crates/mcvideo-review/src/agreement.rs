//! Agreement of the automatic scoring with the rater's corrections, over the reviewed clips:
//! Bland–Altman bias and 95% limits and the intraclass correlation per metric, and the
//! confusion of vessel flow classes weighted by vessel length.

use crate::corrections::Corrected;
use mcvideo_metrics::{FlowClass, SiteMetrics};
use serde::Serialize;

/// The metrics compared, as (column name, short label, value).
pub const COMPARED: [(&str, &str); 5] = [
    ("tvd_mm_per_mm2", "TVD"),
    ("pvd_mm_per_mm2", "PVD"),
    ("ppv_pct", "PPV"),
    ("mfi", "MFI"),
    ("de_backer_per_mm", "De Backer"),
];

/// The finite value of the column `name` of `m`.
pub fn metric(m: &SiteMetrics, name: &str) -> Option<f64> {
    m.columns()
        .into_iter()
        .find(|(n, _)| *n == name)
        .and_then(|(_, v)| v)
        .filter(|v| v.is_finite())
}

/// Intraclass correlation ICC(2,1) of Shrout and Fleiss (Psychol Bull 1979;86:420-428), the
/// ICC(A,1) of McGraw and Wong (Psychol Methods 1996;1:30-46): two-way random effects,
/// absolute agreement, single measurement, from the two-way ANOVA of n subjects by k raters:
/// (MSR − MSE) / (MSR + (k − 1) MSE + k (MSC − MSE) / n). `None` below two subjects or
/// when the denominator vanishes (no variation at all).
pub fn icc_2_1(pairs: &[(f64, f64)]) -> Option<f64> {
    let n = pairs.len();
    if n < 2 {
        return None;
    }
    let k = 2.0;
    let nf = n as f64;
    let grand = pairs.iter().map(|(a, b)| a + b).sum::<f64>() / (k * nf);
    let col_a = pairs.iter().map(|p| p.0).sum::<f64>() / nf;
    let col_b = pairs.iter().map(|p| p.1).sum::<f64>() / nf;
    let ss_rows: f64 = pairs
        .iter()
        .map(|(a, b)| k * ((a + b) / k - grand).powi(2))
        .sum();
    let ss_cols = nf * ((col_a - grand).powi(2) + (col_b - grand).powi(2));
    let ss_total: f64 = pairs
        .iter()
        .map(|(a, b)| (a - grand).powi(2) + (b - grand).powi(2))
        .sum();
    let ss_error = (ss_total - ss_rows - ss_cols).max(0.0);
    let ms_rows = ss_rows / (nf - 1.0);
    let ms_cols = ss_cols / (k - 1.0);
    let ms_error = ss_error / ((nf - 1.0) * (k - 1.0));
    let denominator = ms_rows + (k - 1.0) * ms_error + k * (ms_cols - ms_error) / nf;
    (denominator.abs() > 1e-300).then(|| (ms_rows - ms_error) / denominator)
}

/// Agreement of one metric.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricAgreement {
    pub metric: String,
    pub label: String,
    /// Clips with both values.
    pub n: usize,
    /// Mean of the automatic values (the method compared).
    pub mean_automatic: Option<f64>,
    /// Mean of the reference values: the rater's corrections, or an AVA scoring.
    pub mean_corrected: Option<f64>,
    /// Mean of automatic − reference.
    pub bias: Option<f64>,
    /// Standard deviation of the differences (n − 1).
    pub sd: Option<f64>,
    pub loa_lower: Option<f64>,
    pub loa_upper: Option<f64>,
    pub icc: Option<f64>,
}

/// Agreement of one metric over `pairs` of (method, reference) values: Bland–Altman bias of
/// method − reference, its SD and 95% limits, and ICC(2,1). With one pair the bias is its
/// difference and the rest is empty.
pub fn metric_agreement(name: &str, label: &str, pairs: &[(f64, f64)]) -> MetricAgreement {
    let n = pairs.len();
    let mean =
        |f: fn(&(f64, f64)) -> f64| (n > 0).then(|| pairs.iter().map(f).sum::<f64>() / n as f64);
    let differences: Vec<f64> = pairs.iter().map(|(a, c)| a - c).collect();
    let loa = mcvideo_stats::agreement::limits_of_agreement(&differences);
    MetricAgreement {
        metric: name.to_string(),
        label: label.to_string(),
        n,
        mean_automatic: mean(|p| p.0),
        mean_corrected: mean(|p| p.1),
        bias: loa
            .map(|a| a.bias)
            .or_else(|| (n == 1).then(|| differences[0])),
        sd: loa.map(|a| a.sd),
        loa_lower: loa.map(|a| a.lower),
        loa_upper: loa.map(|a| a.upper),
        icc: icc_2_1(pairs),
    }
}

/// Flow-class rows and columns of the confusion: the four classes, then drawn (rows: missed
/// by the automatic scoring) or deleted (columns: false vessels).
pub const CLASS_LABELS: [&str; 5] = ["0", "1", "2", "3", "none"];

/// Everything the page and `agreement.csv` show.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Agreement {
    /// Reviewed clips that the rater kept acceptable (the ones compared).
    pub clips: usize,
    pub metrics: Vec<MetricAgreement>,
    /// `confusion_um[automatic][corrected]`: vessel length (µm) with the automatic class in
    /// the row (4 = drawn by the rater) and the corrected class in the column (4 = deleted).
    pub confusion_um: [[f64; 5]; 5],
    /// Share of the automatic vessels' length whose class the rater kept (deleted length
    /// counts as disagreement; drawn length is not in the denominator). `None` without length.
    pub class_agreement: Option<f64>,
}

/// Agreement over `clips`: each the automatic metrics and the corrected clip.
pub fn agreement(clips: &[(SiteMetrics, Corrected)]) -> Agreement {
    let compared: Vec<&(SiteMetrics, Corrected)> = clips
        .iter()
        .filter(|(_, c)| c.reviewed && c.acceptable)
        .collect();
    let metrics = COMPARED
        .iter()
        .map(|(name, label)| {
            let pairs: Vec<(f64, f64)> = compared
                .iter()
                .filter_map(|(auto, corrected)| {
                    Some((metric(auto, name)?, metric(&corrected.metrics, name)?))
                })
                .collect();
            metric_agreement(name, label, &pairs)
        })
        .collect();
    let mut confusion_um = [[0.0; 5]; 5];
    for (_, corrected) in &compared {
        for v in &corrected.vessels {
            let row = v.automatic_class.map_or(4, FlowClass::index);
            confusion_um[row][v.flow_class.index()] += v.length_um;
        }
        for (_, class, length) in &corrected.deleted {
            confusion_um[class.index()][4] += length;
        }
    }
    let automatic_total: f64 = confusion_um[..4].iter().flatten().sum();
    let kept: f64 = (0..4).map(|c| confusion_um[c][c]).sum();
    Agreement {
        clips: compared.len(),
        metrics,
        confusion_um,
        class_agreement: (automatic_total > 0.0).then(|| kept / automatic_total),
    }
}

fn number(v: Option<f64>) -> String {
    v.filter(|x| x.is_finite())
        .map(|x| format!("{x}"))
        .unwrap_or_default()
}

/// `agreement.csv`: one row per metric.
pub fn agreement_csv(a: &Agreement) -> Vec<u8> {
    metrics_csv(&a.metrics, "automatic", "corrected")
}

/// One row per metric, the two means headed `mean_<method>` and `mean_<reference>`.
pub fn metrics_csv(metrics: &[MetricAgreement], method: &str, reference: &str) -> Vec<u8> {
    let mut out =
        format!("metric,label,n,mean_{method},mean_{reference},bias,sd,loa_lower,loa_upper,icc\n");
    for m in metrics {
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{}\n",
            m.metric,
            m.label,
            m.n,
            number(m.mean_automatic),
            number(m.mean_corrected),
            number(m.bias),
            number(m.sd),
            number(m.loa_lower),
            number(m.loa_upper),
            number(m.icc)
        ));
    }
    out.into_bytes()
}

/// `confusion.csv`: length (µm) per automatic and corrected class, every cell.
pub fn confusion_csv(a: &Agreement) -> Vec<u8> {
    let mut out = String::from("automatic_class,corrected_class,length_um\n");
    for (r, row) in a.confusion_um.iter().enumerate() {
        for (c, length) in row.iter().enumerate() {
            let (from, to) = (
                if r == 4 { "drawn" } else { CLASS_LABELS[r] },
                if c == 4 { "deleted" } else { CLASS_LABELS[c] },
            );
            out.push_str(&format!("{from},{to},{length}\n"));
        }
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn icc_matches_a_hand_computed_anova() {
        // Subjects (1,2), (2,3), (3,5): grand mean 8/3; MSR = 37/12 ... worked below.
        let pairs = [(1.0, 2.0), (2.0, 3.0), (3.0, 5.0)];
        // Row means 1.5, 2.5, 4; grand 8/3. SSR = 2*((1.5-8/3)^2+(2.5-8/3)^2+(4-8/3)^2) = 19/3.
        // Column means 2, 10/3: SSC = 3*((2-8/3)^2+(10/3-8/3)^2) = 8/3.
        // SST = sum of squares about 8/3 = 28/3 + ... = 28/3 + 8/3 ... computed: SST = 9.333.
        let ssr = 19.0 / 3.0;
        let ssc = 8.0 / 3.0;
        let sst: f64 = [1.0, 2.0, 3.0, 2.0, 3.0, 5.0]
            .iter()
            .map(|v: &f64| (v - 8.0 / 3.0).powi(2))
            .sum();
        let sse = sst - ssr - ssc;
        let (msr, msc, mse) = (ssr / 2.0, ssc, sse / 2.0);
        let expected = (msr - mse) / (msr + mse + 2.0 * (msc - mse) / 3.0);
        assert!((icc_2_1(&pairs).unwrap() - expected).abs() < 1e-12);
        // Identical raters agree perfectly; constant data has no ICC.
        assert!((icc_2_1(&[(1.0, 1.0), (2.0, 2.0), (4.0, 4.0)]).unwrap() - 1.0).abs() < 1e-12);
        assert_eq!(icc_2_1(&[(1.0, 1.0), (1.0, 1.0)]), None);
        assert_eq!(icc_2_1(&[(1.0, 2.0)]), None);
    }

    #[test]
    fn icc_penalizes_a_constant_offset_unlike_consistency() {
        // A constant +1 offset keeps consistency perfect but not absolute agreement.
        let pairs = [(1.0, 2.0), (2.0, 3.0), (3.0, 4.0), (4.0, 5.0)];
        let icc = icc_2_1(&pairs).unwrap();
        // MSR = 2 * var(row means) ... = 2*(sum (r - 3)^2)/3 with rows 1.5..4.5: 2*5/3 = 10/3;
        // MSC = 4 * 2 * 0.25 = 2; MSE = 0. ICC = (10/3) / (10/3 + 2*2/4) = 10/13.
        assert!((icc - 10.0 / 13.0).abs() < 1e-12);
    }
}
