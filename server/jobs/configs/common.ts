/**
 * The configs of jobs, as zod schemas. Everything under server/jobs/configs is pure zod (no engine,
 * TensorFlow.js or database import), so one schema serves three places: the worker parses a job's
 * config with it (workers/engine re-exports these schemas beside the code that uses them), the
 * launch service refuses a bad config before anything is queued (server/jobs/launch.ts), and the
 * launch form in the browser is generated from it (z.toJSONSchema) and checks every field as it is
 * typed. Each field's `.describe()` text is the form's help text.
 *
 * This file: what several job kinds share (datasets, augmentations, the backend choice).
 */
import { z } from "zod";

/** TensorFlow.js backends, fastest first (workers/engine/backend picks the first that loads). */
export const BACKEND_NAMES = ["tensorflow-gpu", "webgpu", "tensorflow", "wasm", "cpu"] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export const backendChoice = z
  .enum(["auto", ...BACKEND_NAMES])
  .default("auto")
  .describe("TensorFlow.js backend; auto takes the first that loads of tensorflow-gpu, webgpu (a hardware GPU adapter only), tensorflow, wasm, cpu; naming webgpu also accepts a software adapter (recorded on the run with its device)");

const datasetName = z.string().min(1).optional().describe("Name the dataset is registered under; default: the folder's or file's name");

/** Which dataset to load. Relative paths are resolved against $PRETEXT_DATA_DIR. */
export const datasetSpecSchema = z
  .discriminatedUnion("kind", [
    z
      .object({ kind: z.literal("fashion-mnist") })
      .strict()
      .describe("Fashion-MNIST: 70,000 28×28 grayscale images of 10 clothing classes, from $PRETEXT_DATA_DIR/fashion-mnist (fetched when missing and online)"),
    z
      .object({
        kind: z.literal("idx"),
        dir: z.string().min(1).describe("Folder with the four MNIST-style files (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-…); relative to $PRETEXT_DATA_DIR"),
        name: datasetName,
      })
      .strict()
      .describe("An MNIST-family dataset in IDX files (MNIST, KMNIST, …)"),
    z
      .object({
        kind: z.literal("image-folder"),
        dir: z.string().min(1).describe("Folder of PNG/JPEG images, one sub-folder per class (dir/cat/*.png) or all in dir (unlabeled); relative to $PRETEXT_DATA_DIR"),
        name: datasetName,
        size: z
          .tuple([z.number().int().positive(), z.number().int().positive()])
          .optional()
          .describe("Resize every image to [height, width] (bilinear); default: the first image's size"),
        channels: z
          .union([z.literal(1), z.literal(3)])
          .default(3)
          .describe("1 for grayscale, 3 for RGB"),
      })
      .strict()
      .describe("A folder of images"),
    z
      .object({
        kind: z.literal("csv"),
        file: z.string().min(1).describe("CSV file: a header row, then one sample per row, every column numeric but the label; relative to $PRETEXT_DATA_DIR"),
        name: datasetName,
        labelColumn: z.string().min(1).optional().describe("Column holding the class (its sorted distinct values become labels); omit for unlabeled rows"),
        standardize: z.boolean().default(true).describe("z-score every feature column (mean 0, std 1), as SCARF does"),
      })
      .strict()
      .describe("Tabular rows from a CSV file"),
  ])
  .describe("Which dataset; its training part is the unlabeled pool");

export type DatasetSpec = z.infer<typeof datasetSpecSchema>;

const weight = (text: string, value: number) => z.number().min(0).max(1).default(value).describe(text);

/**
 * Per-augmentation weights in [0, 1]; each augmentation runs at weight × the current curriculum
 * strength (0 disables it). Images use crop…cutout, tabular rows use featureCorruption (its value
 * at strength 1 is the corruption rate; SCARF's default is 0.6).
 */
export const augmentSchema = z
  .object({
    crop: weight("Random resized crop (images)", 1),
    flip: weight("Horizontal flip (images)", 1),
    noise: weight("Gaussian noise (images)", 0.3),
    colorJitter: weight("Brightness and contrast jitter (images)", 1),
    cutout: weight("Cutout: a random square erased (images)", 0),
    featureCorruption: weight("Tabular rows: share of features replaced by draws from their column (SCARF's corruption rate)", 0.6),
  })
  .strict();

export type AugmentConfig = z.infer<typeof augmentSchema>;
