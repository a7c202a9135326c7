import { describe, expect, it } from "vitest";
import { embeddingMap } from "../eval/embedding-map";
import { Rng } from "../rng";
import { pca } from "./pca";
import { symmetricEigen } from "./symmetric-eigenvalues";

describe("symmetricEigen", () => {
  it("finds the eigenvectors of [[2, 1], [1, 2]]: (1, 1)/√2 for 3 and (1, −1)/√2 for 1", () => {
    const { values, vectors } = symmetricEigen([2, 1, 1, 2], 2);
    expect(Array.from(values)).toEqual([expect.closeTo(3, 12), expect.closeTo(1, 12)]);
    expect(Math.abs(vectors[0][0] * Math.SQRT2)).toBeCloseTo(1, 12);
    expect(vectors[0][0] * vectors[0][1]).toBeCloseTo(0.5, 12); // same sign
    expect(vectors[1][0] * vectors[1][1]).toBeCloseTo(-0.5, 12); // opposite signs
  });
});

describe("pca", () => {
  // Four points in 3-D on the plane spanned by u = (0.6, 0.8, 0) and v = (0, 0, 1), offset by c:
  // c ± 3u and c ± v. Variance along u is 18/3 = 6, along v 2/3, nothing else: ratios 0.9 and 0.1.
  const u = [0.6, 0.8, 0];
  const v = [0, 0, 1];
  const c = [5, -1, 2];
  const point = (a: number, b: number) => c.map((ci, j) => ci + a * u[j] + b * v[j]);
  const rows = [point(3, 0), point(-3, 0), point(0, 1), point(0, -1)];

  it("recovers the axes, the explained variance and the coordinates of a known configuration", () => {
    const r = pca(rows.flat(), 4, 3, 2);
    expect(r.explainedVarianceRatio).toEqual([expect.closeTo(0.9, 10), expect.closeTo(0.1, 10)]);
    // signs: each axis's largest-magnitude entry is positive, so u and v come out as they are
    expect(Array.from(r.components[0])).toEqual(u.map((e) => expect.closeTo(e, 10)));
    expect(Array.from(r.components[1])).toEqual(v.map((e) => expect.closeTo(e, 10)));
    expect(Array.from(r.projected)).toEqual([3, 0, -3, 0, 0, 1, 0, -1].map((e) => expect.closeTo(e, 10)));
  });

  it("gives the embedding map of the UI: method, encoder, explained variance, labelled points", () => {
    const features = { data: Float32Array.from(rows.flat()), n: 4, d: 3 };
    const map = embeddingMap(features, Int32Array.from([0, 0, 1, 1]), { id: 7, name: "enc", version: 2 });
    expect(map.method).toBe("pca");
    expect(map.encoder).toEqual({ id: 7, name: "enc", version: 2 });
    expect(map.explained_variance).toEqual([expect.closeTo(0.9, 5), expect.closeTo(0.1, 5)]);
    expect(map.points).toEqual([
      { x: expect.closeTo(3, 4), y: expect.closeTo(0, 4), label: 0 },
      { x: expect.closeTo(-3, 4), y: expect.closeTo(0, 4), label: 0 },
      { x: expect.closeTo(0, 4), y: expect.closeTo(1, 4), label: 1 },
      { x: expect.closeTo(0, 4), y: expect.closeTo(-1, 4), label: 1 },
    ]);
    expect(JSON.parse(JSON.stringify(map))).toEqual(map); // plain JSON, as uploaded
    expect(map.class_names).toBeUndefined();
  });

  it("carries the dataset's class names for labelled points, so the UI shows names rather than numbers", () => {
    const features = { data: Float32Array.from(rows.flat()), n: 4, d: 3 };
    const classNames = ["T-shirt/top", "Trouser"];
    expect(embeddingMap(features, Int32Array.from([0, 0, 1, 1]), {}, { classNames }).class_names).toEqual(classNames);
    expect(embeddingMap(features, null, {}, { classNames }).class_names).toBeUndefined();
  });

  it("keeps at most the requested number of points (a seeded subset), unlabelled when there are no labels", () => {
    const rng = new Rng(1);
    const features = { data: Float32Array.from({ length: 5000 * 4 }, () => rng.normal()), n: 5000, d: 4 };
    const map = embeddingMap(features, null, {});
    expect(map.points).toHaveLength(2000);
    expect(map.points.every((p) => p.label === null && Number.isFinite(p.x) && Number.isFinite(p.y))).toBe(true);
    expect(embeddingMap(features, null, {}).points).toEqual(map.points);
    expect(map.explained_variance[0]).toBeGreaterThanOrEqual(map.explained_variance[1]);
    expect(map.explained_variance[0] + map.explained_variance[1]).toBeLessThan(1);
  });
});
