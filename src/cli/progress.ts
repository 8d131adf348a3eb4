// A progress line on stderr: redrawn in place on a terminal, every 10% otherwise (CI logs stay short).
export function progressBar(label: string): (done: number, total: number) => void {
  const started = Date.now();
  let lastTenth = -1;
  const tty = process.stderr.isTTY === true;
  return (done, total) => {
    const fraction = total > 0 ? done / total : 1;
    const elapsed = (Date.now() - started) / 1000;
    const eta = fraction > 0 ? (elapsed / fraction) * (1 - fraction) : 0;
    const width = 30;
    const filled = Math.round(fraction * width);
    const line = `${label} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total} ${elapsed.toFixed(0)}s, ${eta.toFixed(0)}s left`;
    if (tty) {
      process.stderr.write(`\r${line}${done === total ? '\n' : ''}`);
    } else {
      const tenth = Math.floor(fraction * 10);
      if (tenth !== lastTenth) {
        lastTenth = tenth;
        process.stderr.write(`${line}\n`);
      }
    }
  };
}
