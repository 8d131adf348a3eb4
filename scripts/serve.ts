// `npm run serve`: serves web/, bench/browser/ and the bundle (dist/browser/, built first by the npm script)
// on http://127.0.0.1:8080 (or --port N / $PORT) until interrupted.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir } from '../src/io/node/files.js';
import { REPO_ROOT, startStaticServer } from './static-server.js';

const flag = process.argv.indexOf('--port');
const port = Number(flag >= 0 ? process.argv[flag + 1] : (process.env.PORT ?? 8080));
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(
    `serve: --port must be an integer in 0..65535, got ${String(process.argv[flag + 1] ?? process.env.PORT)}`,
  );
  process.exit(2);
}
if (!existsSync(join(REPO_ROOT, 'dist/browser/mbe-snn.min.js'))) {
  console.error('serve: dist/browser/mbe-snn.min.js is missing: run `npm run build:browser` first');
  process.exit(1);
}

const fixtures = fixturesDir();
const server = await startStaticServer({
  port,
  index: '/web/index.html',
  crossOriginIsolated: true, // the demo's kernels may use threads
  ...(fixtures ? { aliases: new Map([['/fixtures/', fixtures]]) } : {}),
});
console.log(`Serving web/, bench/browser/ and dist/browser/ on ${server.origin}`);
console.log(`  demo page:         ${server.origin}/web/index.html${fixtures ? ` (fixtures from ${fixtures})` : ''}`);
console.log(`  kernel test page:  ${server.origin}/web/kernel-test.html`);
console.log(`  gemm benchmark:    ${server.origin}/bench/browser/index.html`);
console.log('Ctrl-C to stop.');
process.on('SIGINT', () => {
  void server.close().then(() => process.exit(0));
});
