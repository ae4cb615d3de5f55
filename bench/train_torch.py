"""
PyTorch side of bench/train.ts: LoRA training of a random SmolLM2-135M-shaped Llama (rank 16 on every
linear layer), float32, CPU, the same shapes as the Tunesmith run. Prints one JSON line.
Torch stays at one intra-op thread (OpenBLAS runs its own threads); see ../shared notes.
usage: python3 bench/train_torch.py [--seq 512] [--rank 16] [--steps 4]
"""
import argparse
import json
import math
import resource
import time

import torch

parser = argparse.ArgumentParser()
parser.add_argument("--seq", type=int, default=512)
parser.add_argument("--rank", type=int, default=16)
parser.add_argument("--steps", type=int, default=4)
parser.add_argument("--threads", type=int, default=1)
args = parser.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(0)

H, I, L, NH, NKV, HD, V = 576, 1536, 30, 9, 3, 64, 49152
EPS, THETA = 1e-5, 100000.0


class LoraLinear(torch.nn.Module):
    def __init__(self, fan_in, fan_out, rank, scale):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.randn(fan_out, fan_in) * 0.02, requires_grad=False)
        self.lora_A = torch.nn.Parameter(torch.empty(rank, fan_in).uniform_(-1 / math.sqrt(fan_in), 1 / math.sqrt(fan_in)))
        self.lora_B = torch.nn.Parameter(torch.zeros(fan_out, rank))
        self.scale = scale

    def forward(self, x):
        return x @ self.weight.T + self.scale * ((x @ self.lora_A.T) @ self.lora_B.T)


class Norm(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(H), requires_grad=False)

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + EPS) * self.weight


class Layer(torch.nn.Module):
    def __init__(self, rank):
        super().__init__()
        s = 2.0
        self.n1, self.n2 = Norm(), Norm()
        self.q, self.k, self.v, self.o = LoraLinear(H, NH * HD, rank, s), LoraLinear(H, NKV * HD, rank, s), LoraLinear(H, NKV * HD, rank, s), LoraLinear(NH * HD, H, rank, s)
        self.gate, self.up, self.down = LoraLinear(H, I, rank, s), LoraLinear(H, I, rank, s), LoraLinear(I, H, rank, s)

    def forward(self, h, cos, sin, mask):
        b, t, _ = h.shape
        x = self.n1(h)
        q = self.q(x).view(b, t, NH, HD).transpose(1, 2)
        k = self.k(x).view(b, t, NKV, HD).transpose(1, 2)
        v = self.v(x).view(b, t, NKV, HD).transpose(1, 2)

        def rope(z):
            rotated = torch.cat([-z[..., HD // 2 :], z[..., : HD // 2]], dim=-1)
            return z * cos + rotated * sin

        q, k = rope(q), rope(k)
        k = k.repeat_interleave(NH // NKV, dim=1)
        v = v.repeat_interleave(NH // NKV, dim=1)
        attention = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(HD) + mask, dim=-1) @ v
        h = h + self.o(attention.transpose(1, 2).reshape(b, t, NH * HD))
        y = self.n2(h)
        return h + self.down(torch.nn.functional.silu(self.gate(y)) * self.up(y))


class Model(torch.nn.Module):
    def __init__(self, rank):
        super().__init__()
        self.embed = torch.nn.Parameter(torch.randn(V, H) * 0.02, requires_grad=False)
        self.layers = torch.nn.ModuleList([Layer(rank) for _ in range(L)])
        self.norm = Norm()

    def forward(self, ids, labels):
        t = ids.shape[1]
        positions = torch.arange(t, dtype=torch.float32)
        inv = 1.0 / (THETA ** (torch.arange(0, HD, 2, dtype=torch.float32) / HD))
        emb = torch.cat([positions[:, None] * inv, positions[:, None] * inv], dim=-1)
        cos, sin = emb.cos(), emb.sin()
        mask = torch.full((t, t), float("-inf")).triu(1)
        h = self.embed[ids]
        for layer in self.layers:
            h = layer(h, cos, sin, mask)
        logits = self.norm(h) @ self.embed.T
        return torch.nn.functional.cross_entropy(logits.view(-1, V), labels.view(-1), ignore_index=-100)


model = Model(args.rank)
trainable = [p for p in model.parameters() if p.requires_grad]
optimizer = torch.optim.AdamW(trainable, lr=1e-4, weight_decay=0.0)
ids = torch.randint(0, V, (1, args.seq))
labels = torch.cat([ids[:, 1:], torch.full((1, 1), -100)], dim=1)
times = []
for step in range(args.steps + 1):
    started = time.perf_counter()
    loss = model(ids, labels)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(trainable, 1.0)
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    if step > 0:
        times.append(time.perf_counter() - started)
# Best of N, as on the Tunesmith side (the least disturbed run on a shared machine).
step_seconds = min(times)

a, b = torch.randn(512, 2048), torch.randn(2048, 2048)
for _ in range(2):
    a @ b
best = float("inf")
for _ in range(5):
    started = time.perf_counter()
    a @ b
    best = min(best, time.perf_counter() - started)
matmul = 2 * 512 * 2048 * 2048 / best / 1e9
config = torch.__config__.show()
blas = "OpenBLAS" if "openblas" in config.lower() or matmul > 15 else "reference BLAS (slow)"
print(json.dumps({
    "tokensPerSecond": args.seq / step_seconds,
    "stepMs": step_seconds * 1000,
    "peakBytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    "matmulGflops": matmul,
    "blas": f"torch {torch.__version__} with {blas}",
    "threads": torch.get_num_threads(),
    "trainable": sum(p.numel() for p in trainable),
}))
