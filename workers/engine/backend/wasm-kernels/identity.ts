/**
 * Identity for wasm without a copy. The engine clones every tensor it saves for the backward
 * pass; the stock wasm kernel memcpys each one (full activation maps), while tensors are
 * immutable, so sharing the buffer — as the CPU backend does — is safe.
 */
import { Identity, type TensorInfo } from "@tensorflow/tfjs-core";
import { wasmKernel } from "./kernel-calls";

export const identityConfig = wasmKernel(Identity, ({ inputs, backend }) => {
  const { x } = inputs as { x: TensorInfo };
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
});
