import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { escapeXml, gridPlot, linePlot, PALETTE } from '../../src/plot/svg.js';
import type { LinePlotOptions, Series } from '../../src/plot/svg.js';

interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  text: string; // decoded character data directly inside this element
}

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(raw: string, where: number): string {
  return raw.replace(/&([^;]*);|&/g, (m, name: string | undefined) => {
    if (name === undefined) throw new Error(`bare '&' near offset ${where}`);
    if (name in ENTITIES) return ENTITIES[name]!;
    if (/^#[0-9]+$/.test(name)) return String.fromCodePoint(Number(name.slice(1)));
    if (/^#x[0-9a-fA-F]+$/.test(name)) return String.fromCodePoint(parseInt(name.slice(2), 16));
    throw new Error(`unknown entity ${m} near offset ${where}`);
  });
}

/**
 * A strict parser for the XML subset the writer emits (elements, double-quoted attributes, character data, no
 * comments, CDATA, DOCTYPE or processing instructions): throws on anything not well-formed.
 */
function parseXml(xml: string): XmlElement {
  const tag = /<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[A-Za-z_][\w.:-]*\s*=\s*"[^"<]*")*)\s*(\/?)>/y;
  const attribute = /([A-Za-z_][\w.:-]*)\s*=\s*"([^"<]*)"/g;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let i = 0;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = xml.slice(i, lt === -1 ? xml.length : lt);
    if (text !== '') {
      const top = stack[stack.length - 1];
      if (top === undefined) {
        if (text.trim() !== '') throw new Error(`text outside the root element at offset ${i}`);
      } else {
        top.text += decode(text, i);
      }
    }
    if (lt === -1) break;
    tag.lastIndex = lt;
    const m = tag.exec(xml);
    if (m === null) throw new Error(`malformed tag at offset ${lt}: ${xml.slice(lt, lt + 60)}`);
    const [whole, closing, name, attrs, selfClosing] = m as unknown as [string, string, string, string, string];
    if (closing === '/') {
      if (selfClosing === '/' || attrs !== '') throw new Error(`malformed end tag at offset ${lt}`);
      const open = stack.pop();
      if (open?.name !== name) throw new Error(`</${name}> at offset ${lt} closes <${open?.name ?? 'nothing'}>`);
    } else {
      const attributes: Record<string, string> = {};
      for (const a of attrs.matchAll(attribute)) {
        const key = a[1]!;
        if (key in attributes) throw new Error(`duplicate attribute ${key} at offset ${lt}`);
        attributes[key] = decode(a[2]!, lt);
      }
      const element: XmlElement = { name, attributes, children: [], text: '' };
      const parent = stack[stack.length - 1];
      if (parent !== undefined) parent.children.push(element);
      else if (root !== undefined) throw new Error(`second root element at offset ${lt}`);
      else root = element;
      if (selfClosing !== '/') stack.push(element);
    }
    i = lt + whole.length;
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack[stack.length - 1]!.name}>`);
  if (root === undefined) throw new Error('no root element');
  return root;
}

function all(element: XmlElement, name: string): XmlElement[] {
  const found: XmlElement[] = [];
  const visit = (e: XmlElement): void => {
    if (e.name === name) found.push(e);
    e.children.forEach(visit);
  };
  visit(element);
  return found;
}

function texts(root: XmlElement): string[] {
  return all(root, 'text').map((t) => t.text);
}

function circleCount(root: XmlElement): number {
  return all(root, 'circle').length;
}

const base: LinePlotOptions = {
  title: 'Decay',
  xLabel: 'time step',
  yLabel: 'potential',
  series: [
    {
      label: 'exact',
      points: [
        [0, 1],
        [1, 0.5],
        [2, 0.25],
        [3, 0.125],
      ],
    },
    {
      label: 'fit',
      points: [
        [0, 0.9],
        [1, 0.55],
        [2, 0.2],
        [3, 0.1],
      ],
      dashed: true,
      markers: true,
    },
  ],
};

/** A line plot of `base` with its series replaced by one series 's' through `points`, and `extra` options. */
function plotOf(points: Series['points'], extra: Partial<LinePlotOptions> = {}): string {
  return linePlot({ ...base, ...extra, series: [{ label: 's', points }] });
}

describe('the XML checker', () => {
  it('rejects what is not well-formed', () => {
    expect(() => parseXml('<svg><g></svg>')).toThrow();
    expect(() => parseXml('<svg>a & b</svg>')).toThrow();
    expect(() => parseXml('<svg>a < b</svg>')).toThrow();
    expect(() => parseXml('<svg a="x" a="y"/>')).toThrow();
    expect(() => parseXml('<svg a="x"y"/>')).toThrow();
    expect(() => parseXml('<svg/><svg/>')).toThrow();
    expect(parseXml('<svg a="&lt;&amp;"><g>x &gt; y</g></svg>').children[0]!.text).toBe('x > y');
  });
});

describe('linePlot', () => {
  it('writes a well-formed standalone SVG document with the default size', () => {
    const root = parseXml(linePlot(base));
    expect(root.name).toBe('svg');
    expect(root.attributes['xmlns']).toBe('http://www.w3.org/2000/svg');
    expect(root.attributes['width']).toBe('640');
    expect(root.attributes['height']).toBe('400');
    expect(root.attributes['viewBox']).toBe('0 0 640 400');
  });

  it('honours width and height', () => {
    const root = parseXml(linePlot({ ...base, width: 300, height: 200 }));
    expect(root.attributes['width']).toBe('300');
    expect(root.attributes['viewBox']).toBe('0 0 300 200');
  });

  it('contains the title, axis labels, tick labels and legend entries', () => {
    const root = parseXml(linePlot(base));
    const t = texts(root);
    expect(all(root, 'title')[0]!.text).toBe('Decay');
    expect(t).toEqual(expect.arrayContaining(['Decay', 'time step', 'potential', 'exact', 'fit']));
    expect(t).toEqual(expect.arrayContaining(['0', '1', '2', '3']));
    expect(t).toEqual(expect.arrayContaining(['0', '0.2', '0.4', '0.6', '0.8', '1']));
  });

  it('draws dashed lines and markers only when asked, in palette colours', () => {
    const root = parseXml(linePlot(base));
    const strokes = all(root, 'path').filter((p) => PALETTE.includes(p.attributes['stroke'] ?? ''));
    const first = strokes.filter((p) => p.attributes['stroke'] === PALETTE[0]);
    const second = strokes.filter((p) => p.attributes['stroke'] === PALETTE[1]);
    expect(first.length).toBeGreaterThan(0);
    expect(second.length).toBeGreaterThan(0);
    expect(first.every((p) => p.attributes['stroke-dasharray'] === undefined)).toBe(true);
    expect(second.every((p) => p.attributes['stroke-dasharray'] !== undefined)).toBe(true);
    // Four data markers for the second series plus one legend marker; none for the first.
    expect(circleCount(root)).toBe(5);
  });

  it('escapes special characters in every label', () => {
    const nasty = `a & b < c > d "e" 'f'`;
    const svg = linePlot({
      title: `T ${nasty}`,
      xLabel: `X ${nasty}`,
      yLabel: `Y ${nasty}`,
      series: [{ label: `S ${nasty}`, points: [[0, 1]] }],
    });
    expect(svg).not.toContain('a & b');
    expect(svg).not.toContain('< c');
    expect(svg).toContain('a &amp; b &lt; c &gt; d &quot;e&quot;');
    const t = texts(parseXml(svg));
    for (const prefix of ['T', 'X', 'Y', 'S']) expect(t).toContain(`${prefix} ${nasty}`);
    expect(all(parseXml(svg), 'title')[0]!.text).toBe(`T ${nasty}`);
  });

  it('replaces characters XML cannot hold', () => {
    expect(escapeXml('a\u0000b\u001bc\uD800d\te')).toBe('a\uFFFDb\uFFFDc\uFFFDd\te');
    const root = parseXml(linePlot({ ...base, title: 'bell\u0007' }));
    expect(all(root, 'title')[0]!.text).toBe('bell\uFFFD');
  });

  it('uses powers of ten on a log axis and skips non-positive values, counting them in <desc>', () => {
    const svg = linePlot({
      ...base,
      logY: true,
      series: [
        {
          label: 'err',
          points: [
            [1, 1e-5],
            [2, 0],
            [3, -1],
            [4, 1e-2],
            [5, 1],
          ],
          markers: true,
        },
      ],
    });
    const root = parseXml(svg);
    const t = texts(root);
    expect(t).toEqual(expect.arrayContaining(['1e-5', '1e-4', '1e-3', '1e-2', '1e-1', '1e0']));
    expect(all(root, 'desc')[0]!.text).toContain('2 skipped (2 non-positive y on log axis)');
    // Three kept points plus one legend marker.
    expect(circleCount(root)).toBe(4);
    expect(svg).not.toContain('NaN');
    expect(svg).not.toContain('Infinity');
  });

  it('supports a log x axis and explicit x ticks', () => {
    const root = parseXml(
      plotOf(
        [
          [1, 1],
          [100, 2],
          [0, 3],
        ],
        { logX: true, xTicks: [1, 10, 100, 0] },
      ),
    );
    const t = texts(root);
    expect(t).toEqual(expect.arrayContaining(['1e0', '1e1', '1e2']));
    expect(all(root, 'desc')[0]!.text).toContain('1 non-positive x on log axis');

    const linear = texts(parseXml(linePlot({ ...base, xTicks: [0, 1.5, 3] })));
    expect(linear).toEqual(expect.arrayContaining(['0', '1.5', '3']));
    expect(linear).not.toContain('2');
  });

  it('skips NaN and infinite points and breaks the line there', () => {
    const svg = plotOf([
      [0, 0],
      [1, 1],
      [2, NaN],
      [Infinity, 3],
      [3, 2],
      [4, 3],
    ]);
    const root = parseXml(svg);
    expect(svg).not.toMatch(/NaN|Infinity/);
    expect(all(root, 'desc')[0]!.text).toContain('2 not finite');
    const line = all(root, 'path').find(
      (p) => p.attributes['stroke'] === PALETTE[0] && p.attributes['d']!.includes('L'),
    );
    expect(line!.attributes['d']!.match(/M/g)).toHaveLength(2);
  });

  it('handles a single point, a constant series and no data without dividing by zero', () => {
    const cases: LinePlotOptions[] = [
      { ...base, series: [{ label: 'one', points: [[3, 7]] }] },
      { ...base, series: [{ label: 'zero', points: [[0, 0]] }] },
      {
        ...base,
        series: [
          {
            label: 'flat',
            points: [
              [0, 5],
              [1, 5],
              [2, 5],
            ],
          },
        ],
      },
      { ...base, logY: true, logX: true, series: [{ label: 'one', points: [[10, 100]] }] },
      { ...base, series: [] },
      { ...base, logY: true, series: [{ label: 'none', points: [[1, 0]] }] },
    ];
    for (const options of cases) {
      const svg = linePlot(options);
      expect(svg).not.toMatch(/NaN|Infinity|undefined/);
      const root = parseXml(svg);
      expect(texts(root).length).toBeGreaterThan(3);
    }
    // An isolated point is drawn as a circle even without markers.
    expect(circleCount(parseXml(linePlot(cases[0]!)))).toBe(1);
    // The constant value sits inside the axis range, labelled.
    expect(texts(parseXml(linePlot(cases[2]!)))).toContain('5');
  });

  it('labels very small and very large values in exponent form', () => {
    const small = texts(
      parseXml(
        plotOf([
          [0, 1e-6],
          [1, 5e-6],
        ]),
      ),
    );
    expect(small).toEqual(expect.arrayContaining(['1e-6', '5e-6']));
  });

  it('prints coordinates with at most two decimals', () => {
    const svg = plotOf([
      [0, Math.PI],
      [1 / 3, Math.E],
      [2 / 7, Math.SQRT2],
    ]);
    const numbers = svg.match(/-?\d+\.\d+/g) ?? [];
    expect(numbers.length).toBeGreaterThan(0);
    for (const n of numbers) expect(n.split('.')[1]!.length).toBeLessThanOrEqual(2);
  });

  it('is deterministic', () => {
    expect(linePlot(base)).toBe(linePlot(base));
    const copy: LinePlotOptions = JSON.parse(JSON.stringify(base)) as LinePlotOptions;
    expect(linePlot(copy)).toBe(linePlot(base));
  });

  it('rejects a non-positive or non-finite size', () => {
    expect(() => linePlot({ ...base, width: 0 })).toThrow(InvalidArgumentError);
    expect(() => linePlot({ ...base, height: NaN })).toThrow(InvalidArgumentError);
  });
});

describe('gridPlot', () => {
  const panels: LinePlotOptions[] = [
    { ...base, title: 'P1' },
    { ...base, title: 'P2', logY: true },
    { ...base, title: 'P3 & <more>' },
    { ...base, title: 'P4', width: 320, height: 200 },
  ];

  it('places N panels as nested <svg> elements in a grid', () => {
    const svg = gridPlot({ title: 'All & everything', panels, columns: 2 });
    const root = parseXml(svg);
    expect(root.name).toBe('svg');
    const nested = root.children.filter((c) => c.name === 'svg');
    expect(nested).toHaveLength(4);
    const positions = nested.map((n) => [Number(n.attributes['x']), Number(n.attributes['y'])]);
    const xs = new Set(positions.map(([x]) => x));
    const ys = new Set(positions.map(([, y]) => y));
    expect(xs.size).toBe(2);
    expect(ys.size).toBe(2);
    expect(root.attributes['width']).toBe('1280');
    expect(Number(root.attributes['height'])).toBeGreaterThanOrEqual(800);
    expect(texts(root)).toEqual(expect.arrayContaining(['All & everything', 'P1', 'P2', 'P3 & <more>', 'P4']));
    // Panels never overlap: each lies inside the outer document.
    for (const n of nested) {
      expect(Number(n.attributes['x']) + Number(n.attributes['width'])).toBeLessThanOrEqual(
        Number(root.attributes['width']),
      );
      expect(Number(n.attributes['y']) + Number(n.attributes['height'])).toBeLessThanOrEqual(
        Number(root.attributes['height']),
      );
    }
  });

  it('lays out a single row or column and is deterministic', () => {
    const row = parseXml(gridPlot({ title: '', panels, columns: 4 }));
    expect(new Set(row.children.filter((c) => c.name === 'svg').map((n) => n.attributes['y'])).size).toBe(1);
    const column = parseXml(gridPlot({ title: 'c', panels, columns: 1 }));
    expect(new Set(column.children.filter((c) => c.name === 'svg').map((n) => n.attributes['x'])).size).toBe(1);
    expect(gridPlot({ title: 't', panels, columns: 3 })).toBe(gridPlot({ title: 't', panels, columns: 3 }));
    expect(parseXml(gridPlot({ title: 'empty', panels: [], columns: 2 })).name).toBe('svg');
  });

  it('rejects a bad column count', () => {
    expect(() => gridPlot({ title: '', panels, columns: 0 })).toThrow(InvalidArgumentError);
    expect(() => gridPlot({ title: '', panels, columns: 1.5 })).toThrow(InvalidArgumentError);
  });
});
