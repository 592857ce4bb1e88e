import cliProgress from 'cli-progress';
import type { QueueProgress } from './coordinator.js';

/**
 * The coordinator's progress on a terminal: one bar with episodes done, failed, running on
 * workers, episodes per second and the time left. Nothing when stderr is not a terminal (the
 * per-episode lines are printed there instead).
 */
export function progressBar(): { update: (p: QueueProgress) => void; stop: () => void } | undefined {
  if (!process.stderr.isTTY) return undefined;
  const started = Date.now();
  const bar = new cliProgress.SingleBar(
    {
      format: 'episodes [{bar}] {value}/{total} | {failed} failed | {running} running | {rate} episodes/s | ETA {eta_formatted}',
      stream: process.stderr,
      etaBuffer: 50,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let begun = false;
  return {
    update(p) {
      const finished = p.done + p.failed;
      const rate = finished / Math.max(0.001, (Date.now() - started) / 1000);
      const payload = { failed: p.failed, running: p.running, rate: rate.toFixed(1) };
      if (!begun) {
        bar.start(p.total, finished, payload);
        begun = true;
      } else bar.update(finished, payload);
    },
    stop: () => begun && bar.stop(),
  };
}
