//! The truth holds a vessel only as far as red cells show it: a stopped capillary's
//! plasma-only stretch between either end and its nearest cell, or a capillary no cell enters,
//! is left out (and not drawn), while flowing vessels, whose cells pass everywhere, keep their
//! whole length.

use mcvideo_synth::{render, SynthParams};

fn tvd_visible_and_geometric(flow_mix: [f64; 4]) -> (f64, f64) {
    let params = SynthParams {
        seed: 4,
        duration_s: 1.0,
        flow_mix,
        ..SynthParams::default()
    };
    let (_, truth) = render(&params).expect("renders");
    let geometric = truth.metrics_geometric.expect("new truth files carry it");
    (truth.metrics.tvd_mm_per_mm2, geometric.tvd_mm_per_mm2)
}

#[test]
fn stopped_capillaries_lose_their_cell_free_ends_and_flowing_ones_nothing() {
    let (visible, geometric) = tvd_visible_and_geometric([1.0, 0.0, 0.0, 0.0]);
    assert!(
        visible < 0.97 * geometric,
        "all stopped: visible TVD {visible:.2} against geometric {geometric:.2}"
    );
    let (visible, geometric) = tvd_visible_and_geometric([0.0, 0.0, 0.0, 1.0]);
    assert!(
        (visible - geometric).abs() < 1e-3 * geometric,
        "all continuous: visible TVD {visible:.2} against geometric {geometric:.2}"
    );
}

#[test]
fn cell_free_stretches_lie_inside_their_vessel() {
    let params = SynthParams {
        seed: 5,
        duration_s: 1.0,
        flow_mix: [0.5, 0.0, 0.0, 0.5],
        ..SynthParams::default()
    };
    let (_, truth) = render(&params).expect("renders");
    let mut stopped_gaps = 0;
    for v in &truth.vessels {
        let length = v.length_um / truth.um_per_px;
        for r in &v.cell_free_px {
            assert!(
                0.0 <= r[0] && r[0] < r[1] && r[1] <= length + 0.01,
                "{r:?} of {length}"
            );
        }
        if v.flow_class == mcvideo_metrics::FlowClass::NoFlow {
            stopped_gaps += v.cell_free_px.len();
        }
    }
    assert!(stopped_gaps > 0, "stopped capillaries have plasma gaps");
}
