// The vocabulary shared by the op table, the counters and the spiking options: op names, op families and
// how float work is counted in multiply-accumulates.
import type { ActivationKind, OpSet } from './opset.js';

/** The operations a forward pass calls: the OpSet methods whose first argument is a site. */
export type OpName = {
  [K in keyof OpSet]: OpSet[K] extends (site: string, ...rest: never[]) => void ? K : never;
}[keyof OpSet];

/** What a site computes: its op, and the activation kind for activation sites. */
export interface SiteOp {
  readonly op: OpName;
  readonly activation?: ActivationKind;
}

/** A short label for tables and logs: "linear", "activation:gelu", ... (never parsed back). */
export function siteOpLabel(siteOp: SiteOp): string {
  return siteOp.activation === undefined ? siteOp.op : `${siteOp.op}:${siteOp.activation}`;
}

/** How each op family is made spiking (ALGORITHM.md section 2), or why it is not. */
export type OpFamily = 'activations' | 'multiplications' | 'softmax' | 'norms' | 'linearInputs' | 'pooling';

export const OP_FAMILIES: readonly OpFamily[] = [
  'activations',
  'multiplications',
  'softmax',
  'norms',
  'linearInputs',
  'pooling',
];

/**
 * What one float operation costs in multiply-accumulates (MACs), the unit of E_MAC. Linear layers and
 * products of activations are exact counts; transcendental functions follow the paper's GELU figure of
 * "70 FLOPs" counted as 35 MACs (Jiang et al. 2024), and the same cost is assumed for exp, reciprocal,
 * reciprocal square root, SiLU, tanh and sigmoid.
 */
export const MAC_CONVENTIONS = {
  transcendental: 35,
  relu: 0,
  perProduct: 1,
  normalisePerElement: 3, // subtract the mean, square and accumulate, scale
} as const;
