import { createHash } from "node:crypto";
import { mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { dataDirs, dataPath, DatasetError, type Dataset } from "./dataset";
import { loadMnistFamily, MNIST_FAMILY_FILES } from "./mnist-family";

/**
 * Fashion-MNIST (Xiao, Rasul & Vollgraf 2017, https://github.com/zalandoresearch/fashion-mnist):
 * 70 000 28x28 grayscale images of 10 clothing classes. Read from `fashion-mnist/` in the data
 * folders (dataset.ts dataDirs); downloaded into the first on first use when missing, with the md5s
 * from the upstream README checked.
 */
export const FASHION_MNIST_URL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/";

export const FASHION_MNIST_MD5: Record<string, string> = {
  [MNIST_FAMILY_FILES.trainImages]: "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
  [MNIST_FAMILY_FILES.trainLabels]: "25c81989df183df01b3e8a0aad5dffbe",
  [MNIST_FAMILY_FILES.testImages]: "bef4ecab320f06d8554ea6380940ec79",
  [MNIST_FAMILY_FILES.testLabels]: "bb300cfdad3c16e7a12a480ee83cd310",
};

export const FASHION_MNIST_CLASSES = [
  "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
];

export function fashionMnistDir(): string {
  return dataPath("fashion-mnist");
}

export async function loadFashionMnist(dir = fashionMnistDir()): Promise<Dataset> {
  await ensureFashionMnistFiles(dir);
  return loadMnistFamily(dir, "fashion-mnist", FASHION_MNIST_CLASSES);
}

/** Downloads missing files (when the network allows) and verifies the md5 of all four. */
export async function ensureFashionMnistFiles(dir: string): Promise<void> {
  const missing: string[] = [];
  for (const file of Object.keys(FASHION_MNIST_MD5)) {
    if (!(await exists(path.join(dir, file)))) missing.push(file);
  }
  if (missing.length > 0) {
    const failures: string[] = [];
    for (const file of missing) {
      try {
        await download(FASHION_MNIST_URL + file, path.join(dir, file));
      } catch (err) {
        failures.push(`${file}: ${(err as Error).message}`);
      }
    }
    if (failures.length > 0) {
      throw new DatasetError(
        `Fashion-MNIST is missing and could not be downloaded (${failures.join("; ")}). ` +
          `Looked in ${dataDirs().map((d) => path.join(d, "fashion-mnist")).join(" and ")}. ` +
          `Put these files into ${dir} (or set PRETEXT_DATA_DIR to the folder that holds fashion-mnist/): ` +
          Object.entries(FASHION_MNIST_MD5).map(([f, md5]) => `${f} (md5 ${md5})`).join(", ") +
          `; they are published at ${FASHION_MNIST_URL} and https://github.com/zalandoresearch/fashion-mnist.`,
      );
    }
  }
  for (const [file, expected] of Object.entries(FASHION_MNIST_MD5)) {
    const actual = md5(await readFile(path.join(dir, file)));
    if (actual !== expected) {
      throw new DatasetError(
        `Fashion-MNIST file ${path.join(dir, file)} has md5 ${actual}, expected ${expected}: ` +
          `the file is corrupt or not the upstream one; delete it to download it again.`,
      );
    }
  }
}

async function download(url: string, dest: string): Promise<void> {
  const res = await fetch(url, { signal: AbortSignal.timeout(60_000) });
  if (!res.ok) throw new Error(`GET ${url} returned HTTP ${res.status}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  await mkdir(path.dirname(dest), { recursive: true });
  const tmp = `${dest}.part-${process.pid}`;
  await writeFile(tmp, bytes);
  await rename(tmp, dest);
}

function md5(bytes: Uint8Array): string {
  return createHash("md5").update(bytes).digest("hex");
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}
