// The op table against the OpSet interface: every operation of the interface (parsed from its source, so
// the test does not trust the table) has a record, and every OpSet implements it, records it, counts it
// and reports it.
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { convert, Kernels, NeuronProvider } from '../../src/index.js';
import { CalibratingOpSet } from '../../src/ops/calibration.js';
import { FloatOpSet } from '../../src/ops/float-opset.js';
import { OP_NAMES, OP_TABLE, type OpName } from '../../src/ops/op-table.js';
import type { OpSet } from '../../src/ops/opset.js';
import { SpikingOpSet } from '../../src/ops/spiking/spiking-opset.js';
import { gaussian, seededRandom } from '../../src/random.js';

/** The methods of `interface OpSet` whose first parameter is a site, read from the source. */
function interfaceOps(): string[] {
  const path = new URL('../../src/ops/opset.ts', import.meta.url);
  const source = ts.createSourceFile('opset.ts', readFileSync(path, 'utf8'), ts.ScriptTarget.ES2022, true);
  const names: string[] = [];
  source.forEachChild((node) => {
    if (!ts.isInterfaceDeclaration(node) || node.name.text !== 'OpSet') return;
    for (const member of node.members) {
      if (ts.isMethodSignature(member) && member.parameters[0]?.name.getText(source) === 'site') {
        names.push(member.name.getText(source));
      }
    }
  });
  return names;
}

const S = 3; // rows
const D = 8; // features

/** One call of every op on small inputs, by op name. */
function everyOp(ops: OpSet): Record<OpName, () => void> {
  const random = seededRandom(5);
  const values = (n: number) => Float32Array.from({ length: n }, () => gaussian(random));
  const layer = ops.prepareLinear(values(D * D), D, D, values(D));
  const out = () => new Float32Array(S * D); // (S, D)
  const conv = ops.prepareConv(values(4 * 2 * 3 * 3), {
    inChannels: 2,
    outChannels: 4,
    kernelSize: 3,
    stride: 2,
    padding: 1,
  });
  return {
    linear: () => ops.linear('op.linear', out(), values(S * D), layer, S),
    // (5, 4, 2) -> (3, 2, 4)
    conv2d: () => ops.conv2d('op.conv2d', new Float32Array(3 * 2 * 4), values(5 * 4 * 2), conv, 5, 4),
    // (5, 4, 3) -> (2, 2, 3)
    maxPool: () => ops.maxPool('op.maxPool', new Float32Array(2 * 2 * 3), values(5 * 4 * 3), 5, 4, 3),
    activation: () => ops.activation('op.activation', 'gelu', out(), values(S * D), S * D),
    mul: () => ops.mul('op.mul', out(), values(S * D), values(S * D), S * D),
    matmul: () =>
      ops.matmul('op.matmul', new Float32Array(S * S), values(S * D), values(S * D), S, D, S, { transposeB: true }),
    softmax: () =>
      ops.softmax('op.softmax', values(S * D), S, D, { causalOffset: 4, keyMask: [1, 1, 0, 1, 1, 1, 1, 0] }),
    layerNorm: () => ops.layerNorm('op.layerNorm', out(), values(S * D), values(D), values(D), S, D, 1e-5),
    rmsNorm: () => ops.rmsNorm('op.rmsNorm', out(), values(S * D), values(D), S, D, 1e-5),
    add: () => ops.add('op.add', out(), values(S * D), values(S * D), S * D),
  };
}

let kernels: Kernels;
let neurons: NeuronProvider;
beforeAll(async () => {
  kernels = await Kernels.load();
  neurons = new NeuronProvider(kernels, { fit: { seeds: 1, epochs: 60, samples: 1000 } });
});

function conversion(mode: 'equivalent' | 'spike-driven') {
  return convert(
    kernels,
    (ops) => everyOp(ops),
    (calls) => Object.values(calls).forEach((call) => call()),
    {
      spiking: { T: 8, mode },
      neurons,
    },
  );
}

describe('op table', () => {
  it('has exactly one record per operation of the OpSet interface', () => {
    const ops = interfaceOps();
    console.log(`OpSet operations: ${ops.join(', ')}`);
    expect(ops.length).toBeGreaterThanOrEqual(8);
    expect([...OP_NAMES].sort()).toEqual([...ops].sort());
    expect(Object.keys(everyOp(new FloatOpSet(kernels))).sort()).toEqual([...ops].sort());
  });

  it('every OpSet (float, calibrating, spiking in both modes) implements every operation', () => {
    for (const [name, ops] of Object.entries(allOpSets())) {
      for (const op of interfaceOps()) {
        expect(typeof (ops as unknown as Record<string, unknown>)[op], `${name}.${op}`).toBe('function');
        expect(() => everyOp(ops)[op as OpName](), `${name}.${op} runs`).not.toThrow();
      }
    }
  });

  it('calibration records every op, the spiking OpSet counts it from the table, the report lists it', () => {
    for (const mode of ['equivalent', 'spike-driven'] as const) {
      const { ops, report, spiking } = conversion(mode);
      for (const call of Object.values(spiking)) call();
      const counters = new Map(ops.counters.all().map((c) => [c.op, c]));
      for (const op of interfaceOps() as OpName[]) {
        const site = report.sites.find((s) => s.op === op);
        expect(site, `${mode}: report lists ${op}`).toBeDefined();
        expect(site!.spiking, `${mode}: ${op} is spiking`).toBe(OP_TABLE[op].family !== 'residual');
        const c = counters.get(op);
        expect(c?.calls, `${mode}: ${op} counted`).toBe(1);
        if (OP_TABLE[op].family !== 'residual') expect(c!.spikes, `${mode}: ${op} spikes`).toBeGreaterThan(0);
      }
    }
  });
});

describe('op table buffers', () => {
  it('name exactly the elements each call reads and writes (what a replay compares and restores)', () => {
    const float = new FloatOpSet(kernels);
    const captured = new Map<OpName, unknown[]>();
    // every op's arguments as the call passes them, its output buffers filled with NaN first
    const capturing = new Proxy(float, {
      get(target, name: string) {
        const value = (target as unknown as Record<string, (...a: unknown[]) => unknown>)[name];
        if (typeof value !== 'function') return value;
        if (!(OP_NAMES as readonly string[]).includes(name)) return value.bind(target);
        return (...args: unknown[]) => {
          const op = name as OpName;
          // the output argument filled with NaN (softmax writes over its input, which keeps its values)
          const { writes } = OP_TABLE[op].buffers(args as never);
          const out = args.find((a) => a instanceof Float32Array && a.buffer === writes.buffer) as Float32Array;
          if (op !== 'softmax') out.fill(NaN);
          captured.set(op, args);
          return value.apply(target, args);
        };
      },
    });
    const calls = everyOp(capturing);
    for (const op of OP_NAMES) {
      calls[op]();
      const args = captured.get(op) as never;
      const { reads, writes } = OP_TABLE[op].buffers(args);
      const moved = OP_TABLE[op].moved(args);
      const gains = op === 'layerNorm' || op === 'rmsNorm' ? moved.weights : 0; // gamma, beta are read as activations
      expect(
        reads.reduce((n, r) => n + r.length, 0),
        `${op} reads`,
      ).toBe(moved.inputs + gains);
      expect(writes.length, `${op} writes`).toBe(moved.outputs);
      // the op wrote every element of the view (its output was all NaN before the call)
      expect(
        writes.every((v) => Number.isFinite(v)),
        `${op} wrote every element`,
      ).toBe(true);
    }
  });
});

function allOpSets(): Record<string, OpSet> {
  const calibrating = new CalibratingOpSet(kernels);
  for (const call of Object.values(everyOp(calibrating))) call();
  const spikingOps = (mode: 'equivalent' | 'spike-driven') =>
    new SpikingOpSet({ kernels, calibration: calibrating.calibration, options: { T: 8, mode }, neurons });
  return {
    float: new FloatOpSet(kernels),
    calibrating: new CalibratingOpSet(kernels),
    'spiking (equivalent)': spikingOps('equivalent'),
    'spiking (spike-driven)': spikingOps('spike-driven'),
  };
}
