// mbe-snn/node: everything in the browser entry, plus what needs Node (file readers, the CLI's helpers).
export * from './index.js';
export * from './io/node/files.js';
export { readModelFolder } from './io/node/folder.js';
export * from './io/node/images.js';
