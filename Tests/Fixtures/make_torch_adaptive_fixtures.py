"""Reference iterates of torch.optim's Adam family, for OptBenchCLITests/AdaptiveTorchReferenceTests.

Regenerate with:  python3 Tests/Fixtures/make_torch_adaptive_fixtures.py
(needs torch; made with torch 2.13.0+cpu). It writes torch_adaptive_rosenbrock.csv (F(x, y) =
(1 - x)^2 + 100 (y - x^2)^2 from (-1.5, 2)) and torch_adaptive_w7.csv (F(w) = (w^7 - 1)^2 from
0.5) beside itself. Every configuration runs STEPS steps in float64 on the single-tensor path
(foreach=False, torch's default on CPU); rows are `optimizer,hp,step,loss,x0[,x1]`, where
`optimizer` and `hp` (space-separated key=value, quoted when a pair holds a comma) are the
optbench names that reproduce the run. The default dtype is float64 so that torch's scalar state
(`step`, NAdam's `mu_product`) is float64 too, as in optbench.
"""
import csv
import os

import torch

STEPS = 30

# (optbench name, optbench hyper-parameters); torch's keyword arguments are the same names,
# with `betas` a tuple and the presets' fixed settings added by `torch_optimizer`.
CONFIGS = [
    ("adagrad", {"lr": 0.1}),
    ("adagrad", {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.1, "initial_accumulator_value": 0.5, "eps": 1e-6}),
    ("rmsprop", {"lr": 1e-3}),
    ("rmsprop", {"lr": 1e-3, "centered": True}),
    ("rmsprop", {"lr": 1e-3, "momentum": 0.9, "weight_decay": 0.1}),
    ("rmsprop", {"lr": 1e-3, "alpha": 0.9, "eps": 1e-6, "momentum": 0.5, "centered": True, "weight_decay": 0.01}),
    ("adam", {"lr": 0.01}),
    ("adam", {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.1}),
    ("adam", {"lr": 0.01, "amsgrad": True, "weight_decay": 0.05}),
    ("adam", {"lr": 0.01, "weight_decay": 0.2, "decoupled_weight_decay": True}),
    ("amsgrad", {"lr": 0.01}),
    ("amsgrad", {"lr": 0.02, "betas": (0.5, 0.9), "weight_decay": 0.1}),
    ("adamw", {"lr": 0.01}),
    ("adamw", {"lr": 0.01, "weight_decay": 0.5, "amsgrad": True, "betas": (0.9, 0.95)}),
    ("nadam", {"lr": 0.01}),
    ("nadam", {"lr": 0.01, "momentum_decay": 0.01, "weight_decay": 0.1}),
    ("nadam", {"lr": 0.01, "betas": (0.95, 0.99), "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("adadelta", {}),
    ("adadelta", {"lr": 0.5, "rho": 0.95, "eps": 1e-4, "weight_decay": 0.1}),
]


def torch_optimizer(name, hp, params):
    kwargs = dict(hp, foreach=False)
    if name == "adagrad":
        return torch.optim.Adagrad(params, **kwargs)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, **kwargs)
    if name == "adam":
        return torch.optim.Adam(params, **kwargs)
    if name == "amsgrad":
        return torch.optim.Adam(params, amsgrad=True, **kwargs)
    if name == "adamw":
        return torch.optim.AdamW(params, **kwargs)
    if name == "nadam":
        return torch.optim.NAdam(params, **kwargs)
    if name == "adadelta":
        return torch.optim.Adadelta(params, **kwargs)
    raise ValueError(name)


def word(key, value):
    if isinstance(value, bool):
        return f"{key}={'true' if value else 'false'}"
    if isinstance(value, tuple):
        return f"{key}={','.join(repr(v) for v in value)}"
    return f"{key}={value!r}"


def rosenbrock(p):
    return (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2


def w7(p):
    return (p[0] ** 7 - 1) ** 2


PROBLEMS = [("rosenbrock", rosenbrock, [-1.5, 2.0]), ("w7", w7, [0.5])]


def main():
    torch.set_default_dtype(torch.float64)
    here = os.path.dirname(os.path.abspath(__file__))
    for problem, f, start in PROBLEMS:
        path = os.path.join(here, f"torch_adaptive_{problem}.csv")
        with open(path, "w", newline="") as out:
            rows = csv.writer(out, lineterminator="\n")
            rows.writerow(["optimizer", "hp", "step", "loss"] + [f"x{i}" for i in range(len(start))])
            for name, hp in CONFIGS:
                p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
                opt = torch_optimizer(name, hp, [p])
                words = " ".join(word(k, v) for k, v in hp.items())
                for step in range(STEPS + 1):
                    with torch.no_grad():
                        loss = f(p).item()
                    x = p.detach().tolist()
                    if not all(map(torch.isfinite, p.detach())):
                        raise SystemExit(f"{problem} {name} {words}: non-finite iterate at step {step}")
                    rows.writerow([name, words, step, f"{loss:.17g}"] + [f"{v:.17g}" for v in x])
                    if step == STEPS:
                        break
                    opt.zero_grad()
                    f(p).backward()
                    opt.step()


if __name__ == "__main__":
    main()
