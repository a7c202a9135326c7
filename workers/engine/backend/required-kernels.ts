/**
 * Kernels the engine's SSL methods, augmentations and evaluation rely on (forward ops and the
 * kernels their gradients run). Checked per backend by the tests, so a backend that lacks one
 * fails there instead of deep inside a training run.
 */
export const REQUIRED_KERNELS = [
  // convolutional encoders and their gradients
  "Conv2D", "FusedConv2D", "Conv2DBackpropFilter", "Conv2DBackpropInput",
  "MaxPool", "MaxPoolGrad", "AvgPool", "AvgPoolGrad",
  // dense layers, attention, similarity matrices
  "BatchMatMul", "_FusedMatMul",
  // activations and their gradients (ReLU's gradient uses Step; GELU is composed from Erf)
  "Relu", "Step", "Erf", "Sigmoid", "Tanh", "Elu", "EluGrad", "LeakyRelu", "Prelu",
  // elementwise arithmetic and math
  "Add", "AddN", "Sub", "Multiply", "RealDiv", "Neg", "Abs", "Exp", "Log", "Sqrt", "Rsqrt", "Square",
  "SquaredDifference", "Pow", "Reciprocal", "Minimum", "Maximum", "ClipByValue", "Sign", "Floor", "Mod",
  // reductions, softmax / log-softmax (composed from Max, Sub, Exp, Sum, Log), top-k for kNN
  "Sum", "Max", "Min", "Mean", "Prod", "ArgMax", "Softmax", "TopK",
  // comparisons and selection
  "Greater", "GreaterEqual", "Less", "LessEqual", "Equal", "LogicalAnd", "Select",
  // shape and data movement (gather's gradient is UnsortedSegmentSum)
  "Reshape", "Transpose", "Concat", "Slice", "StridedSlice", "SplitV", "Pack", "Unpack", "Tile",
  "GatherV2", "UnsortedSegmentSum", "OneHot", "PadV2", "MirrorPad", "Reverse", "Cast", "Identity",
  "Fill", "ZerosLike", "OnesLike", "Range",
  // image augmentations (flip, crop-resize)
  "FlipLeftRight", "ResizeBilinear", "CropAndResize",
] as const;
