//! One-dimensional minimization: Brent's method (Brent 1973, "Algorithms for Minimization
//! without Derivatives", ch. 5), the algorithm behind R's `optimize`.

/// Minimizes `f` on `[a, b]`; returns (argmin, min). `tol` is the absolute x tolerance
/// (R's `optimize` uses `.Machine$double.eps^0.25`).
///
/// ```
/// use mcvideo_doseresponse::optim::brent_min;
/// let (x, fx) = brent_min(|x| (x - 1.5) * (x - 1.5) + 2.0, 0.0, 4.0, 1e-10);
/// assert!((x - 1.5).abs() < 1e-8);
/// assert!((fx - 2.0).abs() < 1e-14);
/// ```
pub fn brent_min<F: FnMut(f64) -> f64>(mut f: F, a: f64, b: f64, tol: f64) -> (f64, f64) {
    let golden = 0.5 * (3.0 - 5f64.sqrt());
    let eps = f64::EPSILON.sqrt();
    let (mut a, mut b) = (a.min(b), a.max(b));
    let mut v = a + golden * (b - a);
    let mut w = v;
    let mut x = v;
    let mut fx = f(x);
    let mut fv = fx;
    let mut fw = fx;
    let mut d: f64 = 0.0;
    let mut e: f64 = 0.0;
    for _ in 0..500 {
        let xm = 0.5 * (a + b);
        let tol1 = eps * x.abs() + tol / 3.0;
        let tol2 = 2.0 * tol1;
        if (x - xm).abs() <= tol2 - 0.5 * (b - a) {
            break;
        }
        let mut golden_step = true;
        if e.abs() > tol1 {
            let r = (x - w) * (fx - fv);
            let mut q = (x - v) * (fx - fw);
            let mut p = (x - v) * q - (x - w) * r;
            q = 2.0 * (q - r);
            if q > 0.0 {
                p = -p;
            } else {
                q = -q;
            }
            let etemp = e;
            e = d;
            if p.abs() < (0.5 * q * etemp).abs() && p > q * (a - x) && p < q * (b - x) {
                d = p / q;
                let u = x + d;
                if u - a < tol2 || b - u < tol2 {
                    d = if xm >= x { tol1 } else { -tol1 };
                }
                golden_step = false;
            }
        }
        if golden_step {
            e = if x < xm { b - x } else { a - x };
            d = golden * e;
        }
        let u = if d.abs() >= tol1 {
            x + d
        } else if d > 0.0 {
            x + tol1
        } else {
            x - tol1
        };
        let fu = f(u);
        if fu <= fx {
            if u < x {
                b = x;
            } else {
                a = x;
            }
            v = w;
            fv = fw;
            w = x;
            fw = fx;
            x = u;
            fx = fu;
        } else {
            if u < x {
                a = u;
            } else {
                b = u;
            }
            if fu <= fw || w == x {
                v = w;
                fv = fw;
                w = u;
                fw = fu;
            } else if fu <= fv || v == x || v == w {
                v = u;
                fv = fu;
            }
        }
    }
    (x, fx)
}
