import { describe, expect, it } from "vitest";
import { embeddingMapSchema } from "./embedding-map";

describe("embedding map artifact", () => {
  it("accepts the documented format, with unlabeled points", () => {
    const map = { method: "pca", encoder: { id: 3, name: "simclr-fm", version: 2 }, explained_variance: [0.31, 0.12], points: [{ x: 1.5, y: -0.2, label: 7 }, { x: 0, y: 0, label: null }] };
    expect(embeddingMapSchema.parse(map)).toEqual(map);
  });

  it("names the field of a malformed point", () => {
    const bad = embeddingMapSchema.safeParse({ method: "pca", encoder: {}, explained_variance: [0.3, 0.1], points: [{ x: 1, y: 2, label: 1 }, { x: 1, y: "2", label: 1 }] });
    expect(bad.error?.issues[0].path).toEqual(["points", 1, "y"]);
    expect(embeddingMapSchema.safeParse({ method: "pca", encoder: {}, explained_variance: [0.3], points: [] }).error?.issues[0].path).toEqual(["explained_variance", 1]);
  });
});
