// The static server of the browser tests and `npm run serve`: mounted folders and in-memory files only.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStaticServer, type StaticServer } from '../../scripts/static-server.js';

let server: StaticServer;

beforeAll(async () => {
  server = await startStaticServer({ files: new Map([['/dist/browser/in-memory.js', 'export const x = 1;\n']]) });
});

afterAll(async () => {
  await server.close();
});

const get = (path: string) => fetch(`${server.origin}${path}`, { redirect: 'manual' });

/** The status of a GET with the path sent as is (fetch would resolve '..' segments before sending). */
function rawStatus(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request(`${server.origin}/`, { path }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    })
      .on('error', reject)
      .end();
  });
}

describe('static server', () => {
  it('listens on 127.0.0.1 and redirects / to the kernel test page', async () => {
    expect(server.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await get('/');
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/web/kernel-test.html');
  });

  it('serves mounted files and in-memory files with their content types', async () => {
    const page = await get('/web/kernel-test.html');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const memory = await get('/dist/browser/in-memory.js');
    expect(memory.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await memory.text()).toBe('export const x = 1;\n');
    const folder = await get('/bench/browser/');
    expect(folder.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect((await get('/bench/browser')).headers.get('location')).toBe('/bench/browser/');
  });

  it('serves nothing outside the mounts', async () => {
    for (const path of ['/package.json', '/src/index.ts', '/web/../package.json', '/web/%2e%2e/package.json']) {
      expect(await rawStatus(path), path).toBe(404);
    }
    expect(await rawStatus('/web/../web/kernel-test.html')).toBe(200);
    expect((await fetch(`${server.origin}/web/kernel-test.html`, { method: 'POST' })).status).toBe(405);
  });
});
