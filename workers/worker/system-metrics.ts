/** CPU, memory and (where nvidia-smi exists) GPU utilisation of this machine, as run metrics. */
import { execFile } from "node:child_process";
import os from "node:os";
import { promisify } from "node:util";
import type { MetricPoint } from "@/server/tracking/tracker";

const run = promisify(execFile);

function cpuTimes() {
  return os.cpus().reduce(
    (acc, c) => {
      const total = Object.values(c.times).reduce((a, b) => a + b, 0);
      return { idle: acc.idle + c.times.idle, total: acc.total + total };
    },
    { idle: 0, total: 0 },
  );
}

async function gpuMetrics(): Promise<Record<string, number>> {
  try {
    const { stdout } = await run("nvidia-smi", ["--query-gpu=utilization.gpu,memory.used", "--format=csv,noheader,nounits"], { timeout: 2000 });
    const out: Record<string, number> = {};
    stdout
      .trim()
      .split("\n")
      .forEach((line, i) => {
        const [util, mem] = line.split(",").map((v) => Number(v.trim()));
        out[`system/gpu${i}_utilization_percent`] = util;
        out[`system/gpu${i}_memory_mb`] = mem;
      });
    return out;
  } catch {
    return {}; // no NVIDIA GPU here
  }
}

/** Samples the machine; each call reports CPU use since the previous call. */
export class SystemSampler {
  private last = cpuTimes();
  private hasGpu = true;

  async sample(step: number): Promise<MetricPoint[]> {
    const now = cpuTimes();
    const busy = 1 - (now.idle - this.last.idle) / Math.max(1, now.total - this.last.total);
    this.last = now;
    const values: Record<string, number> = {
      "system/cpu_percent": Math.round(busy * 1000) / 10,
      "system/memory_used_mb": Math.round((os.totalmem() - os.freemem()) / 2 ** 20),
      "system/process_rss_mb": Math.round(process.memoryUsage().rss / 2 ** 20),
    };
    if (this.hasGpu) {
      const gpu = await gpuMetrics();
      if (Object.keys(gpu).length === 0) this.hasGpu = false;
      Object.assign(values, gpu);
    }
    const wallTime = Date.now();
    return Object.entries(values).map(([key, value]) => ({ key, step, value, wallTime }));
  }
}
