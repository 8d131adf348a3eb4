// Marks the CLI's compiled entry (package.json "bin") executable: tsc writes it as a plain file, and `npx mbe-snn`
// in a clone runs it directly (npm sets the mode only for installed packages). Run by `npm run build`.
import { chmod, readFile } from 'node:fs/promises';

const root = new URL('../', import.meta.url);
const { bin } = JSON.parse(await readFile(new URL('package.json', root), 'utf8'));
for (const path of Object.values(bin)) await chmod(new URL(path, root), 0o755);
