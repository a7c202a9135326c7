import path from "node:path";
import { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, readIdxFile } from "./idx";
import { checksumFiles, type Dataset, type SampleSet } from "./dataset";

/** The four standard file names of an MNIST-family dataset folder. */
export const MNIST_FAMILY_FILES = {
  trainImages: "train-images-idx3-ubyte.gz",
  trainLabels: "train-labels-idx1-ubyte.gz",
  testImages: "t10k-images-idx3-ubyte.gz",
  testLabels: "t10k-labels-idx1-ubyte.gz",
} as const;

/** Loads an MNIST-family folder (images [n, h, w] uint8 + labels [n]) as a grayscale dataset. */
export async function loadMnistFamily(dir: string, name: string, classNames?: string[]): Promise<Dataset> {
  const file = (f: string) => path.join(dir, f);
  const train = await readPart(file(MNIST_FAMILY_FILES.trainImages), file(MNIST_FAMILY_FILES.trainLabels));
  const test = await readPart(file(MNIST_FAMILY_FILES.testImages), file(MNIST_FAMILY_FILES.testLabels));
  if (train.h !== test.h || train.w !== test.w) {
    throw new Error(`malformed dataset ${name}: train images are ${train.h}x${train.w}, test images ${test.h}x${test.w}`);
  }
  const numClasses = Math.max(maxLabel(train.set.labels!), maxLabel(test.set.labels!)) + 1;
  return {
    descriptor: {
      name,
      kind: "image",
      checksum: await checksumFiles(dir, Object.values(MNIST_FAMILY_FILES).map(file)),
      count: train.set.count + test.set.count,
      shape: [train.h, train.w, 1],
      hasLabels: true,
      classNames: classNames ?? Array.from({ length: numClasses }, (_, i) => String(i)),
    },
    train: train.set,
    test: test.set,
  };
}

async function readPart(imagesFile: string, labelsFile: string): Promise<{ set: SampleSet; h: number; w: number }> {
  const images = await readIdxFile(imagesFile, IDX_IMAGES_MAGIC);
  const labels = await readIdxFile(labelsFile, IDX_LABELS_MAGIC);
  const [n, h, w] = images.dims;
  if (labels.dims[0] !== n) {
    throw new Error(`malformed dataset: ${imagesFile} has ${n} images but ${labelsFile} has ${labels.dims[0]} labels`);
  }
  return { set: { x: images.data, labels: Int32Array.from(labels.data), count: n }, h, w };
}

function maxLabel(labels: Int32Array): number {
  let m = 0;
  for (const l of labels) if (l > m) m = l;
  return m;
}
