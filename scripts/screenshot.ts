// `npm run screenshot`: runs the demo page on the fixtures in headless Chromium (stories260K, T = 16) and
// saves the top of the page as docs/page.png, the README's screenshot.
import { fixturesDir } from '../src/io/node/files.js';
import { launchChromium } from './chromium.js';
import { REPO_ROOT, startStaticServer } from './static-server.js';

const fixtures = fixturesDir();
if (!fixtures) {
  console.error('screenshot: no fixtures folder (../shared/fixtures or $MBE_SNN_FIXTURES)');
  process.exit(1);
}
const server = await startStaticServer({ aliases: new Map([['/fixtures/', fixtures]]) });
const browser = await launchChromium();
try {
  const { page } = await browser.newPage();
  await page.setViewportSize({ width: 1200, height: 1100 });
  await page.goto(`${server.origin}/web/index.html?fixtures&model=llama2c&T=16&steps=96&autorun`);
  await page.waitForFunction(
    () => (window as unknown as { mbeDemo: { status: string } }).mbeDemo.status === 'done',
    undefined,
    {
      timeout: 300_000,
    },
  );
  await page.screenshot({ path: `${REPO_ROOT}docs/page.png` });
  console.log('wrote docs/page.png');
} finally {
  await browser.close();
  await server.close();
}
