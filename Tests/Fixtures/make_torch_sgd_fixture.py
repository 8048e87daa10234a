"""Reference iterates of torch.optim.SGD on Rosenbrock, for OptBenchCLITests.

Regenerate with:  python3 Tests/Fixtures/make_torch_sgd_fixture.py > Tests/Fixtures/torch_sgd_rosenbrock.csv
(needs torch; made with torch 2.13.0+cpu). Each configuration runs 25 steps in float64 from
(-1.5, 2) on F(x, y) = (1 - x)^2 + 100 (y - x^2)^2; rows are `optimizer,hp,step,loss,x0,x1`,
where `optimizer` and `hp` (space-separated key=value) are the optbench names to reproduce it.
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


if __name__ == "__main__":
    main()
