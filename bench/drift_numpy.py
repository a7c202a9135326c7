"""The MMD permutation test of server/drift/mmd.ts in NumPy, as Alibi Detect computes it (numpy backend
style): pooled kernel matrix, then for each permutation the kernel matrix re-indexed and summed.
Reads n, m, dim, permutations from argv; prints the milliseconds of the test (data made here, seeded).
"""
import sys
import time

import numpy as np

n, m, dim, perms = (int(a) for a in sys.argv[1:5])
rng = np.random.default_rng(0)
x = rng.normal(size=(n, dim)).astype(np.float32)
y = (rng.normal(size=(m, dim)) + 0.05).astype(np.float32)

start = time.perf_counter()
z = np.concatenate([x, y])
sq = (z * z).sum(1)
d2 = np.maximum(sq[:, None] + sq[None, :] - 2 * z @ z.T, 0)
dx = d2[:n, :n][~np.eye(n, dtype=bool)]
sigma = np.sqrt(0.5 * np.median(dx))
k = np.exp(-d2 / (2 * sigma**2))
np.fill_diagonal(k, 0)


def mmd2(kk):
    kxx, kyy, kxy = kk[:n, :n], kk[n:, n:], kk[:n, n:]
    return kxx.sum() / (n * (n - 1)) + kyy.sum() / (m * (m - 1)) - 2 * kxy.mean()


observed = mmd2(k)
permuted = []
for _ in range(perms):
    p = rng.permutation(n + m)
    permuted.append(mmd2(k[np.ix_(p, p)]))
p_value = float(np.mean(observed <= np.array(permuted)))
ms = (time.perf_counter() - start) * 1000
print(f"{ms:.1f} {observed:.6g} {p_value}")
