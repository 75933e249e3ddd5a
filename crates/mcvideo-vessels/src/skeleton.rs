//! Binary steps between ridge strength and centerlines: hysteresis thresholding and thinning
//! to a one-pixel, 8-connected skeleton (Zhang TY, Suen CY. A fast parallel algorithm for
//! thinning digital patterns. Commun ACM 1984;27(3):236-239).

/// 8-neighbour offsets in ring order: N, NE, E, SE, S, SW, W, NW.
pub(crate) const RING: [(i64, i64); 8] = [
    (0, -1),
    (1, -1),
    (1, 0),
    (1, 1),
    (0, 1),
    (-1, 1),
    (-1, 0),
    (-1, -1),
];

/// Pixels with `value > low` 8-connected to a pixel with `value > high`, among `allowed`.
///
/// ```
/// use mcvideo_vessels::skeleton::hysteresis;
/// let v = [0.0, 0.6, 0.9, 0.6, 0.0, 0.6f32];
/// let m = hysteresis(&v, 6, 1, 0.5, 0.8, &[true; 6]);
/// assert_eq!(m, vec![false, true, true, true, false, false]);
/// ```
pub fn hysteresis(
    value: &[f32],
    width: usize,
    height: usize,
    low: f32,
    high: f32,
    allowed: &[bool],
) -> Vec<bool> {
    let mut mask = vec![false; value.len()];
    let mut stack = Vec::new();
    for start in 0..value.len() {
        if mask[start] || !allowed[start] || value[start] <= high {
            continue;
        }
        mask[start] = true;
        stack.push(start);
        while let Some(p) = stack.pop() {
            let (x, y) = ((p % width) as i64, (p / width) as i64);
            for (dx, dy) in RING {
                let (nx, ny) = (x + dx, y + dy);
                if nx < 0 || ny < 0 || nx >= width as i64 || ny >= height as i64 {
                    continue;
                }
                let q = ny as usize * width + nx as usize;
                if !mask[q] && allowed[q] && value[q] > low {
                    mask[q] = true;
                    stack.push(q);
                }
            }
        }
    }
    mask
}

/// Fills holes of `mask`: 4-connected unset regions of at most `max_area` pixels that do not
/// touch the image border (they would become small loops in the skeleton).
///
/// ```
/// use mcvideo_vessels::skeleton::fill_holes;
/// let mut m = vec![true; 25];
/// m[12] = false; // a one-pixel hole in a 5x5 block
/// fill_holes(&mut m, 5, 5, 4);
/// assert!(m.iter().all(|&v| v));
/// ```
pub fn fill_holes(mask: &mut [bool], width: usize, height: usize, max_area: usize) {
    let mut seen = vec![false; mask.len()];
    let mut region = Vec::new();
    let mut stack = Vec::new();
    for start in 0..mask.len() {
        if mask[start] || seen[start] {
            continue;
        }
        region.clear();
        let mut touches_border = false;
        seen[start] = true;
        stack.push(start);
        while let Some(p) = stack.pop() {
            region.push(p);
            let (x, y) = (p % width, p / width);
            if x == 0 || y == 0 || x + 1 == width || y + 1 == height {
                touches_border = true;
            }
            let mut visit = |q: usize| {
                if !mask[q] && !seen[q] {
                    seen[q] = true;
                    stack.push(q);
                }
            };
            if x > 0 {
                visit(p - 1);
            }
            if x + 1 < width {
                visit(p + 1);
            }
            if y > 0 {
                visit(p - width);
            }
            if y + 1 < height {
                visit(p + width);
            }
        }
        if !touches_border && region.len() <= max_area {
            for &p in &region {
                mask[p] = true;
            }
        }
    }
}

/// The 8 ring neighbours of `p` (false outside the image).
#[inline]
pub(crate) fn ring(mask: &[bool], width: usize, height: usize, p: usize) -> [bool; 8] {
    let (x, y) = ((p % width) as i64, (p / width) as i64);
    RING.map(|(dx, dy)| {
        let (nx, ny) = (x + dx, y + dy);
        nx >= 0
            && ny >= 0
            && nx < width as i64
            && ny < height as i64
            && mask[ny as usize * width + nx as usize]
    })
}

/// Number of 8-connected groups the set neighbours form around the pixel (ring neighbours
/// are adjacent when consecutive, and N/E/S/W also touch across an unset corner).
fn neighbour_groups(n: &[bool; 8]) -> usize {
    let mut seen = [false; 8];
    let mut groups = 0;
    for start in 0..8 {
        if !n[start] || seen[start] {
            continue;
        }
        groups += 1;
        let mut stack = vec![start];
        seen[start] = true;
        while let Some(i) = stack.pop() {
            let mut adj = vec![(i + 1) % 8, (i + 7) % 8];
            if i % 2 == 0 {
                // Edge neighbours touch the next edge neighbour diagonally.
                adj.push((i + 2) % 8);
                adj.push((i + 6) % 8);
            }
            for j in adj {
                if n[j] && !seen[j] {
                    seen[j] = true;
                    stack.push(j);
                }
            }
        }
    }
    groups
}

/// Thins `mask` in place to a one-pixel-wide, 8-connected skeleton: Zhang–Suen, then removal
/// of staircase pixels whose neighbours stay connected without them.
///
/// ```
/// use mcvideo_vessels::skeleton::thin;
/// // A 3-px thick horizontal bar thins to its middle row.
/// let (w, h) = (9, 5);
/// let mut m: Vec<bool> = (0..w * h).map(|i| (1..4).contains(&(i / w)) && (1..8).contains(&(i % w))).collect();
/// thin(&mut m, w, h);
/// let rows: Vec<usize> = (0..w * h).filter(|&i| m[i]).map(|i| i / w).collect();
/// assert!(rows.iter().all(|&r| r == 2));
/// assert!(rows.len() >= 3);
/// ```
pub fn thin(mask: &mut [bool], width: usize, height: usize) {
    let mut active: Vec<usize> = (0..mask.len()).filter(|&i| mask[i]).collect();
    let mut delete = Vec::new();
    loop {
        let mut changed = false;
        for pass in 0..2 {
            delete.clear();
            for &p in &active {
                let n = ring(mask, width, height, p);
                let b = n.iter().filter(|&&v| v).count();
                if !(2..=6).contains(&b) {
                    continue;
                }
                let a = (0..8).filter(|&i| !n[i] && n[(i + 1) % 8]).count();
                if a != 1 {
                    continue;
                }
                // Ring indices: 0 N, 2 E, 4 S, 6 W.
                let (c1, c2) = if pass == 0 {
                    (n[0] && n[2] && n[4], n[2] && n[4] && n[6])
                } else {
                    (n[0] && n[2] && n[6], n[0] && n[4] && n[6])
                };
                if !c1 && !c2 {
                    delete.push(p);
                }
            }
            for &p in &delete {
                mask[p] = false;
            }
            changed |= !delete.is_empty();
            active.retain(|&p| mask[p]);
        }
        if !changed {
            break;
        }
    }
    // Staircase cleanup: a pixel with >= 2 neighbours that form one connected group is
    // redundant for connectivity (and no line end).
    for &p in &active {
        let n = ring(mask, width, height, p);
        let b = n.iter().filter(|&&v| v).count();
        if (2..=4).contains(&b) && neighbour_groups(&n) == 1 && !is_l_corner_end(&n, b) {
            mask[p] = false;
        }
    }
}

/// Keeps the tip of a two-pixel line end (`b == 2` with adjacent neighbours would otherwise
/// erode a line end one pixel per pass; only one pass runs, so this only protects tips).
fn is_l_corner_end(n: &[bool; 8], b: usize) -> bool {
    // A pixel whose two neighbours are ring-consecutive (edge + diagonal) is a tip.
    b == 2 && (0..8).any(|i| n[i] && n[(i + 1) % 8])
}
