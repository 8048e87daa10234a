"""torch eager side of `make bench-nets`: the MLP 784-256-256-10 on the data and batch order the
Swift benchmark wrote. It prints `ready`, then for each line `sgd` or `adam` read from stdin
trains one more epoch of that optimizer and prints its seconds, so the two sides alternate
epoch by epoch on a shared machine."""
import sys, time
import numpy as np
import torch

directory, n, batch, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
torch.set_num_threads(threads)
x = torch.from_numpy(np.fromfile(f"{directory}/x.f32", dtype=np.float32).reshape(n, 784))
y = torch.from_numpy(np.fromfile(f"{directory}/y.i32", dtype=np.int32).astype(np.int64))
order = torch.from_numpy(np.fromfile(f"{directory}/order.i64", dtype=np.int64))
epochs_in_order = order.numel() // n
loss_fn = torch.nn.CrossEntropyLoss()
state = {}


def setup(name):
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 256), torch.nn.ReLU(),
                                torch.nn.Linear(256, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.01) if name == "sgd" else torch.optim.Adam(model.parameters(), lr=0.001)
    return [model, opt, 0]


print("ready", flush=True)
for line in sys.stdin:
    name = line.strip()
    if name not in ("sgd", "adam"):
        break
    model, opt, epoch = state.setdefault(name, setup(name))
    idx = order[(epoch % epochs_in_order) * n:(epoch % epochs_in_order + 1) * n]
    start = time.perf_counter()
    for b in range(0, n, batch):
        i = idx[b:b + batch]
        opt.zero_grad()
        loss = loss_fn(model(x[i]), y[i])
        loss.backward()
        opt.step()
    state[name][2] = epoch + 1
    print(f"{time.perf_counter() - start:.6f}", flush=True)
