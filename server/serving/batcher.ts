/**
 * Dynamic batching (as Triton's and TF Serving's batchers): requests to one model that arrive while
 * it is busy, or within `maxWaitMs` of each other, are run as one inference call of at most
 * `maxBatch` samples. One call is in flight per model; the next starts as soon as it returns.
 */

export interface BatchOutput {
  embedding: Float32Array;
  dim: number;
  probabilities?: Float32Array;
  classes?: number;
}

export type RunBatch = (input: Float32Array, n: number) => Promise<BatchOutput>;

interface Pending {
  input: Float32Array;
  n: number;
  resolve: (out: BatchOutput) => void;
  reject: (err: unknown) => void;
}

export interface BatcherOptions {
  /** values per sample */
  sampleSize: number;
  maxBatch: number;
  /** how long a request waits for others when the model is idle (0: only for those that arrived with it) */
  maxWaitMs: number;
}

export class DynamicBatcher {
  private queue: Pending[] = [];
  private queuedSamples = 0;
  private busy = false;
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  constructor(
    private readonly run: RunBatch,
    private readonly o: BatcherOptions,
    /** inference calls made and samples they carried (the mean batch shows batching at work); may be shared */
    readonly stats = { calls: 0, samples: 0 },
  ) {}

  /** Embeds `n` samples (already preprocessed, n × sampleSize values). */
  submit(input: Float32Array, n: number): Promise<BatchOutput> {
    if (input.length !== n * this.o.sampleSize) throw new Error(`expected ${n} × ${this.o.sampleSize} values, got ${input.length}`);
    return new Promise((resolve, reject) => {
      this.queue.push({ input, n, resolve, reject });
      this.queuedSamples += n;
      if (this.busy) return;
      if (this.queuedSamples >= this.o.maxBatch) this.flush();
      // maxWaitMs 0: after the I/O already waiting in this turn of the event loop (requests that arrived together)
      else if (this.o.maxWaitMs === 0) this.immediate ??= setImmediate(() => this.flush());
      else this.timer ??= setTimeout(() => this.flush(), this.o.maxWaitMs);
    });
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
    if (this.busy || this.queue.length === 0) return;
    // take whole requests up to maxBatch samples (a single larger request runs alone)
    const batch: Pending[] = [];
    let n = 0;
    while (this.queue.length && (batch.length === 0 || n + this.queue[0].n <= this.o.maxBatch)) {
      const p = this.queue.shift()!;
      batch.push(p);
      n += p.n;
    }
    this.queuedSamples -= n;
    this.busy = true;
    void this.execute(batch, n).finally(() => {
      this.busy = false;
      // whoever queued meanwhile has already waited: run them now
      if (this.queue.length) this.flush();
    });
  }

  private async execute(batch: Pending[], n: number): Promise<void> {
    const size = this.o.sampleSize;
    let input: Float32Array;
    if (batch.length === 1) input = batch[0].input;
    else {
      input = new Float32Array(n * size);
      let offset = 0;
      for (const p of batch) {
        input.set(p.input, offset);
        offset += p.input.length;
      }
    }
    try {
      const out = await this.run(input, n);
      this.stats.calls++;
      this.stats.samples += n;
      let row = 0;
      for (const p of batch) {
        p.resolve({
          embedding: out.embedding.subarray(row * out.dim, (row + p.n) * out.dim),
          dim: out.dim,
          ...(out.probabilities && out.classes ? { probabilities: out.probabilities.subarray(row * out.classes, (row + p.n) * out.classes), classes: out.classes } : {}),
        });
        row += p.n;
      }
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  }
}
