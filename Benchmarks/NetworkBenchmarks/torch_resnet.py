"""torch eager side of the ResNet case of `make bench-nets`: the CIFAR-style ResNet-(6n+2) of
He et al. with projection shortcuts (the Swift `ResNetArchitecture.convolutional`) on the
images, labels and batch order the Swift benchmark wrote, trained by plain SGD.

Driven line by line over stdin so that its steps interleave with the Swift side's:
  steps K   -> runs the next K mini-batch steps of the batch order, prints their seconds
  quit
It prints `ready` once the model is built and one warm-up step has run."""
import sys, time
import numpy as np
import torch
import torch.nn as nn

directory, n, batch, threads, blocks, width, lr = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), \
    int(sys.argv[5]), int(sys.argv[6]), float(sys.argv[7])
torch.set_num_threads(threads)
x = torch.from_numpy(np.fromfile(f"{directory}/resnet-x.f32", dtype=np.float32).reshape(n, 1, 28, 28))
y = torch.from_numpy(np.fromfile(f"{directory}/resnet-y.i32", dtype=np.int32).astype(np.int64))
order = torch.from_numpy(np.fromfile(f"{directory}/resnet-order.i64", dtype=np.int64))


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = None if stride == 1 and cin == cout else \
            nn.Sequential(nn.Conv2d(cin, cout, 1, stride, 0, bias=False), nn.BatchNorm2d(cout))

    def forward(self, z):
        out = torch.relu(self.bn1(self.conv1(z)))
        out = self.bn2(self.conv2(out))
        return torch.relu(out + (z if self.shortcut is None else self.shortcut(z)))


layers = [nn.Conv2d(1, width, 3, 1, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU()]
cin = width
for stage in range(3):
    for b in range(blocks):
        cout = width << stage
        layers.append(Block(cin, cout, 2 if stage > 0 and b == 0 else 1))
        cin = cout
layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, 10)]
torch.manual_seed(0)
model = nn.Sequential(*layers)
model.train()
opt = torch.optim.SGD(model.parameters(), lr=lr)
loss_fn = nn.CrossEntropyLoss()
position = 0


def step():
    global position
    i = order[position:position + batch]
    position += batch
    opt.zero_grad()
    loss = loss_fn(model(x[i]), y[i])
    loss.backward()
    opt.step()


step()
print("ready", flush=True)
for line in sys.stdin:
    words = line.split()
    if not words:
        continue
    if words[0] == "steps":
        start = time.perf_counter()
        for _ in range(int(words[1])):
            step()
        print(repr(time.perf_counter() - start), flush=True)
    elif words[0] == "quit":
        break
