// plotly.js's small bundle (scatter, bar, pie): a fifth of the full one to parse, so charts paint sooner.
declare module "plotly.js-basic-dist-min" {
  export function react(el: HTMLElement, data: unknown[], layout?: unknown, config?: unknown): Promise<void>;
}
