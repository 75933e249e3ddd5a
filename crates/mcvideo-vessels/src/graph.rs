//! The vessel graph of a skeleton: junction clusters and free ends as nodes, pixel chains
//! between them as edges; spur and fragment pruning.

use crate::skeleton::{ring, thin, RING};

/// How an edge ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeEnd {
    /// A free line end (or a closed loop's seam).
    Free,
    /// A junction node (index into [`SkeletonGraph::junctions`]).
    Junction(usize),
}

/// A pixel chain between two nodes, pixels as row-major indices in walking order.
#[derive(Debug, Clone, PartialEq)]
pub struct PixelEdge {
    pub pixels: Vec<usize>,
    pub start: EdgeEnd,
    pub end: EdgeEnd,
}

/// Edges and junction centres of a skeleton.
#[derive(Debug, Clone, PartialEq)]
pub struct SkeletonGraph {
    pub edges: Vec<PixelEdge>,
    /// Centroid `[x, y]` of each junction cluster.
    pub junctions: Vec<[f64; 2]>,
}

fn neighbours(
    mask: &[bool],
    width: usize,
    height: usize,
    p: usize,
) -> impl Iterator<Item = usize> + use<> {
    let n = ring(mask, width, height, p);
    let (x, y) = ((p % width) as i64, (p / width) as i64);
    (0..8).filter(move |&i| n[i]).map(move |i| {
        let (dx, dy) = RING[i];
        ((y + dy) as usize) * width + (x + dx) as usize
    })
}

/// Splits a one-pixel skeleton into edges between junctions (pixels with three or more
/// neighbours, clustered) and free ends. Isolated pixels are dropped.
///
/// ```
/// use mcvideo_vessels::graph::{trace, EdgeEnd};
/// // A "T": a horizontal line with a stem going down from its middle.
/// let (w, h) = (9, 6);
/// let mut m = vec![false; w * h];
/// for x in 1..8 { m[w + x] = true; }
/// for y in 2..5 { m[y * w + 4] = true; }
/// let g = trace(&m, w, h);
/// assert_eq!(g.edges.len(), 3);
/// // The junction cluster is the three pixels of the bar around the stem and the stem's top.
/// assert_eq!(g.junctions, vec![[4.0, 1.25]]);
/// assert!(g.edges.iter().all(|e| e.start == EdgeEnd::Junction(0) || e.end == EdgeEnd::Junction(0)));
/// ```
pub fn trace(mask: &[bool], width: usize, height: usize) -> SkeletonGraph {
    let n = mask.len();
    let mut degree = vec![0u8; n];
    for p in 0..n {
        if mask[p] {
            degree[p] = neighbours(mask, width, height, p).count() as u8;
        }
    }
    // Junction clusters.
    let mut junction_of = vec![usize::MAX; n];
    let mut junctions = Vec::new();
    let mut stack = Vec::new();
    for p in 0..n {
        if !mask[p] || degree[p] < 3 || junction_of[p] != usize::MAX {
            continue;
        }
        let id = junctions.len();
        let (mut sx, mut sy, mut count) = (0.0, 0.0, 0.0);
        junction_of[p] = id;
        stack.push(p);
        while let Some(q) = stack.pop() {
            sx += (q % width) as f64;
            sy += (q / width) as f64;
            count += 1.0;
            for r in neighbours(mask, width, height, q) {
                if degree[r] >= 3 && junction_of[r] == usize::MAX {
                    junction_of[r] = id;
                    stack.push(r);
                }
            }
        }
        junctions.push([sx / count, sy / count]);
    }
    let is_node = |p: usize| degree[p] != 2;
    let end_of = |p: usize| {
        if junction_of[p] != usize::MAX {
            EdgeEnd::Junction(junction_of[p])
        } else {
            EdgeEnd::Free
        }
    };
    let mut visited = vec![false; n];
    let mut edges = Vec::new();
    for p in 0..n {
        if !mask[p] || !is_node(p) || degree[p] == 0 {
            continue;
        }
        for q in neighbours(mask, width, height, p) {
            if is_node(q) {
                let same = junction_of[p] != usize::MAX && junction_of[p] == junction_of[q];
                if !same && p < q {
                    edges.push(PixelEdge {
                        pixels: vec![p, q],
                        start: end_of(p),
                        end: end_of(q),
                    });
                }
                continue;
            }
            if visited[q] {
                continue;
            }
            let mut pixels = vec![p, q];
            visited[q] = true;
            let (mut prev, mut cur) = (p, q);
            loop {
                let next = neighbours(mask, width, height, cur).find(|&r| r != prev);
                match next {
                    Some(r) if is_node(r) => {
                        pixels.push(r);
                        break;
                    }
                    Some(r) if !visited[r] => {
                        visited[r] = true;
                        pixels.push(r);
                        (prev, cur) = (cur, r);
                    }
                    _ => break,
                }
            }
            let last = pixels[pixels.len() - 1];
            edges.push(PixelEdge {
                pixels,
                start: end_of(p),
                end: if is_node(last) {
                    end_of(last)
                } else {
                    EdgeEnd::Free
                },
            });
        }
    }
    // Closed loops without any node.
    for p in 0..n {
        if !mask[p] || degree[p] != 2 || visited[p] {
            continue;
        }
        visited[p] = true;
        let mut pixels = vec![p];
        let (mut prev, mut cur) = (usize::MAX, p);
        while let Some(r) = neighbours(mask, width, height, cur).find(|&r| r != prev && !visited[r])
        {
            visited[r] = true;
            pixels.push(r);
            (prev, cur) = (cur, r);
        }
        pixels.push(p);
        edges.push(PixelEdge {
            pixels,
            start: EdgeEnd::Free,
            end: EdgeEnd::Free,
        });
    }
    SkeletonGraph { edges, junctions }
}

/// Length of a pixel chain in px.
pub fn chain_length(pixels: &[usize], width: usize) -> f64 {
    pixels
        .windows(2)
        .map(|w| {
            let dx = (w[0] % width) as f64 - (w[1] % width) as f64;
            let dy = (w[0] / width) as f64 - (w[1] / width) as f64;
            dx.hypot(dy)
        })
        .sum()
}

/// Removes spurs (edges with one free end shorter than `spur_length(edge)`) and isolated
/// fragments (both ends free, shorter than `fragment_length(edge)`), re-thinning and
/// re-tracing until nothing changes. Returns the final graph.
pub fn prune(
    mask: &mut [bool],
    width: usize,
    height: usize,
    spur_length: impl Fn(&PixelEdge) -> f64,
    fragment_length: impl Fn(&PixelEdge) -> f64,
) -> SkeletonGraph {
    for _ in 0..8 {
        let graph = trace(mask, width, height);
        let mut removed = false;
        for edge in &graph.edges {
            let len = chain_length(&edge.pixels, width);
            let erase = match (edge.start, edge.end) {
                (EdgeEnd::Free, EdgeEnd::Free) => len < fragment_length(edge),
                (EdgeEnd::Free, EdgeEnd::Junction(_)) | (EdgeEnd::Junction(_), EdgeEnd::Free) => {
                    len < spur_length(edge)
                }
                _ => false,
            };
            if erase {
                removed = true;
                let junction_first = edge.start != EdgeEnd::Free;
                let last = edge.pixels.len() - 1;
                for (i, &p) in edge.pixels.iter().enumerate() {
                    // Keep the junction pixel that the spur hangs from.
                    let is_junction_end = (junction_first && i == 0)
                        || (!junction_first && edge.end != EdgeEnd::Free && i == last);
                    if !is_junction_end {
                        mask[p] = false;
                    }
                }
            }
        }
        if !removed {
            return graph;
        }
        thin(mask, width, height);
    }
    trace(mask, width, height)
}
