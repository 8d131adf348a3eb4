// SVG text building shared by the plot writers: XML escaping, number printing and the few elements they repeat.

/** Base font size of every plot (px); tick labels, axis labels and the legend use it. */
export const FONT_SIZE = 12;
/** Font size of a plot's title (px). */
export const TITLE_SIZE = 15;

/** Escapes text for XML element content and double-quoted attributes; drops characters XML 1.0 cannot hold. */
export function escapeXml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** A coordinate with at most two decimals, no trailing zeros, no "-0". */
export function num(v: number): string {
  const r = Math.round(v * 100) / 100;
  return r === 0 ? '0' : String(r);
}

/** A `<text>` element with the given (already formatted) attributes around escaped content. */
export function text(attributes: string, content: string): string {
  return `<text ${attributes}>${escapeXml(content)}</text>`;
}

/** A bold title centred over a drawing `width` wide, its baseline at `y`. */
export function titleText(width: number, y: number, fontSize: number, title: string): string {
  return text(
    `x="${num(width / 2)}" y="${num(y)}" text-anchor="middle" font-size="${fontSize}" font-weight="bold"`,
    title,
  );
}

/** An unfilled path of 1px lines. */
export function strokePath(d: string, stroke: string): string {
  return `<path d="${d}" fill="none" stroke="${stroke}" stroke-width="1"/>`;
}

/** The first elements of every drawing: its accessible `<title>` and `<desc>`, then a white background. */
export function preamble(title: string, desc: string, width: number, height: number): string[] {
  return [
    `<title>${escapeXml(title)}</title>`,
    `<desc>${escapeXml(desc)}</desc>`,
    `<rect width="${num(width)}" height="${num(height)}" fill="#ffffff"/>`,
  ];
}

/** An `<svg>` element around `body` (a standalone document, or nested when `extra` places it with x and y). */
export function svgElement(width: number, height: number, body: string, extra = ''): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg"${extra} width="${num(width)}" height="${num(height)}" ` +
    `viewBox="0 0 ${num(width)} ${num(height)}" font-family="sans-serif" font-size="${FONT_SIZE}">\n${body}\n</svg>`
  );
}
