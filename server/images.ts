/** PNG/JPEG decoding and resizing, the same for datasets (image folders) and served requests. */
import jpeg from "jpeg-js";
import { PNG } from "pngjs";

export interface Rgba {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Decodes PNG or JPEG bytes (told apart by their signature) to RGBA; anything else throws. */
export function decodeImageBytes(bytes: Uint8Array): Rgba {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return PNG.sync.read(buf);
  if (buf[0] === 0xff && buf[1] === 0xd8) return jpeg.decode(buf, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 256 });
  throw new Error("not a PNG or JPEG image");
}

/** Bilinear resize of RGBA to [h, w, c] (c = 1 takes luma 0.299 R + 0.587 G + 0.114 B). */
export function writeResized(img: Rgba, h: number, w: number, c: 1 | 3, out: Uint8Array): void {
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

