// GPT2LMHeadModel on the hf-tiny goldens (checked against transformers): logits and the full last hidden
// state within the golden's tolerance on both weight sets and the no-prefix variant, the greedy tokens, and
// the FormatErrors of checkpoints that do not fit the config.
import { expect, it } from 'vitest';
import { Kernels } from '../../../src/index.js';
import { gpt2Builder } from '../../../src/models/gpt2.js';
import { FloatOpSet } from '../../../src/ops/float-opset.js';
import { describeFixtures } from '../../helpers/fixtures.js';
import { editedTensors, expectCausalGolden, hfFixture } from '../../helpers/hf-golden.js';
import { expectFormatError, weightSets } from '../../helpers/hf-models.js';

const kernels = await Kernels.load();
/** Without the "transformer." prefix, with the attention bias buffers. */
const NO_PREFIX_WEIGHTS = 'variants/model.no-prefix-with-attn-bias.safetensors';

describeFixtures('GPT-2 on the hf-tiny goldens', () => {
  for (const { title, folder, weights } of weightSets('gpt2-tiny', NO_PREFIX_WEIGHTS)) {
    it(`${title}: logits, hidden states and greedy tokens match`, () => {
      const f = hfFixture(folder, weights);
      const model = gpt2Builder(f.config, f.tensors, f.source).build(new FloatOpSet(kernels));
      expectCausalGolden(model, f, folder);
      model.dispose();
    });
  }

  it('a checkpoint that does not fit the config is a FormatError naming the tensor', () => {
    const f = hfFixture('gpt2-tiny');
    const without = editedTensors(f, ['transformer.h.1.mlp.c_fc.bias']);
    expectFormatError(
      () => gpt2Builder(f.config, without, f.source),
      /missing tensor "transformer.h.1.mlp.c_fc.bias" \[256\]/,
    );
    const extra = editedTensors(f, [], { 'transformer.h.2.ln_1.weight': 'transformer.h.1.ln_1.weight' });
    expect(() => gpt2Builder(f.config, extra, f.source)).toThrow(/unexpected tensor "transformer.h.2.ln_1.weight"/);
    const wide = editedTensors(f, [], { 'transformer.wpe.weight': 'transformer.wte.weight' });
    expect(() => gpt2Builder(f.config, wide, f.source)).toThrow(
      /"transformer.wpe.weight" has shape \[1000, 64\], expected \[64, 64\]/,
    );
  });
});
