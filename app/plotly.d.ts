declare module "plotly.js-dist-min" {
  export function react(el: HTMLElement, data: unknown[], layout?: unknown, config?: unknown): Promise<void>;
  export const Plots: { resize(el: HTMLElement): Promise<void> };
}
