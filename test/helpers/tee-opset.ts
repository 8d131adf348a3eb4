// An OpSet that runs every op in two spiking OpSets on the same operands, to compare the equivalent and
// spike-driven modes op by op inside a real model (end-to-end differences compound across layers).
import type { LinearLayer, OpSet } from '../../src/ops/opset.js';
import type { SpikingOpSet } from '../../src/ops/spiking/spiking-opset.js';

/**
 * An OpSet running every op in both spiking OpSets on the same operands (b on copies): the model continues
 * with a's results; `worst` gets each site's largest |a - b| relative to max |a|.
 */
export function teeOpSet(a: SpikingOpSet, b: SpikingOpSet, worst: Map<string, number>): OpSet {
  const twins = new Map<unknown, LinearLayer>();
  return new Proxy(a, {
    get(target, prop) {
      if (prop === 'prepareLinear') {
        return (...args: Parameters<OpSet['prepareLinear']>) => {
          const layer = a.prepareLinear(...args);
          twins.set(layer, b.prepareLinear(...args));
          return layer;
        };
      }
      const method = Reflect.get(target, prop) as unknown;
      if (typeof method !== 'function') return method;
      return (...args: unknown[]) => {
        const copies = args.map((x) => (x instanceof Float32Array ? Float32Array.from(x) : (twins.get(x) ?? x)));
        (method as (...args: unknown[]) => void).apply(b, copies);
        (method as (...args: unknown[]) => void).apply(a, args);
        const out = prop === 'activation' ? 2 : 1; // the output buffer's argument
        const [x, y] = [args[out] as Float32Array, copies[out] as Float32Array];
        let [diff, scale] = [0, 1e-30];
        for (let i = 0; i < x.length; i++) {
          diff = Math.max(diff, Math.abs((x[i] as number) - (y[i] as number)));
          scale = Math.max(scale, Math.abs(x[i] as number));
        }
        const site = args[0] as string;
        worst.set(site, Math.max(worst.get(site) ?? 0, diff / scale));
      };
    },
  });
}
