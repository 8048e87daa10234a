"""Reference iterates of torch.optim.SGD and torch.optim.LBFGS on Rosenbrock, for OptBenchCLITests.

Regenerate with:  python3 Tests/Fixtures/make_torch_sgd_fixture.py > Tests/Fixtures/torch_sgd_rosenbrock.csv
(needs torch; made with torch 2.13.0+cpu). Each configuration runs 25 steps in float64 from
(-1.5, 2) on F(x, y) = (1 - x)^2 + 100 (y - x^2)^2; rows are `optimizer,hp,step,loss,x0,x1`,
where `optimizer` and `hp` (space-separated key=value) are the optbench names to reproduce it.
L-BFGS runs with max_iter=1 (one iteration per step, as optbench's `lbfgs` step) and torch's
conventions selected on the optbench side (first_step=torch, curvature_test=absolute). With
max_iter=1, torch's default max_eval (max_iter·5/4 = 1) would cut every line search to a zero
step, so the strong-Wolfe configuration passes max_eval=25, optbench's max_ls.
"""
import torch

CONFIGS = [
    ("gd", {"lr": 1e-3}),
    ("sgd", {"lr": 1e-3, "weight_decay": 0.1}),
    ("momentum", {"lr": 1e-3, "momentum": 0.9}),
    ("momentum", {"lr": 5e-4, "momentum": 0.8, "dampening": 0.5, "weight_decay": 0.01}),
    ("nesterov", {"lr": 1e-3, "momentum": 0.9}),
    ("nesterov", {"lr": 2e-4, "momentum": 0.95, "weight_decay": 0.05}),
]

# (optbench hyper-parameters, torch.optim.LBFGS keyword arguments)
LBFGS_CONFIGS = [
    ({"lr": 0.05, "history_size": 5, "line_search_fn": "none"},
     {"lr": 0.05, "history_size": 5, "line_search_fn": None}),
    ({"lr": 1, "history_size": 10, "line_search_fn": "strong_wolfe"},
     {"lr": 1, "history_size": 10, "line_search_fn": "strong_wolfe", "max_eval": 25}),
]
TORCH_CONVENTIONS = {"first_step": "torch", "curvature_test": "absolute"}


def rosenbrock(p):
    return (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2


def main():
    print("optimizer,hp,step,loss,x0,x1")
    for name, hp in CONFIGS:
        p = torch.tensor([-1.5, 2.0], dtype=torch.float64, requires_grad=True)
        kwargs = dict(hp)
        if name == "nesterov":
            kwargs["nesterov"] = True
        kwargs.setdefault("momentum", 0.0)
        opt = torch.optim.SGD([p], **kwargs)
        words = " ".join(f"{k}={v!r}" for k, v in hp.items())
        for step in range(26):
            with torch.no_grad():
                loss = rosenbrock(p).item()
            x = p.detach().tolist()
            print(f"{name},{words},{step},{loss:.17g},{x[0]:.17g},{x[1]:.17g}")
            if step == 25:
                break
            opt.zero_grad()
            rosenbrock(p).backward()
            opt.step()
    for hp, kwargs in LBFGS_CONFIGS:
        p = torch.tensor([-1.5, 2.0], dtype=torch.float64, requires_grad=True)
        opt = torch.optim.LBFGS([p], max_iter=1, **kwargs)
        words = " ".join(f"{k}={v}" for k, v in {**hp, **TORCH_CONVENTIONS}.items())

        def closure():
            opt.zero_grad()
            loss = rosenbrock(p)
            loss.backward()
            return loss

        for step in range(26):
            with torch.no_grad():
                loss = rosenbrock(p).item()
            x = p.detach().tolist()
            print(f"lbfgs,{words},{step},{loss:.17g},{x[0]:.17g},{x[1]:.17g}")
            if step == 25:
                break
            opt.step(closure)


if __name__ == "__main__":
    main()
