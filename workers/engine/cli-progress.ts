import cliProgress from "cli-progress";

/**
 * What a long-running pretext subcommand shows and listens to: a progress bar on stderr that starts
 * at the first update (when the total is known), and an AbortSignal that Ctrl-C fires so the work
 * stops cleanly after its current step. `close()` stops both; calling it twice is harmless.
 */
export function cliProgressSession(format: string, etaBuffer: number) {
  // Piped into a file or CI log, the bar becomes a line every 10 s instead of nothing.
  const bar = new cliProgress.SingleBar(
    { format, stream: process.stderr, hideCursor: true, etaBuffer, noTTYOutput: true, notTTYSchedule: 10_000 },
    cliProgress.Presets.shades_classic,
  );
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once("SIGINT", onSigint);
  let started = false;
  return {
    signal: abort.signal,
    /** `startAt`: where the bar begins on its first update (a resumed run starts past 0). */
    update(value: number, total: number, payload: Record<string, unknown>, startAt = 0) {
      if (!started) {
        bar.start(total, startAt, payload);
        started = true;
      }
      bar.update(value, payload);
    },
    close() {
      bar.stop();
      process.removeListener("SIGINT", onSigint);
    },
  };
}
