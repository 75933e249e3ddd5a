#!/usr/bin/env python3
"""Independent check values for the cox.zph test (survival >= 3.0) on fixtures/reference/lung.csv.

R is not available where mcvideo is built, so these numbers are computed here, in plain Python,
from the formulas of Grambsch & Therneau (1994) as survival's cox.zph applies them: the score
test at (beta_hat, 0) of adding g(t) * x, g = 1 - KM(t-) centred on the deaths' mean, with Efron
ties, and the scaled Schoenfeld residuals beta + V^-1 r, V = information / deaths.  The fitted
coefficients are R's own (fixtures/reference/lung_cox.json), so the Rust code, which fits its own,
is checked against R's fit plus this independent evaluation of the test.

Usage: python3 tools/zph_reference.py > fixtures/reference/lung_cox_zph.json
"""
import csv, json, math, os

HERE = os.path.dirname(os.path.abspath(__file__))
REF = os.path.join(HERE, "..", "fixtures", "reference")


def solve(a, b):
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for c in range(n):
        piv = max(range(c, n), key=lambda r: abs(m[r][c]))
        m[c], m[piv] = m[piv], m[c]
        for r in range(n):
            if r != c:
                f = m[r][c] / m[c][c]
                for k in range(c, n + 1):
                    m[r][k] -= f * m[c][k]
    return [m[i][n] / m[i][i] for i in range(n)]


def chisq_upper(x, df):
    # Regularized upper incomplete gamma Q(df/2, x/2) by series / continued fraction.
    a, z = df / 2.0, x / 2.0
    if z < a + 1:
        s, term, k = 1.0 / a, 1.0 / a, 0
        while abs(term) > 1e-17 * abs(s):
            k += 1
            term *= z / (a + k)
            s += term
        return 1.0 - s * math.exp(-z + a * math.log(z) - math.lgamma(a))
    b, c, d = z + 1 - a, 1e300, 1.0 / (z + 1 - a)
    h = d
    for i in range(1, 10000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        c = b + an / c
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-16:
            break
    return math.exp(-z + a * math.log(z) - math.lgamma(a)) * h


def main():
    names = ["age", "sex", "ph_ecog"]
    rows = []
    with open(os.path.join(REF, "lung.csv")) as f:
        for r in csv.DictReader(f):
            vals = [r["time"], r["event"]] + [r[n] for n in names]
            if all(v.strip() not in ("", "NA") for v in vals):
                rows.append([float(v) for v in vals])
    fit = json.load(open(os.path.join(REF, "lung_cox.json")))
    beta = [t["coef"] for t in fit["terms"]]
    p = len(names)
    time = [r[0] for r in rows]
    event = [r[1] == 1 for r in rows]
    x = [r[2:] for r in rows]
    n = len(rows)
    w = [math.exp(sum(x[i][j] * beta[j] for j in range(p))) for i in range(n)]
    # Left-continuous KM of all rows.
    km_before = {}
    s = 1.0
    for t in sorted(set(time)):
        km_before[t] = s
        at_risk = sum(1 for v in time if v >= t)
        d = sum(1 for i in range(n) if time[i] == t and event[i])
        s *= (at_risk - d) / at_risk
    g_raw = [1 - km_before[t] for t in time]
    deaths = [i for i in range(n) if event[i]]
    gbar = sum(g_raw[i] for i in deaths) / len(deaths)
    g = [v - gbar for v in g_raw]
    info = [[0.0] * (2 * p) for _ in range(2 * p)]
    u2 = [0.0] * p
    resid = []  # (time, original row, residual)
    for t in sorted(set(time[i] for i in deaths)):
        risk = [i for i in range(n) if time[i] >= t]
        dset = [i for i in deaths if time[i] == t]
        d = len(dset)
        gt = g[dset[0]]
        means = []
        for k in range(d):
            frac = k / d
            wt = {i: w[i] * (1 - frac if i in dset else 1.0) for i in risk}
            s0 = sum(wt.values())
            m = [sum(wt[i] * x[i][a] for i in risk) / s0 for a in range(p)]
            v = [[sum(wt[i] * x[i][a] * x[i][b] for i in risk) / s0 - m[a] * m[b]
                  for b in range(p)] for a in range(p)]
            means.append(m)
            for a in range(p):
                for b in range(p):
                    info[a][b] += v[a][b]
                    info[a][b + p] += gt * v[a][b]
                    info[a + p][b] += gt * v[a][b]
                    info[a + p][b + p] += gt * gt * v[a][b]
        mbar = [sum(m[a] for m in means) / d for a in range(p)]
        for i in dset:
            for a in range(p):
                u2[a] += gt * (x[i][a] - mbar[a]) 
            resid.append((t, i, [x[i][a] - mbar[a] for a in range(p)]))
    # The per-death mean subtraction above uses mbar; U2 sums g * (x - sum_k m_k / d) over the
    # d deaths, which equals g * (sum x - sum_k m_k): the Efron score of the g(t) x column.
    table = []
    for j in range(p):
        keep = list(range(p)) + [p + j]
        sub = [[info[a][b] for b in keep] for a in keep]
        vec = [0.0] * p + [u2[j]]
        sol = solve(sub, vec)
        chi2 = sum(sol[k] * vec[k] for k in range(p + 1))
        table.append({"term": names[j], "chi2": chi2, "df": 1, "p": chisq_upper(chi2, 1)})
    vec = [0.0] * p + u2
    sol = solve(info, vec)
    chi2 = sum(sol[k] * vec[k] for k in range(2 * p))
    glob = {"term": "GLOBAL", "chi2": chi2, "df": p, "p": chisq_upper(chi2, p)}
    nd = len(deaths)
    vmean = [[info[a][b] / nd for b in range(p)] for a in range(p)]
    resid.sort(key=lambda r: (r[0], r[1]))
    scaled = [[v + beta[a] for a, v in enumerate(solve(vmean, r[2]))] for r in resid]
    out = {
        "source": "tools/zph_reference.py (independent Python evaluation; coefficients from R's lung_cox.json)",
        "model": "coxph(Surv(time, event) ~ age + sex + ph_ecog), Efron ties; cox.zph(fit) with transform = 'km'",
        "n": n,
        "terms": table,
        "global": glob,
        "time": [r[0] for r in resid],
        "x": [g_raw[r[1]] for r in resid],
        "residuals_first5": [[row[a] for row in scaled[:5]] for a in range(p)],
        "residuals_last5": [[row[a] for row in scaled[-5:]] for a in range(p)],
    }
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
