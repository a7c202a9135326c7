import path from "node:path";
import { existsSync } from "node:fs";
import { dataDirs, dataPath, DatasetError, missingDataMessage, type Dataset } from "./dataset";
import type { DatasetSpec } from "./dataset-spec";
import { loadCsv } from "./csv";
import { loadFashionMnist } from "./fashion-mnist";
import { loadImageFolder } from "./image-folder";
import { loadMnistFamily } from "./mnist-family";

const cache = new Map<string, Promise<Dataset>>();

/** Loads a dataset at most once per process; concurrent callers share one load. */
export function loadDataset(spec: DatasetSpec): Promise<Dataset> {
  const key = JSON.stringify({ ...spec, dataDirs: dataDirs() });
  let pending = cache.get(key);
  if (!pending) {
    pending = loadUncached(spec);
    cache.set(key, pending);
    pending.catch(() => cache.delete(key)); // a failed load (e.g. files missing) may be retried
  }
  return pending;
}

/** Any failure to read a dataset is a DatasetError: the files are missing or malformed. */
async function loadUncached(spec: DatasetSpec): Promise<Dataset> {
  try {
    return await load(spec);
  } catch (err) {
    if (err instanceof DatasetError) throw err;
    throw new DatasetError(`dataset ${describe(spec)}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function describe(spec: DatasetSpec): string {
  return spec.kind === "fashion-mnist" ? "fashion-mnist" : `${spec.kind} ${"dir" in spec ? spec.dir : spec.file}`;
}

function located(relative: string): string {
  const found = dataPath(relative);
  if (!existsSync(found)) throw new DatasetError(missingDataMessage(`dataset ${JSON.stringify(relative)}`, relative));
  return found;
}

function load(spec: DatasetSpec): Promise<Dataset> {
  switch (spec.kind) {
    case "fashion-mnist":
      return loadFashionMnist();
    case "idx":
      return loadMnistFamily(located(spec.dir), spec.name ?? path.basename(spec.dir));
    case "image-folder":
      return loadImageFolder({ ...spec, dir: located(spec.dir) });
    case "csv":
      return loadCsv({ ...spec, file: located(spec.file) });
  }
}
