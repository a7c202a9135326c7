import type { NextConfig } from "next";

const config: NextConfig = {
  // The e2e test of `next dev` builds elsewhere, beside the production build the other tests use.
  distDir: process.env.PRETEXT_NEXT_DIST_DIR ?? ".next",
  // Native and WASM modules load from node_modules at run time instead of being bundled.
  serverExternalPackages: [
    "@electric-sql/pglite",
    "pg",
    "pg-copy-streams",
    "pg-boss",
    "@tensorflow/tfjs-core",
    "@tensorflow/tfjs-backend-wasm",
    "@tensorflow/tfjs-backend-cpu",
    "@tensorflow/tfjs-node",
    "@tensorflow/tfjs-node-gpu",
    "@tensorflow/tfjs-backend-webgpu",
    "webgpu",
    "cli-progress",
    "pngjs",
    "jpeg-js",
    "onnxruntime-node",
    "onnx-proto",
    "protobufjs",
  ],
  eslint: { ignoreDuringBuilds: true },
  typescript: { ignoreBuildErrors: true },
  devIndicators: false,
};

export default config;
