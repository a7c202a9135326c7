import * as tf from "@tensorflow/tfjs-core";
import { l2Normalize } from "../models/l2-normalize";

/**
 * NT-Xent, the normalized temperature-scaled cross entropy of SimCLR (Chen et al. 2020,
 * https://arxiv.org/abs/2002.05709). With u = normalize([z1; z2]) ∈ R^{2n×c} and s_ij = u_i·u_j/τ,
 * ℓ_i = −log( exp(s_{i,p(i)}) / Σ_{j≠i} exp(s_ij) ), p(i) = the other view of sample i;
 * the loss is the mean of ℓ over all 2n rows (each row has 1 positive and 2n − 2 negatives).
 * z1, z2: [n, c] → scalar.
 */
export function ntXent(z1: tf.Tensor2D, z2: tf.Tensor2D, temperature: number): tf.Scalar {
  return tf.tidy(() => {
    const n = z1.shape[0];
    const u = l2Normalize(tf.concat([z1, z2], 0)); // [2n, c]
    const self = tf.mul(tf.eye(2 * n), 1e9); // exclude s_ii from the denominator
    const logits = tf.sub(tf.div(tf.matMul(u, u, false, true), temperature), self); // [2n, 2n]
    const positives = tf.concat([tf.range(n, 2 * n, 1, "int32"), tf.range(0, n, 1, "int32")]); // p(i)
    const target = tf.cast(tf.oneHot(positives, 2 * n), "float32"); // [2n, 2n]
    return tf.neg(tf.mean(tf.sum(tf.mul(target, tf.logSoftmax(logits)), 1))) as tf.Scalar;
  });
}

/**
 * InfoNCE with negatives from a memory bank (MoCo, He et al. 2020, https://arxiv.org/abs/1911.05722):
 * ℓ_i = −log( exp(q_i·k_i/τ) / (exp(q_i·k_i/τ) + Σ_j exp(q_i·m_j/τ)) ), mean over i.
 * q, k: [n, c] (normalized here); bank: [K, c] of normalized past keys → scalar.
 */
export function ntXentWithMemoryBank(q: tf.Tensor2D, k: tf.Tensor2D, bank: tf.Tensor2D, temperature: number): tf.Scalar {
  return tf.tidy(() => {
    const qn = l2Normalize(q);
    const kn = l2Normalize(k);
    const pos = tf.sum(tf.mul(qn, kn), 1, true); // [n, 1]
    const neg = tf.matMul(qn, bank, false, true); // [n, K]
    const logits = tf.div(tf.concat([pos, neg], 1), temperature); // [n, 1 + K]; the positive is column 0
    return tf.neg(tf.mean(tf.slice(tf.logSoftmax(logits), [0, 0], [-1, 1]))) as tf.Scalar;
  });
}
