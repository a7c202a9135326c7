import { MAX_BATCH_POINTS } from "@/server/validation";
import type { MetricPoint } from "./tracker";

export type TimedPoint = MetricPoint & { wallTime: number };

/**
 * Buffers metric points and sends them in batches of at most MAX_BATCH_POINTS, one batch at a
 * time and in order. A failed send is reported by the next flush().
 */
export class MetricBuffer {
  private points: MetricPoint[] = [];
  private sending: Promise<void> = Promise.resolve();
  private failure: unknown = null;

  constructor(private readonly send: (batch: TimedPoint[]) => Promise<unknown>) {}

  push(points: MetricPoint[]) {
    this.points.push(...points);
    if (this.points.length >= MAX_BATCH_POINTS) this.sendBuffered();
  }

  sendBuffered() {
    while (this.points.length) {
      const now = Date.now();
      const batch = this.points.splice(0, MAX_BATCH_POINTS).map((p) => ({ ...p, wallTime: Math.round(p.wallTime ?? now) }));
      this.sending = this.sending.then(() =>
        this.send(batch).then(
          () => undefined,
          (err) => void (this.failure ??= err),
        ),
      );
    }
  }

  async flush() {
    this.sendBuffered();
    await this.sending;
    if (this.failure) {
      const err = this.failure;
      this.failure = null;
      throw err;
    }
  }
}
