"""Reference iterates of "modern" optimizers, for OptBench's Swift implementations of them.

Regenerate (from the repository root):

    PYTHONPATH=/tmp/refs python3 Tests/Fixtures/modern/make_modern_fixtures.py

It writes, beside itself:
  modern_rosenbrock.csv  F(x, y) = (1 - x)^2 + 100 (y - x^2)^2, one parameter of shape (2,), start (-1.5, 2)
  modern_w7.csv          F(w) = (w^7 - 1)^2, one parameter of shape (1,), start 0.5
  modern_matrix.csv      F(W, b) = 1/(2m) sum_i |W x_i + b - y_i|^2 with W (q, p) = (4, 5) (torch Linear
                         layout, out x in) and b (4,), data and start in matrix_problem.csv
  matrix_problem.csv     the data X (m x p = 16 x 5), Y (m x q = 16 x 4) and the start W0 (4 x 5), b0 (4):
                         rows `array,row,col,value` (b0 has col 0), values %.17g; made once by
                         numpy.random.default_rng(MATRIX_SEED) (see make_matrix_problem) and then READ
                         BACK from the CSV, so the CSV is the definition.

Rows of the iterate CSVs: `optimizer,hp,step,loss,x0,...,x{n-1},e0,...,e{n-1}`, float64, %.17g. `step` 0 is
the start; step t is the iterate after t calls of opt.step(), each made after one backward() of F at the
current parameters (no closure: no rule here needs one). x is the flattened parameter vector (matrix:
[W row-major, then b]) as held by the parameters (for schedule-free rules that is the TRAIN point y), `loss`
is F at x. The e columns are empty except for
  sf_adamw / sf_sgd: the evaluation point x of schedule-free (what optimizer.eval() puts in the parameters);
                     read by eval(), copy, train(), and then the saved train point is copied back, so the
                     recorded trajectory is exactly the one of a run that never calls eval() (the eval/train
                     lerp round trip alone moves y by rounding, ~1e-16 relative);
  asgd:              the averaged iterate state['ax'] (step 0: the start).
`optimizer` and `hp` (space-separated key=value words, tuples written a,b[,c] and quoted, bools true/false,
None as none) are the OptBench names; README.md beside this file lists every rule's names and defaults.

Everything runs in float64 (torch.set_default_dtype(torch.float64), so scalar state like `step` is
float64 too) on the single-tensor path (foreach=False wherever the constructor has it). STEPS = 60.

References (exact versions; the script refuses other versions unless OPTBENCH_ANY_VERSION=1):
  torch==2.13.0+cpu          adamax, radam, nadamw (NAdam, decoupled_weight_decay=True), adafactor, rprop,
                             asgd, muon (+ torch.optim.AdamW on the non-2-D parameter)
  lion-pytorch==0.2.5        lion           (lion_pytorch.Lion)
  schedulefree==1.4.1        sf_adamw, sf_sgd (AdamWScheduleFree, SGDScheduleFree)
  prodigyopt==1.1.2          prodigy        (prodigyopt.Prodigy)
  timm==1.0.31               lamb, lars     (timm.optim.lamb.Lamb, timm.optim.lars.Lars); installed with
                             `pip install --no-deps timm==1.0.31` (its torchvision dependency is not needed:
                             the two modules are imported without running timm/__init__, see _timm_module)
Files from the authors' GitHub repositories (NOT committed here: put them on PYTHONPATH or beside this script;
the script checks their git blob sha):
  adan.py      github.com/sail-sg/Adan             @ 2c65beaf400775753b155da4082c3819fea689b9  (adan.py,
               blob 9477c32dc82f8ad4b2ee53a50354ab54502c9f0e)
  ademamix.py  github.com/apple/ml-ademamix        @ c3d73c09f1287e5c33b95189bb0aa7de0a5a7667  (pytorch/ademamix.py,
               blob e7d3aa37fbb4a26222478ede3ffbbb1160081865)
  soap.py      github.com/nikhilvyas/SOAP          @ a1e553530fde97d0e6b307d7c82ac6d38b072340  (soap.py,
               blob a6362cc9ed2f50ed299204eb3bf07715e7280757)
  distributed_shampoo/  (the whole folder) github.com/facebookresearch/optimizers
               @ f60660661194de26d3ee78bae6d15820ff8e583d (checked by the blob of its distributed_shampoo.py,
               0bbbc8448f8efa76e2d42fb36b69aa73253b7621); `shampoo`. Its pyproject asks for Python >= 3.12, but it
               imports and runs on the 3.11.7 used here. Its float32 defaults for the factor and inverse-root
               matrices are set to float64 through its own config (RootInvShampooPreconditionerConfig(
               factor_matrix_dtype=torch.float64, inv_factor_matrix_dtype=torch.float64)): no code change.
E.g. (bare git mirrors):  git --git-dir=<SOAP mirror> show a1e5535:soap.py > /tmp/refs/soap.py, likewise adan.py and
ademamix.py, and  git --git-dir=<optimizers mirror> archive f606606 distributed_shampoo | tar x -C /tmp/refs

Two references compute part of their update in a lower precision than float64, which no float64
re-implementation can match to 1e-10; the fixtures use them with exactly that cast removed (done by
rewriting the reference's own source text at run time, so nothing else changes):
  muon: torch's _zeropower_via_newtonschulz starts with `grad.bfloat16()`; here `grad.clone()` (Newton-Schulz
        in float64).
  soap: SOAP.get_orthogonal_matrix / get_orthogonal_matrix_QR cast the preconditioner and eigenbasis to float32
        (`.float()`) for eigh / QR; here `.double()`.
With --check the script also writes check_report.txt: it reports how far the unpatched (bf16 / float32) trajectories are from the fixtures,
and runs every configuration again from the start perturbed by 1e-12 (each coordinate) to measure sensitivity.
"""
import contextlib
import csv
import hashlib
import importlib
import importlib.util
import inspect
import io
import math
import os
import sys
import textwrap
import types

import numpy as np
import torch

STEPS = 60
MATRIX_SEED = 20250117
HERE = os.path.dirname(os.path.abspath(__file__))

VERSIONS = {
    "torch": "2.13.0+cpu",
    "lion-pytorch": "0.2.5",
    "schedulefree": "1.4.1",
    "prodigyopt": "1.1.2",
    "timm": "1.0.31",
}
SHAMPOO_FILE = ("facebookresearch/optimizers", "f60660661194de26d3ee78bae6d15820ff8e583d",
                "distributed_shampoo/distributed_shampoo.py", "0bbbc8448f8efa76e2d42fb36b69aa73253b7621")
AUTHOR_FILES = {  # module name: (repo, commit, path in repo, git blob sha)
    "adan": ("sail-sg/Adan", "2c65beaf400775753b155da4082c3819fea689b9", "adan.py",
             "9477c32dc82f8ad4b2ee53a50354ab54502c9f0e"),
    "ademamix": ("apple/ml-ademamix", "c3d73c09f1287e5c33b95189bb0aa7de0a5a7667", "pytorch/ademamix.py",
                 "e7d3aa37fbb4a26222478ede3ffbbb1160081865"),
    "soap": ("nikhilvyas/SOAP", "a1e553530fde97d0e6b307d7c82ac6d38b072340", "soap.py",
             "a6362cc9ed2f50ed299204eb3bf07715e7280757"),
}


# ----------------------------------------------------------------------------------------------------------
# references


def check_versions():
    from importlib.metadata import version
    bad = []
    for pkg, want in VERSIONS.items():
        have = torch.__version__ if pkg == "torch" else version(pkg)
        if have != want:
            bad.append(f"{pkg}: have {have}, fixtures made with {want}")
    if bad and os.environ.get("OPTBENCH_ANY_VERSION") != "1":
        raise SystemExit("wrong reference versions (set OPTBENCH_ANY_VERSION=1 to go on anyway):\n  " + "\n  ".join(bad))


def git_blob_sha(path):
    data = open(path, "rb").read()
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def author_module(name):
    repo, commit, path, blob = AUTHOR_FILES[name]
    for d in [HERE] + sys.path:
        f = os.path.join(d or ".", name + ".py")
        if os.path.isfile(f):
            break
    else:
        raise SystemExit(f"{name}.py not found: put {path} from github.com/{repo} at {commit} on PYTHONPATH "
                         f"or beside this script")
    if git_blob_sha(f) != blob and os.environ.get("OPTBENCH_ANY_VERSION") != "1":
        raise SystemExit(f"{f} is not {path} of {repo}@{commit} (blob {blob})")
    spec = importlib.util.spec_from_file_location(name, f)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _timm_module(sub):
    """timm.optim.<sub> without executing timm/__init__.py (which imports torchvision) or timm/optim/__init__.py."""
    if "timm.optim" not in sys.modules:
        root = os.path.dirname(importlib.util.find_spec("timm").origin)
        for name, path in [("timm", root), ("timm.optim", os.path.join(root, "optim"))]:
            m = types.ModuleType(name)
            m.__path__ = [path]
            sys.modules[name] = m
    return importlib.import_module("timm.optim." + sub)


def _patched_function(func, old, new, namespace):
    src = textwrap.dedent(inspect.getsource(func))
    if src.count(old) < 1:
        raise SystemExit(f"cannot patch {func.__qualname__}: {old!r} not in its source")
    src = src.replace(old, new)
    src = "\n".join(l for l in src.splitlines() if not l.lstrip().startswith("@"))  # drop decorators
    scope = dict(namespace)
    exec(compile(src, f"<patched {func.__qualname__}>", "exec"), scope)
    return scope[func.__name__]


PRECISION_PATCH = True  # False only for --check's comparison with the unpatched references


def muon_module():
    import torch.optim._muon as m
    if not hasattr(m, "_zeropower_original"):
        m._zeropower_original = m._zeropower_via_newtonschulz
        m._zeropower_float64 = _patched_function(m._zeropower_via_newtonschulz, "grad.bfloat16()", "grad.clone()",
                                                 vars(m))
    m._zeropower_via_newtonschulz = m._zeropower_float64 if PRECISION_PATCH else m._zeropower_original
    return m


_SOAP = {}


def shampoo_package():
    """facebookresearch/optimizers' distributed_shampoo package (a directory) from PYTHONPATH or beside this script."""
    repo, commit, path, blob = SHAMPOO_FILE
    sys.path.insert(0, HERE)
    try:
        import distributed_shampoo as ds
        from distributed_shampoo import shampoo_types
    except ImportError:
        raise SystemExit(f"distributed_shampoo not found: put the folder distributed_shampoo of github.com/{repo} at "
                         f"{commit} on PYTHONPATH or beside this script")
    finally:
        sys.path.remove(HERE)
    f = os.path.join(os.path.dirname(ds.__file__), "distributed_shampoo.py")
    if git_blob_sha(f) != blob and os.environ.get("OPTBENCH_ANY_VERSION") != "1":
        raise SystemExit(f"{f} is not {path} of {repo}@{commit} (blob {blob})")
    import logging
    logging.getLogger("distributed_shampoo").setLevel(logging.ERROR)
    return ds, shampoo_types


def soap_class():
    if "mod" not in _SOAP:
        mod = author_module("soap")
        patched = {n: _patched_function(getattr(mod.SOAP, n), ".float()", ".double()", vars(mod))
                   for n in ("get_orthogonal_matrix", "get_orthogonal_matrix_QR")}
        _SOAP["mod"] = mod
        _SOAP[True] = type("SOAP64", (mod.SOAP,), patched)
        _SOAP[False] = mod.SOAP
    return _SOAP[PRECISION_PATCH]


# ----------------------------------------------------------------------------------------------------------
# problems


def make_matrix_problem():
    rng = np.random.default_rng(MATRIX_SEED)
    m, p, q = 16, 5, 4
    X = rng.standard_normal((m, p))
    W_true = 0.5 * rng.standard_normal((q, p))
    b_true = 0.5 * rng.standard_normal(q)
    Y = X @ W_true.T + b_true + 0.1 * rng.standard_normal((m, q))
    W0 = 0.5 * rng.standard_normal((q, p))
    b0 = 0.5 * rng.standard_normal(q)
    path = os.path.join(HERE, "matrix_problem.csv")
    with open(path, "w", newline="") as out:
        w = csv.writer(out, lineterminator="\n")
        w.writerow(["array", "row", "col", "value"])
        for name, a in [("X", X), ("Y", Y), ("W0", W0), ("b0", b0.reshape(-1, 1))]:
            for i in range(a.shape[0]):
                for j in range(a.shape[1]):
                    w.writerow([name, i, j, f"{a[i, j]:.17g}"])


def read_matrix_problem():
    arrays = {}
    with open(os.path.join(HERE, "matrix_problem.csv")) as f:
        for r in csv.DictReader(f):
            arrays.setdefault(r["array"], {})[(int(r["row"]), int(r["col"]))] = float(r["value"])
    out = {}
    for name, cells in arrays.items():
        rows = 1 + max(i for i, _ in cells)
        cols = 1 + max(j for _, j in cells)
        out[name] = torch.tensor([[cells[(i, j)] for j in range(cols)] for i in range(rows)], dtype=torch.float64)
    out["b0"] = out["b0"].reshape(-1)
    return out


class Problem:
    def __init__(self, name, starts, loss):
        self.name, self.starts, self.loss = name, starts, loss

    def params(self, perturb=0.0):
        return [torch.tensor(s, dtype=torch.float64).add(perturb).requires_grad_(True) for s in self.starts]

    def size(self):
        return sum(torch.tensor(s).numel() for s in self.starts)


def problems():
    d = read_matrix_problem()
    X, Y, m = d["X"], d["Y"], d["X"].shape[0]

    def matrix_loss(ps):
        W, b = ps
        r = X @ W.T + b - Y
        return (r * r).sum() / (2 * m)

    return {
        "rosenbrock": Problem("rosenbrock", [[-1.5, 2.0]],
                              lambda ps: (1 - ps[0][0]) ** 2 + 100 * (ps[0][1] - ps[0][0] ** 2) ** 2),
        "w7": Problem("w7", [[0.5]], lambda ps: (ps[0][0] ** 7 - 1) ** 2),
        "matrix": Problem("matrix", [d["W0"].tolist(), d["b0"].tolist()], matrix_loss),
    }


# ----------------------------------------------------------------------------------------------------------
# rules: OptBench name -> constructor from (OptBench hp, list of parameter tensors)


class Runner:
    """One or more torch optimizers driven as one; eval_point() gives the e columns (or None)."""

    def __init__(self, opts, params, eval_point=None):
        self.opts, self.params, self._eval = opts, params, eval_point

    def zero_grad(self):
        for o in self.opts:
            o.zero_grad()

    def step(self):
        for o in self.opts:
            o.step()

    def eval_point(self):
        return self._eval() if self._eval else None


def _sf_runner(opt, params):
    opt.train()
    roundtrip = [0.0]

    def eval_point():
        with torch.no_grad():
            y = [p.detach().clone() for p in params]
            opt.eval()
            x = torch.cat([p.detach().reshape(-1).clone() for p in params])
            opt.train()
            roundtrip[0] = max(roundtrip[0], max((p - s).abs().max().item() for p, s in zip(params, y)))
            for p, s in zip(params, y):
                p.copy_(s)
        return x

    r = Runner([opt], params, eval_point)
    r.roundtrip = roundtrip
    return r


def _asgd_runner(opt, params):
    def eval_point():
        return torch.cat([(opt.state[p]["ax"] if "ax" in opt.state[p] else p).detach().reshape(-1).clone()
                          for p in params])
    return Runner([opt], params, eval_point)


def timm_param_groups(params, hp):
    """timm.optim._param_groups.param_groups_weight_decay as create_optimizer_v2(model, ...) builds it: with
    filter_bias_and_bn (its weight_decay_exclude_1d) and weight_decay != 0, the params with ndim <= 1 form a
    first group with weight_decay 0, the others a second group with the given weight_decay; with
    weight_decay == 0 one group with weight_decay 0."""
    hp = dict(hp)
    filt = hp.pop("filter_bias_and_bn", True)
    wd = hp.get("weight_decay", None)
    if not filt:
        return [{"params": params}], hp
    wd_value = wd if wd is not None else DEFAULT_TIMM_WD
    no_decay = [p for p in params if p.ndim <= 1]
    decay = [p for p in params if p.ndim > 1]
    if not wd_value:
        return [{"params": params, "weight_decay": 0.0}], hp
    groups = []
    if no_decay:
        groups.append({"params": no_decay, "weight_decay": 0.0})
    if decay:
        groups.append({"params": decay, "weight_decay": wd_value})
    return groups, hp


DEFAULT_TIMM_WD = None  # set per rule in build() (the optimizer constructor's default)


def build(name, hp, params):
    global DEFAULT_TIMM_WD
    kw = dict(hp)
    if name == "adamax":
        return Runner([torch.optim.Adamax(params, foreach=False, **kw)], params)
    if name == "radam":
        return Runner([torch.optim.RAdam(params, foreach=False, **kw)], params)
    if name == "nadamw":
        return Runner([torch.optim.NAdam(params, foreach=False, decoupled_weight_decay=True, **kw)], params)
    if name == "adafactor":
        eps = (kw.pop("eps1", None), kw.pop("eps2", 1e-3))
        return Runner([torch.optim.Adafactor(params, foreach=False, eps=eps, **kw)], params)
    if name == "rprop":
        return Runner([torch.optim.Rprop(params, foreach=False, **kw)], params)
    if name == "asgd":
        return _asgd_runner(torch.optim.ASGD(params, foreach=False, **kw), params)
    if name == "muon":
        muon_module()
        adamw = {k[len("adamw_"):]: kw.pop(k) for k in list(kw) if k.startswith("adamw_")}
        two_d = [p for p in params if p.ndim == 2]
        other = [p for p in params if p.ndim != 2]
        opts = [torch.optim.Muon(two_d, **kw)]
        if other:
            opts.append(torch.optim.AdamW(other, foreach=False, **adamw))
        return Runner(opts, params)
    if name == "lion":
        import lion_pytorch
        return Runner([lion_pytorch.Lion(params, **kw)], params)
    if name == "sf_adamw":
        import schedulefree
        return _sf_runner(schedulefree.AdamWScheduleFree(params, foreach=False, **kw), params)
    if name == "sf_sgd":
        import schedulefree
        return _sf_runner(schedulefree.SGDScheduleFree(params, foreach=False, **kw), params)
    if name == "prodigy":
        import prodigyopt
        with contextlib.redirect_stdout(io.StringIO()):  # it prints "Using decoupled weight decay"
            opt = prodigyopt.Prodigy(params, **kw)
        return Runner([opt], params)
    if name == "lamb":
        DEFAULT_TIMM_WD = 0.01
        groups, kw = timm_param_groups(params, kw)
        return Runner([_timm_module("lamb").Lamb(groups, foreach=False, **kw)], params)
    if name == "lars":
        DEFAULT_TIMM_WD = 0.0
        groups, kw = timm_param_groups(params, kw)
        return Runner([_timm_module("lars").Lars(groups, foreach=False, **kw)], params)
    if name == "adan":
        return Runner([author_module("adan").Adan(params, foreach=False, fused=False, **kw)], params)
    if name == "ademamix":
        return Runner([author_module("ademamix").AdEMAMix(params, **kw)], params)
    if name == "soap":
        return Runner([soap_class()(params, **kw)], params)
    if name == "shampoo":
        ds, types_ = shampoo_package()
        grafting = kw.pop("grafting", "none")
        g_eps = kw.pop("grafting_epsilon", 1e-10)
        g_beta2 = kw.pop("grafting_beta2", None)
        if grafting == "none":
            graft = None
        elif grafting == "adagrad":
            graft = ds.AdaGradPreconditionerConfig(epsilon=g_eps)
        elif grafting == "adam":
            graft = ds.AdamPreconditionerConfig(epsilon=g_eps, beta2=0.999 if g_beta2 is None else g_beta2)
        elif grafting == "rmsprop":
            graft = ds.RMSpropPreconditionerConfig(epsilon=g_eps, beta2=0.99 if g_beta2 is None else g_beta2)
        else:
            raise ValueError(grafting)
        if "weight_decay_type" in kw:
            kw["weight_decay_type"] = types_.WeightDecayType[kw["weight_decay_type"]]
        dist = ds.SingleDeviceDistributedConfig(
            target_parameter_dimensionality=kw.pop("target_parameter_dimensionality", 1))
        precond = ds.RootInvShampooPreconditionerConfig(factor_matrix_dtype=torch.float64,
                                                        inv_factor_matrix_dtype=torch.float64)
        with contextlib.redirect_stderr(io.StringIO()):
            opt = ds.DistributedShampoo(params, grafting_config=graft, preconditioner_config=precond,
                                        distributed_config=dist, **kw)
        return Runner([opt], params)
    raise ValueError(name)


# ----------------------------------------------------------------------------------------------------------
# configurations: (OptBench name, hp, problems)

R, W7, M = "rosenbrock", "w7", "matrix"
ALL = (R, W7, M)


def per(problem_hp):
    """{problem: hp} -> list of (hp, (problem,))"""
    return [(hp, (p,)) for p, hp in problem_hp.items()]


CONFIGS = []


def add(name, hp, probs=ALL):
    CONFIGS.append((name, hp, probs))


# --- torch.optim
add("adamax", {"lr": 0.05})
add("adamax", {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.1})
add("adamax", {"lr": 0.002}, (W7, M))
add("radam", {"lr": 5e-4}, (R,))  # its first steps are un-adapted SGD-momentum: a larger lr explodes
add("radam", {"lr": 2e-3, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.1}, (R,))
add("radam", {"lr": 1e-3, "weight_decay": 0.1, "decoupled_weight_decay": True}, (R,))
add("radam", {"lr": 0.01}, (W7, M))
add("radam", {"lr": 0.02, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.1}, (W7, M))
add("radam", {"lr": 0.02, "weight_decay": 0.1, "decoupled_weight_decay": True}, (W7, M))
add("nadamw", {"lr": 0.01}, (R, W7))
add("nadamw", {"lr": 0.02}, (M,))  # lr 0.01 on matrix: a 1e-12 change of the start grows to 2.4e-8
add("nadamw", {"lr": 0.01, "weight_decay": 0.1})
add("nadamw", {"lr": 0.01, "betas": (0.95, 0.99), "eps": 1e-6, "weight_decay": 0.2, "momentum_decay": 0.01})
add("adafactor", {"lr": 0.005}, (R,))  # lr 0.01 reaches the valley floor, where its sign-like steps chatter
add("adafactor", {}, (W7, M))
add("adafactor", {"lr": 0.05, "beta2_decay": -0.5, "eps1": 1e-10, "eps2": 0.01, "d": 1.5, "weight_decay": 0.1}, (R, W7))
add("adafactor", {"lr": 0.02, "beta2_decay": -0.5, "eps1": 1e-10, "eps2": 0.01, "d": 1.5, "weight_decay": 0.1}, (M,))
add("adafactor", {"lr": 0.03, "d": 2.0, "weight_decay": 0.02}, (M,))
add("rprop", {})
add("rprop", {"lr": 0.001, "etas": (0.3, 1.5), "step_sizes": (1e-5, 0.1)})
add("asgd", {"lr": 5e-4}, (R,))
add("asgd", {"lr": 5e-4, "lambd": 0.01, "alpha": 0.5, "t0": 20.0, "weight_decay": 0.1}, (R,))
add("asgd", {"lr": 0.01}, (W7,))
add("asgd", {"lr": 0.01, "lambd": 0.1, "alpha": 0.5, "t0": 20.0, "weight_decay": 0.05}, (W7,))
add("asgd", {"lr": 0.1}, (M,))
add("asgd", {"lr": 0.1, "lambd": 0.05, "alpha": 0.5, "t0": 20.0, "weight_decay": 0.05}, (M,))
add("muon", {"lr": 0.02, "adamw_lr": 0.01}, (M,))
add("muon", {"lr": 0.02, "momentum": 0.9, "nesterov": False, "weight_decay": 0.0, "adjust_lr_fn": "match_rms_adamw",
             "adamw_lr": 0.02, "adamw_betas": (0.9, 0.95), "adamw_eps": 1e-10, "adamw_weight_decay": 0.0}, (M,))
add("muon", {"lr": 0.01, "weight_decay": 0.05, "ns_coefficients": (1.5, -0.5, 0.0), "ns_steps": 10, "eps": 1e-5,
             "adjust_lr_fn": "original", "adamw_lr": 0.01, "adamw_weight_decay": 0.1}, (M,))
# --- authors' packages
add("lion", {"lr": 0.01})
add("lion", {"lr": 0.01, "betas": (0.95, 0.98), "weight_decay": 0.5})
add("lion", {"lr": 0.01, "weight_decay": 0.002, "decoupled_weight_decay": True})
add("sf_adamw", {"lr": 0.01})
add("sf_adamw", {"lr": 0.02, "betas": (0.95, 0.99), "eps": 1e-6, "weight_decay": 0.1, "warmup_steps": 10})
add("sf_adamw", {"lr": 0.02, "r": 1.0, "weight_lr_power": 1.0, "warmup_steps": 5})
add("sf_sgd", {"lr": 5e-4}, (R,))
add("sf_sgd", {"lr": 5e-4, "momentum": 0.8, "weight_decay": 0.1, "warmup_steps": 10, "r": 0.5, "weight_lr_power": 1.0},
    (R,))
add("sf_sgd", {"lr": 0.02}, (W7,))
add("sf_sgd", {"lr": 0.02, "momentum": 0.8, "weight_decay": 0.1, "warmup_steps": 10, "r": 0.5, "weight_lr_power": 1.0},
    (W7,))
add("sf_sgd", {"lr": 0.2}, (M,))
add("sf_sgd", {"lr": 0.2, "momentum": 0.8, "weight_decay": 0.1, "warmup_steps": 10, "r": 0.5, "weight_lr_power": 1.0},
    (M,))
add("prodigy", {}, (R,))
add("prodigy", {"lr": 0.2}, (M,))  # lr 1 on matrix: sens 7.7e-10 (its d jumps; `d == d0` is an exact test)
add("prodigy", {"lr": 0.1}, (W7,))  # lr 1: its d estimate overshoots and w swings through [-2.5, 2.5]
add("prodigy", {"betas": (0.9, 0.99), "beta3": 0.9, "weight_decay": 0.1, "use_bias_correction": True, "d0": 1e-4,
                "d_coef": 0.5}, (R, W7))
add("prodigy", {"betas": (0.9, 0.99), "beta3": 0.9, "weight_decay": 0.1, "use_bias_correction": True, "d0": 1e-4,
                "d_coef": 0.2}, (M,))
add("prodigy", {"weight_decay": 0.1, "decouple": False, "safeguard_warmup": True, "growth_rate": 1.1, "eps": 1e-6})
add("prodigy", {"betas": (0.0, 0.99), "slice_p": 2}, (M,))
add("lamb", {"lr": 0.01, "filter_bias_and_bn": False}, (R, W7))
add("lamb", {"lr": 0.01}, (W7,))  # the lone 1-D parameter is in the no-decay group: Adam with the global clip
add("lamb", {"lr": 0.01, "filter_bias_and_bn": False, "betas": (0.8, 0.99), "eps": 1e-8, "weight_decay": 0.1,
             "max_grad_norm": None, "trust_clip": True, "bias_correction": False}, (R, W7))
add("lamb", {"lr": 0.01, "filter_bias_and_bn": False, "weight_decay": 0.1, "grad_averaging": False,
             "decoupled_decay": True, "max_grad_norm": 5.0}, (R, W7))
add("lamb", {"lr": 0.01}, (M,))
add("lamb", {"lr": 0.01, "always_adapt": True, "max_grad_norm": 0.5}, (M,))
add("lamb", {"lr": 0.01, "filter_bias_and_bn": False, "weight_decay": 0.1, "max_grad_norm": None, "trust_clip": True,
             "betas": (0.8, 0.99), "eps": 1e-8}, (M,))
add("lamb", {"lr": 0.01, "weight_decay": 0.1, "decoupled_decay": True, "grad_averaging": False,
             "bias_correction": False}, (M,))
add("lars", {"lr": 1.0, "momentum": 0.9, "weight_decay": 1e-4, "trust_coeff": 0.005, "filter_bias_and_bn": False},
    (R, W7))
add("lars", {"lr": 1.0, "momentum": 0.9, "nesterov": True, "always_adapt": True, "trust_coeff": 0.005,
             "trust_clip": True, "eps": 1e-6, "filter_bias_and_bn": False}, (R, W7))
add("lars", {"lr": 2.0, "momentum": 0.8, "dampening": 0.2, "weight_decay": 0.01, "trust_coeff": 0.005,
             "filter_bias_and_bn": False}, (R,))
add("lars", {"lr": 1.0, "momentum": 0.8, "dampening": 0.2, "weight_decay": 0.01, "trust_coeff": 0.005,
             "filter_bias_and_bn": False}, (W7,))
add("lars", {"lr": 0.5, "momentum": 0.9, "weight_decay": 1e-4, "trust_coeff": 0.02}, (M,))
add("lars", {"lr": 0.5, "momentum": 0.9, "weight_decay": 1e-4, "trust_coeff": 0.02, "always_adapt": True}, (M,))
add("lars", {"lr": 0.5, "momentum": 0.9, "nesterov": True, "weight_decay": 1e-3, "trust_coeff": 0.02,
             "trust_clip": True, "filter_bias_and_bn": False}, (M,))
add("lars", {"lr": 0.5, "momentum": 0.8, "dampening": 0.2, "weight_decay": 1e-3, "trust_coeff": 0.02, "eps": 1e-6},
    (M,))
add("adan", {"lr": 0.01})
add("adan", {"lr": 0.01, "betas": (0.9, 0.9, 0.99), "eps": 1e-6, "weight_decay": 0.1})
add("adan", {"lr": 0.01, "weight_decay": 0.1, "no_prox": True, "max_grad_norm": 5.0})
add("ademamix", {"lr": 0.01})
add("ademamix", {"lr": 0.01, "betas": (0.8, 0.99, 0.999), "alpha": 5.0, "beta3_warmup": 30, "alpha_warmup": 30,
                 "eps": 1e-6, "weight_decay": 0.1})
add("ademamix", {"lr": 0.01, "betas": (0.0, 0.999, 0.99), "alpha": 1.0}, (R, W7))
add("ademamix", {"lr": 0.005, "betas": (0.0, 0.999, 0.99), "alpha": 1.0}, (M,))
add("soap", {"lr": 0.01}, (R, W7))
# matrix: eps 1e-6, not the default 1e-8. At SOAP's first real step the gradient is the one whose factors gave Q
# (the parameters have not moved), so the projected gradient is diagonal in exact arithmetic and rounding noise
# (~1e-16) elsewhere; Adam divides that noise by ~eps, and with eps 1e-8 two correct float64 implementations
# (this fixture and an independent numpy one) then differ by 2e-9; with 1e-6 by 3e-10; with 1e-5 by 2e-11.
add("soap", {"lr": 0.01, "eps": 1e-5}, (M,))
add("soap", {"lr": 0.01, "precondition_1d": True, "precondition_frequency": 5}, (R, W7))
add("soap", {"lr": 0.01, "betas": (0.9, 0.99), "shampoo_beta": 0.9, "eps": 1e-6, "weight_decay": 0.1,
             "precondition_frequency": 3, "normalize_grads": True})
add("soap", {"lr": 0.01, "max_precond_dim": 4, "correct_bias": False, "precondition_frequency": 1}, (M,))
# epsilon: with a tiny epsilon the first root inverses of the rank-deficient factors (one gradient's outer product)
# amplify rounding: 1e-8 on the merged 20-vector factor gives sens 8e-5; 1e-4 gives 8e-13.
add("shampoo", {"lr": 0.01, "betas": (0.9, 0.999), "epsilon": 1e-4, "grafting": "adam", "grafting_beta2": 0.999,
                "grafting_epsilon": 1e-8})
add("shampoo", {"lr": 0.01, "betas": (0.9, 0.999), "epsilon": 1e-8, "grafting": "adam", "grafting_beta2": 0.999,
                "grafting_epsilon": 1e-8, "target_parameter_dimensionality": math.inf, "precondition_frequency": 5,
                "start_preconditioning_step": 10, "weight_decay": 0.01}, (M,))
add("shampoo", {"lr": 0.01, "epsilon": 1e-3, "beta3": 0.8, "grafting": "adagrad", "grafting_epsilon": 1e-8,
                "weight_decay": 0.1, "weight_decay_type": "L2"})
add("shampoo", {"lr": 0.01, "betas": (0.0, 0.99), "epsilon": 1e-6, "use_bias_correction": False,
                "target_parameter_dimensionality": math.inf}, (M,))
add("shampoo", {"lr": 0.01, "epsilon": 1e-6, "grafting": "rmsprop", "grafting_beta2": 0.9, "grafting_epsilon": 1e-6,
                "weight_decay": 0.001, "weight_decay_type": "INDEPENDENT", "precondition_frequency": 3}, (R, W7))


# ----------------------------------------------------------------------------------------------------------
# running and writing


def word(key, value):
    if value is None:
        return f"{key}=none"
    if isinstance(value, bool):
        return f"{key}={'true' if value else 'false'}"
    if isinstance(value, tuple):
        return f"{key}={','.join(repr(v) for v in value)}"
    if isinstance(value, str):
        return f"{key}={value}"
    return f"{key}={value!r}"


class NonFinite(Exception):
    pass


def run(name, hp, problem, perturb=0.0, steps=STEPS):
    params = problem.params(perturb)
    runner = build(name, hp, params)
    rows = []
    for step in range(steps + 1):
        with torch.no_grad():
            loss = problem.loss(params).item()
            x = torch.cat([p.detach().reshape(-1) for p in params]).tolist()
        e = runner.eval_point()
        e = e.tolist() if e is not None else None
        if not all(math.isfinite(v) for v in x + (e or []) + [loss]):
            raise NonFinite(f"{problem.name} {name} {hp}: non-finite at step {step}")
        rows.append((step, loss, x, e))
        if step == steps:
            break
        runner.zero_grad()
        problem.loss(params).backward()
        runner.step()
    return rows, runner


def write(problem, results):
    n = problem.size()
    path = os.path.join(HERE, f"modern_{problem.name}.csv")
    with open(path, "w", newline="") as out:
        w = csv.writer(out, lineterminator="\n")
        w.writerow(["optimizer", "hp", "step", "loss"] + [f"x{i}" for i in range(n)] + [f"e{i}" for i in range(n)])
        for name, hp, rows in results:
            words = " ".join(word(k, v) for k, v in hp.items())
            for step, loss, x, e in rows:
                ecols = [f"{v:.17g}" for v in e] if e is not None else [""] * n
                w.writerow([name, words, step, f"{loss:.17g}"] + [f"{v:.17g}" for v in x] + ecols)


def rel(a, b):
    a, b = np.array(a), np.array(b)
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(a)), 1e-300))


def main():
    global PRECISION_PATCH
    check = "--check" in sys.argv
    torch.set_default_dtype(torch.float64)
    check_versions()
    if "--new-matrix-problem" in sys.argv or not os.path.exists(os.path.join(HERE, "matrix_problem.csv")):
        make_matrix_problem()
    probs = problems()
    report = []
    for pname, problem in probs.items():
        results = []
        for name, hp, which in CONFIGS:
            if pname not in which:
                continue
            try:
                rows, runner = run(name, hp, problem)
            except NonFinite as err:
                if not check:
                    raise SystemExit(str(err))
                report.append(f"FAILED {err}")
                continue
            results.append((name, hp, rows))
            if check:
                words = " ".join(word(k, v) for k, v in hp.items())
                x0, xN = rows[0][2], rows[-1][2]
                moved = rel(xN, x0)
                loss_ratio = rows[-1][1] / rows[0][1]
                prow, _ = run(name, hp, problem, perturb=1e-12)
                sens = max(rel(r[2], q[2]) for r, q in zip(rows, prow))
                sens_final = rel(rows[-1][2], prow[-1][2])
                extra = ""
                if name in ("muon", "soap"):
                    PRECISION_PATCH = False
                    lrow, _ = run(name, hp, problem)
                    PRECISION_PATCH = True
                    extra = f" unpatched-precision-rel-diff={rel(rows[-1][2], lrow[-1][2]):.1e}"
                if hasattr(runner, "roundtrip"):
                    extra += f" eval/train-roundtrip-max={runner.roundtrip[0]:.1e}"
                flag = "" if sens_final < 1e-8 else "  <-- SENSITIVE"
                report.append(f"{pname:10s} {name:9s} loss {rows[0][1]:.3g}->{rows[-1][1]:.3g} "
                              f"(x{loss_ratio:.2g}) moved {moved:.2g} sens(final) {sens_final:.1e} "
                              f"sens(max) {sens:.1e}{extra} [{words}]{flag}")
        write(problem, results)
    if check:
        text = "\n".join(report) + "\n"
        print(text, end="")
        with open(os.path.join(HERE, "check_report.txt"), "w") as out:
            out.write("# make_modern_fixtures.py --check: per configuration, the loss at steps 0 and N, how far x moved\n"
                      "# (max|x_N - x_0| / max|x_0|), and sens = max|x_t - x'_t| / max|x_t| between the run and a run from\n"
                      "# the start + 1e-12 (final step / max over steps); for muon and soap the rel. distance of the final\n"
                      "# iterate from the reference run WITHOUT the float64 patch (bf16 / float32 as shipped).\n")
            out.write(text)


if __name__ == "__main__":
    main()
