"use client";

import { useEffect, useMemo, useState } from "react";
import { EMBEDDING_MAP_ARTIFACT, embeddingMapSchema, type EmbeddingMap } from "@/server/services/embedding-map";
import { Plot } from "./plot";

const LABEL_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#393b79", "#637939", "#ad494a"];
const NO_LABEL_COLOR = "#afb8c1";

/** The run's `embeddings-2d.json` as a WebGL scatter, one trace (and legend entry) per class. */
export function EmbeddingMapView({ runId }: { runId: number }) {
  const [map, setMap] = useState<EmbeddingMap | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    fetch(`/api/v1/runs/${runId}/artifacts/${EMBEDDING_MAP_ARTIFACT}`)
      .then(async (res) => {
        if (!res.ok) throw new Error(`${EMBEDDING_MAP_ARTIFACT}: ${res.status} ${res.statusText}`);
        const parsed = embeddingMapSchema.safeParse(await res.json());
        if (!parsed.success) throw new Error(`${EMBEDDING_MAP_ARTIFACT}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
        return parsed.data;
      })
      .then((m) => !cancelled && setMap(m))
      .catch((e: Error) => !cancelled && setError(e.message));
    return () => {
      cancelled = true;
    };
  }, [runId]);

  const plot = useMemo(() => (map ? traces(map) : null), [map]);
  const encoderName = map && typeof map.encoder.name === "string" ? `${map.encoder.name}${map.encoder.version ? ` v${map.encoder.version}` : ""}` : null;
  return (
    <div className="chart embedding-map" data-testid="embedding-map">
      <div className="chart-title">
        <span>{map ? `${map.method.toUpperCase()} of ${map.points.length.toLocaleString("en-US")} embeddings${encoderName ? ` · ${encoderName}` : ""}` : "Embedding map"}</span>
        {map && (
          <small>
            explained variance: axis 1 {(map.explained_variance[0] * 100).toFixed(1)}% · axis 2 {(map.explained_variance[1] * 100).toFixed(1)}%
          </small>
        )}
      </div>
      {error && <div className="error-box">{error}</div>}
      {!plot && !error && <div className="chart-placeholder plot-square">loading…</div>}
      {plot && <Plot data={plot.data} layout={plot.layout} className="plot-square" />}
    </div>
  );
}

function traces(map: EmbeddingMap) {
  const byLabel = new Map<number | null, { x: number[]; y: number[] }>();
  for (const p of map.points) {
    const group = byLabel.get(p.label) ?? { x: [], y: [] };
    group.x.push(p.x);
    group.y.push(p.y);
    byLabel.set(p.label, group);
  }
  // Unlabeled points first, so labelled ones are drawn over them.
  const labels = [...byLabel.keys()].sort((a, b) => (a === null ? -1 : b === null ? 1 : a - b));
  // the dataset's class names where the artifact carries them (older artifacts and unnamed classes: "class 3")
  const nameOf = (label: number | null) => (label === null ? "no label" : (map.class_names?.[label] ?? `class ${label}`));
  const data = labels.map((label) => ({
    type: "scattergl",
    mode: "markers",
    name: nameOf(label),
    ...byLabel.get(label),
    marker: { size: 4, opacity: 0.75, color: label === null ? NO_LABEL_COLOR : LABEL_COLORS[label % LABEL_COLORS.length] },
    hovertemplate: `${nameOf(label)}<br>(%{x:.3f}, %{y:.3f})<extra></extra>`,
  }));
  const axisTitle = (i: 0 | 1) => `${map.method.toUpperCase()} axis ${i + 1} (${(map.explained_variance[i] * 100).toFixed(1)}% of variance)`;
  const layout = {
    margin: { l: 48, r: 8, t: 8, b: 40 },
    xaxis: { title: { text: axisTitle(0) }, zeroline: false },
    yaxis: { title: { text: axisTitle(1) }, zeroline: false, scaleanchor: "x" },
    legend: { itemsizing: "constant" },
    hovermode: "closest",
    uirevision: "embedding-map",
  };
  return { data, layout };
}
