"""A user's least-squares data as IDX files, and the epochs the plain numpy GD loop needs.

Regenerate with:  python3 Tests/Fixtures/make_user_least_squares.py
Writes user_least_squares/{X.idx,y.idx,expected.txt}: X is 300×12 float64 (IDX type 0x0E) with
column scales spread 10×, y = X w° + noise (so F* > 0). expected.txt holds lr = 1/L with
L = λmax(XᵀX/n), and the number of iterations of

    w = 0;  repeat: w -= lr * X.T @ (X @ w - y) / n

until (F(w) − F*)/(F(0) − F*) ≤ 1e-6, F(w) = ‖Xw − y‖²/(2n), F* from numpy.linalg.lstsq.
One GD step is one epoch, so `optbench run ... --optimizer gd --hp lr=<lr>` from the default
start w = 0 must report the same count. The script checks the crossing is not borderline.
"""
import os
import struct

import numpy as np

rng = np.random.default_rng(7)
n, d = 300, 12
X = rng.standard_normal((n, d)) * np.logspace(0, -1, d)
y = X @ rng.standard_normal(d) + 0.3 * rng.standard_normal(n)
L = np.linalg.eigvalsh(X.T @ X / n).max()
lr = 1.0 / L
w_star = np.linalg.lstsq(X, y, rcond=None)[0]
F = lambda w: 0.5 * np.sum((X @ w - y) ** 2) / n
f_star, f0 = F(w_star), F(np.zeros(d))
w = np.zeros(d)
k, ratios = 0, []
while True:
    r = (F(w) - f_star) / (f0 - f_star)
    ratios.append(r)
    if r <= 1e-6:
        break
    w -= lr * X.T @ (X @ w - y) / n
    k += 1
assert ratios[-1] < 0.9999e-6 and ratios[-2] > 1.0001e-6, "borderline crossing; pick another seed"


def write_idx(path, a):
    code = {np.dtype(np.float64): 0x0E}[a.dtype]
    with open(path, "wb") as f:
        f.write(struct.pack(">BBBB", 0, 0, code, a.ndim))
        for s in a.shape:
            f.write(struct.pack(">I", s))
        f.write(a.astype(">f8").tobytes())


here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "user_least_squares")
os.makedirs(here, exist_ok=True)
write_idx(os.path.join(here, "X.idx"), X)
write_idx(os.path.join(here, "y.idx"), y)
with open(os.path.join(here, "expected.txt"), "w") as f:
    f.write(f"lr={float(lr)!r}\nepochs={k}\n")
print(f"lr={lr!r} epochs={k} ratio before {ratios[-2]:.3e} at {ratios[-1]:.3e}")
