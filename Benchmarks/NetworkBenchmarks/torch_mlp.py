"""torch eager side of `make bench-nets`: the MLP 784-256-256-10 on the data and batch order the
Swift benchmark wrote, timing each epoch of SGD and Adam. Prints `sgd t1 t2 ...` lines."""
import sys, time
import numpy as np
import torch

directory, n, batch, epochs, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
torch.set_num_threads(threads)
x = torch.from_numpy(np.fromfile(f"{directory}/x.f32", dtype=np.float32).reshape(n, 784))
y = torch.from_numpy(np.fromfile(f"{directory}/y.i32", dtype=np.int32).astype(np.int64))
order = torch.from_numpy(np.fromfile(f"{directory}/order.i64", dtype=np.int64))

for name in ["sgd", "adam"]:
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 256), torch.nn.ReLU(),
                                torch.nn.Linear(256, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.01) if name == "sgd" else torch.optim.Adam(model.parameters(), lr=0.001)
    loss_fn = torch.nn.CrossEntropyLoss()
    times = []
    for e in range(epochs + 1):
        idx = order[e * n:(e + 1) * n]
        start = time.perf_counter()
        for b in range(0, n, batch):
            i = idx[b:b + batch]
            opt.zero_grad()
            loss = loss_fn(model(x[i]), y[i])
            loss.backward()
            opt.step()
        times.append(time.perf_counter() - start)
    print(name, " ".join(f"{t:.6f}" for t in times[1:]))
