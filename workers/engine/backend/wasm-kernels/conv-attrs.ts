import type { backend_util } from "@tensorflow/tfjs-core";

/** Attributes shared by the Conv2D backprop kernels (as tfjs-core's gradients pass them). */
export interface ConvBackpropAttrs {
  strides: [number, number] | number;
  pad: "valid" | "same" | number | backend_util.ExplicitPadding;
  dataFormat: "NHWC" | "NCHW";
  dimRoundingMode?: "floor" | "round" | "ceil";
}
