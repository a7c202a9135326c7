"use client";

import { useEffect, useRef } from "react";

/**
 * A plotly.js chart that updates in place: Plotly.react diffs new data into the existing plot,
 * so charts never flash or lose the user's zoom (`uirevision` in the layout) when data changes.
 * It follows its box's size (window resizes, grids reflowing), not just the window's.
 */
export function Plot({ data, layout, className, testId }: { data: unknown[]; layout: Record<string, unknown>; className: string; testId?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    void import("plotly.js-dist-min").then((Plotly) => Plotly.react(el, data, { autosize: true, ...layout }, { displaylogo: false }));
  }, [data, layout]);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    let width = el.clientWidth;
    const observer = new ResizeObserver(() => {
      if (el.clientWidth === width || !el.classList.contains("js-plotly-plot")) return;
      width = el.clientWidth;
      // a plot taken off the page meanwhile (the user navigated away) has nothing to resize
      void import("plotly.js-dist-min").then((Plotly) => Plotly.Plots.resize(el)).catch(() => {});
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return <div ref={ref} className={className} data-testid={testId} />;
}
