// A loaded model ready to be built over any OpSet: the float twin, the calibrating pass and the spiking
// model are all built from the same weights by the same builder (conversion only swaps the OpSet).
import type { OpSet } from '../ops/opset.js';

export interface ModelBuilder<M> {
  /** The architecture's registry name. */
  readonly architecture: string;
  build(ops: OpSet): M;
  /** Operations this architecture keeps non-spiking by design (embedding lookups, RoPE, ...), for reports. */
  readonly nonSpiking: readonly string[];
}
