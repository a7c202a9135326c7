import { copyFileSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ensureFashionMnistFiles, fashionMnistDir } from "./fashion-mnist";
import { loadDataset } from "./load-dataset";
import { MNIST_FAMILY_FILES } from "./mnist-family";

describe("Fashion-MNIST", () => {
  it("loads from $PRETEXT_DATA_DIR with verified md5s, once per process", async () => {
    const ds = await loadDataset({ kind: "fashion-mnist" });
    expect(ds.descriptor).toMatchObject({ name: "fashion-mnist", kind: "image", count: 70000, shape: [28, 28, 1], hasLabels: true });
    expect(ds.descriptor.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(ds.train.count).toBe(60000);
    expect(ds.test?.count).toBe(10000);
    expect(ds.train.x.length).toBe(60000 * 784);
    const perClass = new Array(10).fill(0);
    for (const l of ds.train.labels!) perClass[l]++;
    expect(perClass).toEqual(new Array(10).fill(6000));
    expect(await loadDataset({ kind: "fashion-mnist" })).toBe(ds); // cached
  });

  it("says exactly where to put which files when they are missing and cannot be downloaded", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "pretext-fm-"));
    const src = fashionMnistDir();
    // three files present, the fourth replaced by a bad copy: md5 mismatch names the file
    for (const f of [MNIST_FAMILY_FILES.trainLabels, MNIST_FAMILY_FILES.testImages, MNIST_FAMILY_FILES.testLabels]) {
      copyFileSync(path.join(src, f), path.join(dir, f));
    }
    writeFileSync(path.join(dir, MNIST_FAMILY_FILES.trainImages), "not the real file");
    await expect(ensureFashionMnistFiles(dir)).rejects.toThrow(/train-images-idx3-ubyte\.gz has md5 [0-9a-f]+, expected 8d4fb7e6c68d591d4c3dfef9ec88bf0d/);
  });

  it("fails with the list of files and md5s when a download is impossible", async () => {
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), "pretext-fm-")), "missing");
    const saved = globalThis.fetch;
    globalThis.fetch = async () => {
      throw new Error("network disabled in this test");
    };
    try {
      await expect(ensureFashionMnistFiles(dir)).rejects.toThrow(
        new RegExp(`Put these files into ${dir.replace(/[/\\.]/g, "\\$&")}.*train-images-idx3-ubyte\\.gz \\(md5 8d4fb7e6c68d591d4c3dfef9ec88bf0d\\)`),
      );
    } finally {
      globalThis.fetch = saved;
    }
  });
});
