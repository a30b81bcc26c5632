"""Where PyTorch's 6 x 384 step (bench/torch_step.py's, batch 16 x (32 + 128)) spends its time:
the pretrained profile's backbone, a BERT of all-MiniLM-L6-v2's shape (bench/train_shapes.ts).

    python bench/torch_profile.py [encode]   (a Python with torch and transformers)
"""
import json, sys, time
sys.path.insert(0, __file__.rsplit("/", 1)[0])
import torch
import torch.nn.functional as F
from torch.profiler import profile, ProfilerActivity
from torch_step import encoder, random_batch, colbert

t = dict(vocabSize=30522, hidden=384, layers=6, heads=12, intermediate=1536, maxLength=512)
model = encoder(t, "bert")
projection = torch.nn.Linear(384, 128, bias=False)
opt = torch.optim.AdamW([*model.parameters(), *projection.parameters()], lr=1e-4, weight_decay=0.0)
q_ids, q_mask = random_batch(16, 32, 30522, 1)
d_ids, d_mask = random_batch(16, 128, 30522, 2)
e_ids, e_mask = random_batch(64, 180, 30522, 3)
enc = len(sys.argv) > 1 and sys.argv[1] == "encode"

def step():
    if enc:
        with torch.no_grad():
            colbert(model, projection, e_ids, e_mask)
        return
    q = colbert(model, projection, q_ids, q_mask)
    d = colbert(model, projection, d_ids, d_mask) * d_mask.unsqueeze(-1)
    scores = torch.einsum("iqd,jtd->ijqt", q, d).amax(dim=-1).sum(dim=-1)
    loss = F.cross_entropy(scores / 0.02, torch.arange(16))
    opt.zero_grad(); loss.backward(); opt.step()

step()
best = 1e9
for _ in range(2):
    s = time.perf_counter(); step(); best = min(best, time.perf_counter() - s)
with profile(activities=[ProfilerActivity.CPU], record_shapes=False) as prof:
    step()
print(f"torch {'encode 64 x 180' if enc else 'step 16 x (32 + 128)'}: wall {best*1000:.0f} ms (best of 2), threads {torch.get_num_threads()}")
print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=18, max_name_column_width=40))
