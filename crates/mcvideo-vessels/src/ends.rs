//! Where a skeleton edge's free ends stop: at the last pixel that lies on a ridge line.
//!
//! Hysteresis grows the vessel mask past the end of a line (the smoothed response of a
//! dark blob or a faint background fold still clears the growing threshold), and thinning
//! then draws a skeleton through that mask. Steger's detector has no such tail: a line point
//! is a pixel whose sub-pixel ridge centre (where the first derivative across the line
//! vanishes) lies near the pixel, and a line ends where there are no more line points
//! (Steger C. An unbiased detector of curvilinear structures. IEEE Trans Pattern Anal Mach
//! Intell 1998;20:113-125, section 3). A skeleton pixel may sit a pixel or so beside the
//! centre of a line it does belong to, hence a tolerance rather than Steger's half pixel.

/// The part `[first, last)` of an edge's pixels to keep when every run of pixels off the
/// ridge (`on_ridge[i]` false) is cut from each free end. Junction ends are never cut. `None`
/// when fewer than two pixels would be left: the edge holds no line.
///
/// ```
/// use mcvideo_vessels::ends::trim_off_ridge_ends;
/// let on = [false, false, true, true, false, true, false];
/// // Both ends free: the tails of off-ridge pixels go, the gap inside stays.
/// assert_eq!(trim_off_ridge_ends(&on, true, true), Some((2, 6)));
/// // The start meets a junction: only the far end is cut.
/// assert_eq!(trim_off_ridge_ends(&on, false, true), Some((0, 6)));
/// // No line point at all.
/// assert_eq!(trim_off_ridge_ends(&[false; 5], true, true), None);
/// ```
pub fn trim_off_ridge_ends(
    on_ridge: &[bool],
    start_free: bool,
    end_free: bool,
) -> Option<(usize, usize)> {
    let mut last = on_ridge.len();
    if end_free {
        while last > 0 && !on_ridge[last - 1] {
            last -= 1;
        }
    }
    let mut first = 0;
    if start_free {
        while first < last && !on_ridge[first] {
            first += 1;
        }
    }
    (last >= first + 2).then_some((first, last))
}
