// Timing one keystroke → echo at a time over any "target" (something to type into and read
// from), and the percentiles the echo benchmark prints.

const TIMEOUT_MS = 5_000;
/** Keys typed before the line is cleared, so the shell's input line stays short. */
const LINE_LENGTH = 60;

export function percentile(samples, p) {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Output watcher: resolves the next wait once `text` appears in output after the wait began. */
export function createWatcher() {
  let buffer = '';
  let pending;
  return {
    push(text) {
      buffer += text;
      if (pending !== undefined && buffer.includes(pending.text)) {
        const { resolve } = pending;
        pending = undefined;
        buffer = '';
        resolve();
      }
    },
    waitFor(text) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no echo of ${JSON.stringify(text)}`)),
          TIMEOUT_MS,
        );
        buffer = '';
        pending = {
          text,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        };
      });
    },
  };
}

/**
 * Types `count` single characters into `target` one after another, timing each until its echo
 * arrives; returns the round trips in microseconds.
 */
export async function measureEcho(target, count) {
  const samples = [];
  for (let i = 0; i < count; i++) {
    const key = String.fromCharCode(97 + (i % 26));
    const started = process.hrtime.bigint();
    const echoed = target.waitFor(key);
    target.write(key);
    await echoed;
    samples.push(Number(process.hrtime.bigint() - started) / 1000);
    if (i % LINE_LENGTH === LINE_LENGTH - 1) {
      const cleared = target.waitFor('\n');
      target.write('\u0015\r');
      await cleared;
    }
  }
  return samples;
}
