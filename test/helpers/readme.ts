// The README's fenced code blocks, with the section each is in: what test/package/readme-*.test.ts execute.
import { readFileSync } from 'node:fs';

export const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

export interface Block {
  readonly lang: string;
  readonly code: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** The `## ` section it is in. */
  readonly section: string;
}

export function codeBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  let section = '';
  let open: { lang: string; line: number; lines: string[] } | undefined;
  markdown.split('\n').forEach((text, i) => {
    if (open === undefined && text.startsWith('## ')) section = text.slice(3);
    const fence = /^```(\w*)\s*$/.exec(text);
    if (!fence) {
      open?.lines.push(text);
      return;
    }
    if (open === undefined) open = { lang: fence[1] ?? '', line: i + 1, lines: [] };
    else {
      blocks.push({ lang: open.lang, code: open.lines.join('\n'), line: open.line, section });
      open = undefined;
    }
  });
  return blocks;
}
