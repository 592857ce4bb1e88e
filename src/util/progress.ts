import cliProgress from 'cli-progress';

/**
 * A progress callback drawing one bar per stage on stderr when it is a terminal, and doing
 * nothing otherwise (pipes and CI logs stay clean).
 */
export function terminalProgress(): { update: (stage: string, done: number, total: number) => void; stop: () => void } {
  if (!process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  let bar: cliProgress.SingleBar | undefined;
  let current = '';
  const stop = () => {
    bar?.stop();
    bar = undefined;
  };
  return {
    update(stage, done, total) {
      if (stage !== current) {
        stop();
        current = stage;
        bar = new cliProgress.SingleBar({ format: `${stage.padEnd(11)} [{bar}] {value}/{total}`, stream: process.stderr, clearOnComplete: true }, cliProgress.Presets.shades_classic);
        bar.start(total, 0);
      }
      bar!.update(done);
      if (done >= total) stop();
    },
    stop,
  };
}
