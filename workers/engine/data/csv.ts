import { readFile } from "node:fs/promises";
import path from "node:path";
import { checksumFiles, type Dataset } from "./dataset";

export interface CsvOptions {
  file: string;
  name?: string;
  /** Column holding the class; its distinct values (sorted) become labels 0..k-1. */
  labelColumn?: string;
  /** z-score every feature column (mean 0, std 1), as SCARF does. */
  standardize: boolean;
}

/**
 * Tabular CSV: a header row, then one sample per row; every column except `labelColumn` must be
 * numeric. Quoted fields ("a,b") are understood; empty or non-numeric cells are an error.
 */
export async function loadCsv(opts: CsvOptions): Promise<Dataset> {
  const text = await readFile(opts.file, "utf8");
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  if (lines.length < 2) throw new Error(`CSV ${opts.file} needs a header row and at least one data row`);
  const header = splitCsvLine(lines[0]);
  const labelIdx = opts.labelColumn === undefined ? -1 : header.indexOf(opts.labelColumn);
  if (opts.labelColumn !== undefined && labelIdx < 0) {
    throw new Error(`CSV ${opts.file} has no column "${opts.labelColumn}" (columns: ${header.join(", ")})`);
  }
  const featureNames = header.filter((_, i) => i !== labelIdx);
  const f = featureNames.length;
  const n = lines.length - 1;
  const x = new Float32Array(n * f);
  const rawLabels: string[] = [];
  for (let r = 0; r < n; r++) {
    const cells = splitCsvLine(lines[r + 1]);
    if (cells.length !== header.length) {
      throw new Error(`CSV ${opts.file} line ${r + 2}: ${cells.length} cells, header has ${header.length}`);
    }
    let j = 0;
    for (const [i, cell] of cells.entries()) {
      if (i === labelIdx) {
        rawLabels.push(cell);
        continue;
      }
      const v = cell.trim() === "" ? NaN : Number(cell);
      if (!Number.isFinite(v)) {
        throw new Error(`CSV ${opts.file} line ${r + 2}, column "${header[i]}": "${cell}" is not a finite number`);
      }
      x[r * f + j++] = v;
    }
  }
  if (opts.standardize) standardizeColumns(x, n, f);
  const classNames = labelIdx >= 0 ? [...new Set(rawLabels)].sort() : undefined;
  const labels = classNames ? Int32Array.from(rawLabels, (l) => classNames.indexOf(l)) : null;
  return {
    descriptor: {
      name: opts.name ?? path.basename(opts.file).replace(/\.csv$/i, ""),
      kind: "tabular",
      checksum: await checksumFiles(path.dirname(opts.file), [opts.file]),
      count: n,
      shape: [f],
      hasLabels: labels !== null,
      featureNames,
      ...(classNames ? { classNames } : {}),
    },
    train: { x, labels, count: n },
    test: null,
  };
}

export function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      cells.push(cur);
      cur = "";
    } else cur += ch;
  }
  cells.push(cur);
  return cells;
}

function standardizeColumns(x: Float32Array, n: number, f: number): void {
  for (let j = 0; j < f; j++) {
    let mean = 0;
    for (let r = 0; r < n; r++) mean += x[r * f + j];
    mean /= n;
    let v = 0;
    for (let r = 0; r < n; r++) v += (x[r * f + j] - mean) ** 2;
    const std = Math.sqrt(v / n) || 1;
    for (let r = 0; r < n; r++) x[r * f + j] = (x[r * f + j] - mean) / std;
  }
}
