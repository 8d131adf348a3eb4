// Browser-safe image handling: the decoded-image type, channel conversion and Pillow's resize, and the canvas
// decoder for pages. The Node PNG/JPEG file readers are in ../node/images.ts.
export * from './image.js';
export * from './convert.js';
export * from './resize.js';
export * from './canvas.js';
