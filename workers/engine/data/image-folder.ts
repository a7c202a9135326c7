import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { decodeImageBytes, writeResized, type Rgba } from "@/server/images";
import { checksumFiles, type Dataset } from "./dataset";

const IMAGE_EXT = /\.(png|jpe?g)$/i;

export interface ImageFolderOptions {
  dir: string;
  name?: string;
  /** Output size [h, w]; images are resized (bilinear). Default: the first image's size. */
  size?: [number, number];
  channels: 1 | 3;
}

/**
 * A folder of PNG/JPEG images. One sub-folder per class (`dir/cat/*.png`, `dir/dog/*.png`) gives
 * labels (class = sorted sub-folder names); images directly in `dir` give an unlabeled dataset.
 */
export async function loadImageFolder(opts: ImageFolderOptions): Promise<Dataset> {
  const entries = await readdir(opts.dir, { withFileTypes: true });
  const classDirs = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  const files: { file: string; label: number }[] = [];
  if (classDirs.length > 0) {
    for (const [label, cls] of classDirs.entries()) {
      const names = (await readdir(path.join(opts.dir, cls))).filter((f) => IMAGE_EXT.test(f)).sort();
      for (const f of names) files.push({ file: path.join(opts.dir, cls, f), label });
    }
  } else {
    for (const e of entries.filter((x) => x.isFile() && IMAGE_EXT.test(x.name)).sort(byName)) {
      files.push({ file: path.join(opts.dir, e.name), label: -1 });
    }
  }
  if (files.length === 0) throw new Error(`image folder ${opts.dir} contains no .png/.jpg/.jpeg images`);

  const first = await decodeImage(files[0].file);
  const [h, w] = opts.size ?? [first.height, first.width];
  const c = opts.channels;
  const x = new Uint8Array(files.length * h * w * c);
  for (const [i, { file }] of files.entries()) {
    const img = i === 0 ? first : await decodeImage(file);
    writeResized(img, h, w, c, x.subarray(i * h * w * c, (i + 1) * h * w * c));
  }
  const labeled = classDirs.length > 0;
  return {
    descriptor: {
      name: opts.name ?? path.basename(path.resolve(opts.dir)),
      kind: "image",
      checksum: await checksumFiles(opts.dir, files.map((f) => f.file)),
      count: files.length,
      shape: [h, w, c],
      hasLabels: labeled,
      ...(labeled ? { classNames: classDirs } : {}),
    },
    train: { x, labels: labeled ? Int32Array.from(files, (f) => f.label) : null, count: files.length },
    test: null,
  };
}

async function decodeImage(file: string): Promise<Rgba> {
  try {
    return decodeImageBytes(await readFile(file));
  } catch (err) {
    throw new Error(`malformed image ${file}: ${(err as Error).message}`);
  }
}

function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
