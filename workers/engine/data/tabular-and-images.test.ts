import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import jpeg from "jpeg-js";
import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import { loadCsv } from "./csv";
import { loadImageFolder } from "./image-folder";

function png(width: number, height: number, value: number): Buffer {
  const img = new PNG({ width, height });
  img.data.fill(value);
  for (let i = 3; i < img.data.length; i += 4) img.data[i] = 255;
  return PNG.sync.write(img);
}

describe("CSV loader", () => {
  it("reads numeric features, maps the label column and standardizes", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "pretext-csv-"));
    const file = path.join(dir, "rows.csv");
    writeFileSync(file, 'a,label,b\n1,"cat",10\n2,dog,20\n3,cat,30\n');
    const ds = await loadCsv({ file, labelColumn: "label", standardize: true });
    expect(ds.descriptor).toMatchObject({ kind: "tabular", count: 3, shape: [2], hasLabels: true, classNames: ["cat", "dog"], featureNames: ["a", "b"] });
    expect(Array.from(ds.train.labels!)).toEqual([0, 1, 0]);
    const col0 = [ds.train.x[0], ds.train.x[2], ds.train.x[4]];
    expect(col0.reduce((a, b) => a + b)).toBeCloseTo(0, 6);
    expect(col0[2]).toBeCloseTo(Math.sqrt(1.5), 5); // (3 − 2)/√(2/3)
  });

  it("names the line and column of a bad cell", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "pretext-csv-"));
    const file = path.join(dir, "bad.csv");
    writeFileSync(file, "a,b\n1,2\n3,x\n");
    await expect(loadCsv({ file, standardize: false })).rejects.toThrow(/line 3, column "b": "x" is not a finite number/);
    writeFileSync(file, "a,b\n1\n");
    await expect(loadCsv({ file, standardize: false })).rejects.toThrow(/line 2: 1 cells, header has 2/);
  });
});

describe("image folder loader", () => {
  it("labels images by sub-folder and resizes PNG and JPEG to one shape", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "pretext-img-"));
    mkdirSync(path.join(dir, "dark"));
    mkdirSync(path.join(dir, "light"));
    writeFileSync(path.join(dir, "dark", "a.png"), png(8, 8, 10));
    writeFileSync(path.join(dir, "dark", "b.png"), png(16, 16, 20));
    const jpg = jpeg.encode({ width: 8, height: 8, data: Buffer.alloc(8 * 8 * 4, 240) }, 95);
    writeFileSync(path.join(dir, "light", "c.jpg"), jpg.data);
    const ds = await loadImageFolder({ dir, channels: 1, size: [4, 4] });
    expect(ds.descriptor).toMatchObject({ kind: "image", count: 3, shape: [4, 4, 1], hasLabels: true, classNames: ["dark", "light"] });
    expect(Array.from(ds.train.labels!)).toEqual([0, 0, 1]);
    expect(ds.train.x[0]).toBe(10);
    expect(ds.train.x[16]).toBe(20);
    expect(Math.abs(ds.train.x[32] - 240)).toBeLessThan(4); // JPEG is lossy
  });

  it("loads a flat folder unlabeled and reports malformed images by path", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "pretext-img-"));
    writeFileSync(path.join(dir, "a.png"), png(4, 4, 1));
    const ds = await loadImageFolder({ dir, channels: 3 });
    expect(ds.descriptor).toMatchObject({ count: 1, shape: [4, 4, 3], hasLabels: false });
    expect(ds.train.labels).toBeNull();
    writeFileSync(path.join(dir, "b.png"), "garbage");
    await expect(loadImageFolder({ dir, channels: 3 })).rejects.toThrow(/malformed image .*b\.png/);
  });
});
