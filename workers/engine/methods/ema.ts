import * as tf from "@tensorflow/tfjs-core";

/**
 * Exponential moving average of weights (mean teacher, Tarvainen & Valpola 2017; MoCo; BYOL):
 * θ_target ← m·θ_target + (1 − m)·θ_online, for pairs matched by parameter name.
 */
export class EmaTarget {
  constructor(private readonly pairs: { online: tf.Variable; target: tf.Variable }[]) {}

  /** Pairs `online` parameters named "<onlinePrefix>/…" with targets named "<targetPrefix>/…". */
  static match(
    entries: [string, tf.Variable][],
    onlinePrefix: string,
    targetPrefix: string,
  ): EmaTarget {
    const byName = new Map(entries);
    const pairs = entries
      .filter(([n]) => n.startsWith(`${onlinePrefix}/`))
      .map(([n, online]) => {
        const target = byName.get(targetPrefix + n.slice(onlinePrefix.length));
        if (!target) throw new Error(`EMA target has no parameter for ${n}`);
        return { online, target };
      });
    return new EmaTarget(pairs);
  }

  copyOnline(): void {
    for (const { online, target } of this.pairs) target.assign(online);
  }

  update(momentum: number): void {
    if (!(momentum >= 0 && momentum <= 1)) throw new Error(`EMA momentum must be in [0, 1], got ${momentum}`);
    tf.tidy(() => {
      for (const { online, target } of this.pairs) target.assign(tf.add(tf.mul(target, momentum), tf.mul(online, 1 - momentum)));
    });
  }
}
