/** The PyTorch reference that training and inference speed are compared with (../shared/tools/torch_throughput.py). */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** PRETEXT_TORCH_SCRIPT overrides the path (the bundled bench of bench/gpu/ ships its own copy). */
const TORCH_SCRIPT = process.env.PRETEXT_TORCH_SCRIPT || path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../shared/tools/torch_throughput.py");
const PYTHON = process.env.PRETEXT_PYTHON || "/usr/bin/python3";

/** Whether PyTorch sees a CUDA GPU here. */
export function torchHasCuda(): boolean {
  return existsSync(PYTHON) && spawnSync(PYTHON, ["-c", "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)"]).status === 0;
}

/**
 * images/s of the reference `arch` in `mode` on `device`, or the reason it could not run. It reports a
 * mean over its steps, which other processes easily spoil, so the faster of two runs is kept (in torch's favour).
 */
export function torchImagesPerS(arch: "cnn" | "mlp", mode: "train" | "infer", steps: number, device: "cpu" | "cuda" = "cpu"): number | string {
  if (!existsSync(PYTHON) || !existsSync(TORCH_SCRIPT)) return `not available (${PYTHON} or ${TORCH_SCRIPT} missing)`;
  if (spawnSync(PYTHON, ["-c", "import torch"]).status !== 0) return "not available (python3 cannot import torch: apt-get install -y python3-torch)";
  const env = { ...process.env, THREADS: String(os.availableParallelism()), DEVICE: device };
  let best = 0;
  for (let run = 0; run < 2; run++) {
    const out = spawnSync(PYTHON, [TORCH_SCRIPT, arch, mode, String(steps)], { env, encoding: "utf8" });
    const match = /'imgsPerSec': ([\d.]+)/.exec(out.stdout ?? "");
    if (!match) return `failed: ${(out.stderr ?? "").trim().split("\n").pop()}`;
    best = Math.max(best, Number(match[1]));
  }
  return best;
}
