import * as tf from "@tensorflow/tfjs-core";
import { symmetricEigenvalues } from "./linalg/symmetric-eigenvalues";
import { l2Normalize } from "./models/l2-normalize";
import { healthSchema, type HealthConfig } from "../../server/jobs/configs/pretrain";

export { healthSchema, type HealthConfig };

/**
 * Representation health on a fixed probe batch, to catch collapse early:
 *  - stdRatio: mean per-dimension std of L2-normalized embeddings × √d (≈1 isotropic, 0 collapsed;
 *    the std criterion of SimSiam, Chen & He 2021, https://arxiv.org/abs/2011.10566);
 *  - effectiveRank: exp(entropy of the normalized singular values) of the centered embeddings
 *    (Roy & Vetterli 2007; RankMe, Garrido et al. 2023, https://arxiv.org/abs/2210.02885), in [1, d];
 *  - alignment E‖f(x) − f(x⁺)‖² and uniformity log E exp(−2‖f(x) − f(y)‖²) (Wang & Isola 2020,
 *    https://arxiv.org/abs/2005.10242): lower is better for both; uniformity → 0 when collapsed.
 */
export interface HealthReport {
  stdRatio: number;
  effectiveRank: number;
  alignment: number;
  uniformity: number;
}

/** z: [n, d] embeddings of the probe batch; zPositive: [n, d] embeddings of another view of it. */
export async function embeddingHealth(z: tf.Tensor2D, zPositive: tf.Tensor2D): Promise<HealthReport> {
  const [n, d] = z.shape;
  const [scalars, covariance] = tf.tidy(() => {
    const u = l2Normalize(z); // [n, d]
    const v = l2Normalize(zPositive); // [n, d]
    const centered = tf.sub(u, tf.mean(u, 0)); // [n, d]
    const std = tf.sqrt(tf.div(tf.sum(tf.square(centered), 0), n - 1)); // [d]
    const sq = tf.maximum(tf.sub(2, tf.mul(tf.matMul(u, u, false, true), 2)), 0); // ‖u_i − u_j‖² = 2 − 2 u_i·u_j, [n, n]
    const offDiagonal = tf.sub(1, tf.eye(n));
    return [
      tf.stack([tf.mean(std), tf.mean(tf.sum(tf.square(tf.sub(u, v)), 1)), tf.sum(tf.mul(tf.exp(tf.mul(sq, -2)), offDiagonal))]),
      tf.div(tf.matMul(centered, centered, true, false), n - 1), // [d, d]
    ];
  });
  // read asynchronously: WebGPU has no synchronous read under Node
  const [[meanStd, alignment, kernelSum], cov] = await Promise.all([scalars.data(), covariance.data()]);
  tf.dispose([scalars, covariance]);
  const stdRatio = meanStd * Math.sqrt(d);
  const uniformity = Math.log(kernelSum / (n * (n - 1)));
  const singular = Array.from(symmetricEigenvalues(cov, d), (l) => Math.sqrt(Math.max(l, 0)));
  const sum = singular.reduce((a, b) => a + b, 0);
  let entropy = 0;
  for (const s of singular) if (s > 0) entropy -= (s / sum) * Math.log(s / sum);
  return { stdRatio, effectiveRank: sum > 0 ? Math.exp(entropy) : 1, alignment, uniformity };
}

/** Messages for each threshold the report crosses (empty when healthy). */
export function collapseWarnings(r: HealthReport, cfg: HealthConfig): string[] {
  const out: string[] = [];
  if (!(r.stdRatio >= cfg.minStdRatio)) out.push(`embedding std ratio ${r.stdRatio.toFixed(3)} < ${cfg.minStdRatio}`);
  if (!(r.effectiveRank >= cfg.minEffectiveRank)) out.push(`effective rank ${r.effectiveRank.toFixed(2)} < ${cfg.minEffectiveRank}`);
  if (!(r.uniformity <= cfg.maxUniformity)) out.push(`uniformity ${r.uniformity.toFixed(3)} > ${cfg.maxUniformity}`);
  return out;
}
