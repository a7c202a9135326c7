import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import jpeg from "jpeg-js";
import { PNG } from "pngjs";
import { checksumFiles, type Dataset } from "./dataset";

const IMAGE_EXT = /\.(png|jpe?g)$/i;

export interface ImageFolderOptions {
  dir: string;
  name?: string;
  /** Output size [h, w]; images are resized (bilinear). Default: the first image's size. */
  size?: [number, number];
  channels: 1 | 3;
}

interface Rgba {
  width: number;
  height: number;
  data: Uint8Array;
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
  const bytes = await readFile(file);
  try {
    if (/\.png$/i.test(file)) return PNG.sync.read(bytes);
    return jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
  } catch (err) {
    throw new Error(`malformed image ${file}: ${(err as Error).message}`);
  }
}

/** Bilinear resize of RGBA to [h, w, c] (c = 1 takes luma 0.299 R + 0.587 G + 0.114 B). */
function writeResized(img: Rgba, h: number, w: number, c: 1 | 3, out: Uint8Array): void {
  const sy = img.height / h;
  const sx = img.width / w;
  const px = (yy: number, xx: number, ch: number) => img.data[(yy * img.width + xx) * 4 + ch];
  for (let y = 0; y < h; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), img.height - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, img.height - 1);
    const dy = fy - y0;
    for (let x = 0; x < w; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), img.width - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, img.width - 1);
      const dx = fx - x0;
      const rgb = [0, 1, 2].map(
        (ch) =>
          (1 - dy) * ((1 - dx) * px(y0, x0, ch) + dx * px(y0, x1, ch)) +
          dy * ((1 - dx) * px(y1, x0, ch) + dx * px(y1, x1, ch)),
      );
      const o = (y * w + x) * c;
      if (c === 1) out[o] = Math.round(0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]);
      else for (let ch = 0; ch < 3; ch++) out[o + ch] = Math.round(rgb[ch]);
    }
  }
}

function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
