//! Wide lumens of the vessel mask: the parts of the mask that hold a disk of a given diameter
//! (a morphological opening), where a wide venule's interior is, so capillary-scale skeleton
//! branches inside it can be cut off.
//!
//! A wide venule's mask is one solid band; its thinned skeleton runs along the medial axis and
//! sends branches to every bump of the band's border (most of them where a capillary touches
//! the wall). Those branches inside the lumen measure capillary diameters on the venule's dark
//! interior and would count as small vessels. The consensus counts a capillary up to the wall of
//! the vessel it joins (De Backer D et al. Crit Care 2007;11:R101), so small-vessel centerlines
//! are cut where they enter a lumen at least `min_width` wide.

use image::{GrayImage, Luma};
use imageproc::distance_transform::euclidean_squared_distance_transform;

/// How far inside a wide lumen's border a cut starts: the vessel mask spreads a pixel or two
/// beyond the wall, and a capillary passing alongside within that spread is kept whole.
pub const WALL_MARGIN_PX: f64 = 2.0;

/// Marks the pixels of `mask` within `reach_px` of the centre of some disk of diameter
/// `min_width_px` that lies wholly inside the mask. With `reach_px` equal to the radius this is
/// the morphological opening by that disk; a longer reach also takes in the mask's rim next to
/// a wide part, where a strongly contrasted vessel's mask falls short of its wall. Computed with
/// two exact distance transforms (Felzenszwalb P, Huttenlocher D. Distance transforms of
/// sampled functions. Theory Comput 2012;8:415-428, as implemented by imageproc). `known`
/// (`[x0, y0, x1, y1]`, inclusive) is where the mask was computed; outside it the nearest known
/// pixel stands in.
///
/// ```
/// use mcvideo_vessels::lumen::wide_regions;
/// // A 12 px wide band (rows 4..16) and a 4 px wide line (rows 24..28), 40 px long.
/// let (w, h) = (40, 32);
/// let mask: Vec<bool> = (0..w * h).map(|i| (4..16).contains(&(i / w)) || (24..28).contains(&(i / w))).collect();
/// let all = [0, 0, w - 1, h - 1];
/// // Disks 8 px across fit with centres on rows 8..=11: the opening is the whole band.
/// let wide = wide_regions(&mask, w, h, all, 8.0, 4.0);
/// assert_eq!(wide.iter().filter(|&&b| b).count(), 12 * 40);
/// // A 2 px reach keeps rows 6..=13; the thin line is never wide.
/// let core = wide_regions(&mask, w, h, all, 8.0, 2.0);
/// assert!(core[6 * w + 20] && !core[5 * w + 20] && !core[26 * w + 20]);
/// assert_eq!(core.iter().filter(|&&b| b).count(), 8 * 40);
/// ```
pub fn wide_regions(
    mask: &[bool],
    width: usize,
    height: usize,
    known: [usize; 4],
    min_width_px: f64,
    reach_px: f64,
) -> Vec<bool> {
    let radius = 0.5 * min_width_px;
    let to_image = |on: &dyn Fn(usize) -> bool| {
        GrayImage::from_fn(width as u32, height as u32, |x, y| {
            Luma([if on(y as usize * width + x as usize) {
                255
            } else {
                0
            }])
        })
    };
    // Outside the rectangle where the mask is known, each pixel repeats the nearest known
    // one, so a venule leaving the frame stays wide up to the edge instead of meeting an
    // artificial border of background; beyond the image nothing counts as background.
    let [kx0, ky0, kx1, ky1] = known;
    let known_mask = |i: usize| {
        let (x, y) = (i % width, i / width);
        mask[y.clamp(ky0, ky1) * width + x.clamp(kx0, kx1)]
    };
    let background = to_image(&|i| !known_mask(i));
    if !background.pixels().any(|p| p[0] > 0) {
        return mask.to_vec();
    }
    let depth = euclidean_squared_distance_transform(&background);
    // Disk centres: pixels at least `radius` from the background (a pixel's centre is half a
    // pixel inside its edge, hence the + 0.5).
    let reach = (radius + 0.5).powi(2);
    let centres = to_image(&|i| depth.as_raw()[i] >= reach);
    if !centres.pixels().any(|p| p[0] > 0) {
        return vec![false; mask.len()];
    }
    let near = euclidean_squared_distance_transform(&centres);
    let cover = reach_px.max(0.0).powi(2);
    (0..mask.len())
        .map(|i| mask[i] && near.as_raw()[i] <= cover)
        .collect()
}

/// Which points of a centerline lie in a wide region (nearest pixel).
///
/// ```
/// use mcvideo_vessels::lumen::inside_wide;
/// let (w, h) = (20, 4);
/// let wide: Vec<bool> = (0..w * h).map(|i| (8..12).contains(&(i % w))).collect();
/// let line = [[6.0, 1.0], [7.6, 1.0], [11.0, 1.0], [12.0, 1.0], [30.0, 1.0]];
/// assert_eq!(inside_wide(&line, &wide, w, h), vec![false, true, true, false, false]);
/// ```
pub fn inside_wide(points: &[[f64; 2]], wide: &[bool], width: usize, height: usize) -> Vec<bool> {
    points
        .iter()
        .map(|p| {
            let (x, y) = (p[0].round(), p[1].round());
            x >= 0.0
                && y >= 0.0
                && (x as usize) < width
                && (y as usize) < height
                && wide[y as usize * width + x as usize]
        })
        .collect()
}

/// The unit direction in which a centerline's run inside a wide region reaches its last
/// point (`at_end`) or its first point: from the last point outside towards the end. `None`
/// when that end lies outside, or the whole line inside.
///
/// ```
/// use mcvideo_vessels::lumen::tail_direction;
/// let line = [[0.0, 0.0], [3.0, 0.0], [3.0, 4.0]];
/// let inside = [false, false, true];
/// assert_eq!(tail_direction(&line, &inside, true), Some([0.0, 1.0]));
/// assert_eq!(tail_direction(&line, &inside, false), None);
/// ```
pub fn tail_direction(points: &[[f64; 2]], inside: &[bool], at_end: bool) -> Option<[f64; 2]> {
    let order: Vec<usize> = if at_end {
        (0..points.len()).rev().collect()
    } else {
        (0..points.len()).collect()
    };
    let &end = order.first()?;
    if !inside[end] {
        return None;
    }
    let entry = order.iter().copied().find(|&k| !inside[k])?;
    let (dx, dy) = (
        points[end][0] - points[entry][0],
        points[end][1] - points[entry][1],
    );
    let norm = dx.hypot(dy);
    (norm > 0.0).then(|| [dx / norm, dy / norm])
}

/// Pieces of `points` whose points are not `inside`, each at least `min_length` long: the
/// polyline is cut where it enters and leaves a wide region.
///
/// ```
/// use mcvideo_vessels::lumen::pieces_outside;
/// let line: Vec<[f64; 2]> = (0..20).map(|x| [x as f64, 1.0]).collect();
/// let inside: Vec<bool> = (0..20).map(|x| (8..12).contains(&x)).collect();
/// let pieces = pieces_outside(&line, &inside, 3.0);
/// assert_eq!(pieces.len(), 2);
/// assert_eq!((pieces[0][0], *pieces[0].last().unwrap()), ([0.0, 1.0], [7.0, 1.0]));
/// assert_eq!((pieces[1][0], *pieces[1].last().unwrap()), ([12.0, 1.0], [19.0, 1.0]));
/// ```
pub fn pieces_outside(points: &[[f64; 2]], inside: &[bool], min_length: f64) -> Vec<Vec<[f64; 2]>> {
    let mut pieces = Vec::new();
    let mut current: Vec<[f64; 2]> = Vec::new();
    for (p, &is_inside) in points.iter().zip(inside) {
        if is_inside {
            if !current.is_empty() {
                pieces.push(std::mem::take(&mut current));
            }
        } else {
            current.push(*p);
        }
    }
    if !current.is_empty() {
        pieces.push(current);
    }
    pieces.retain(|piece| piece.len() >= 2 && crate::polyline::length(piece) >= min_length);
    pieces
}

/// Marks the pixels within `radius_px` − [`WALL_MARGIN_PX`] of the points of a centerline
/// (about 1 px apart): the measured lumen of a wide segment.
///
/// ```
/// use mcvideo_vessels::lumen::paint_lumen;
/// let (w, h) = (20, 20);
/// let mut lumen = vec![false; w * h];
/// let line: Vec<[f64; 2]> = (2..=17).map(|x| [x as f64, 10.0]).collect();
/// paint_lumen(&mut lumen, w, h, &line, 5.0);
/// // Disks of radius 3: rows 7..=13, columns reaching past both image edges.
/// assert!(lumen[7 * w + 10] && lumen[13 * w + 10] && !lumen[6 * w + 10] && !lumen[14 * w + 10]);
/// assert!(lumen[10 * w] && lumen[10 * w + 19]);
/// ```
pub fn paint_lumen(
    lumen: &mut [bool],
    width: usize,
    height: usize,
    points: &[[f64; 2]],
    radius_px: f64,
) {
    let r = radius_px - WALL_MARGIN_PX;
    if r <= 0.0 {
        return;
    }
    let clamp = |v: f64, hi: usize| v.clamp(0.0, (hi - 1) as f64) as usize;
    for p in points {
        for y in clamp((p[1] - r).floor(), height)..=clamp((p[1] + r).ceil(), height) {
            for x in clamp((p[0] - r).floor(), width)..=clamp((p[0] + r).ceil(), width) {
                let (dx, dy) = (x as f64 - p[0], y as f64 - p[1]);
                if dx * dx + dy * dy <= r * r {
                    lumen[y * width + x] = true;
                }
            }
        }
    }
}
