import path from "node:path";
import { dataDir, type Dataset } from "./dataset";
import type { DatasetSpec } from "./dataset-spec";
import { loadCsv } from "./csv";
import { loadFashionMnist } from "./fashion-mnist";
import { loadImageFolder } from "./image-folder";
import { loadMnistFamily } from "./mnist-family";

const cache = new Map<string, Promise<Dataset>>();

/** Loads a dataset at most once per process; concurrent callers share one load. */
export function loadDataset(spec: DatasetSpec): Promise<Dataset> {
  const key = JSON.stringify({ ...spec, dataDir: dataDir() });
  let pending = cache.get(key);
  if (!pending) {
    pending = loadUncached(spec);
    cache.set(key, pending);
    pending.catch(() => cache.delete(key)); // a failed load (e.g. files missing) may be retried
  }
  return pending;
}

function loadUncached(spec: DatasetSpec): Promise<Dataset> {
  const resolve = (p: string) => path.resolve(dataDir(), p);
  switch (spec.kind) {
    case "fashion-mnist":
      return loadFashionMnist();
    case "idx":
      return loadMnistFamily(resolve(spec.dir), spec.name ?? path.basename(spec.dir));
    case "image-folder":
      return loadImageFolder({ ...spec, dir: resolve(spec.dir) });
    case "csv":
      return loadCsv({ ...spec, file: resolve(spec.file) });
  }
}
