// RobertaForSequenceClassification and RobertaModel on the hf-tiny goldens (checked against transformers):
// logits and the full last hidden state of every case within the golden's tolerance on both weight sets (the
// position ids counted from the input ids, pads numbered pad, full64 reaching the table's last row), the same
// hidden states from RobertaModel, the FormatErrors of checkpoints and configs that do not fit, and the
// spiking conversion at T = 16 in both modes (bert.test.ts checks the modes op by op).
import { expect, it } from 'vitest';
import { Kernels } from '../../../src/index.js';
import {
  robertaBuilder,
  robertaConfig,
  RobertaForSequenceClassification,
  RobertaModel,
} from '../../../src/models/roberta.js';
import { describeFixtures } from '../../helpers/fixtures.js';
import { editedConfig, editedTensors, hfFixture, maxAbsDiff, type GoldenCase } from '../../helpers/hf-golden.js';
import { convertInBothModes, encoderModels, expectEncoderGolden, expectFormatError } from '../../helpers/hf-models.js';

const inputs = (c: GoldenCase) => [c.input_ids[0]!, c.attention_mask[0]!] as const;

const { classifier, encoder } = encoderModels(robertaBuilder, RobertaForSequenceClassification, RobertaModel);

const kernels = await Kernels.load();

describeFixtures('RoBERTa on the hf-tiny goldens', () => {
  for (const folder of ['roberta-tiny-cls', 'roberta-tiny-cls-hot']) {
    it(`${folder}: logits and hidden states match, from the classifier and from RobertaModel`, () => {
      const f = hfFixture(folder);
      const model = classifier(f, kernels);
      const bare = encoder(editedConfig(f, folder, { architectures: ['RobertaModel'] }), f.tensors, kernels);
      expect(model.labels).toEqual(['NEGATIVE', 'POSITIVE']);
      expect([model.contextLength, bare.contextLength]).toEqual([64, 64]);
      expectEncoderGolden(folder, f, inputs, model, { name: 'RobertaModel', model: bare }, () => {
        // No pooler in this checkpoint: the sequence embedding is token 0's state.
        expect(Array.from(bare.pooled())).toEqual(Array.from(bare.lastHiddenState().subarray(0, 64)));
        return undefined;
      });
      model.dispose();
      bare.dispose();
    });
  }

  it('RobertaModel from a checkpoint without the "roberta." prefix, with and without a pooler', () => {
    const f = hfFixture('roberta-tiny-cls-hot');
    const config = editedConfig(f, 'roberta-tiny-cls-hot', { architectures: ['RobertaModel'] });
    const bare = new Map([...f.tensors].map(([name, t]) => [name.replace(/^roberta\./, ''), t]));
    const c = f.golden.cases[1]!;
    expect(maxAbsDiff(encoder(config, bare, kernels).forward(...inputs(c)), c.last_hidden_state)).toBeLessThan(1e-4);
    // A pooler (here the head's dense layer under the pooler's name) makes pooled() = tanh(dense(h[0])).
    bare.set('pooler.dense.weight', f.tensors.get('classifier.dense.weight')!);
    bare.set('pooler.dense.bias', f.tensors.get('classifier.dense.bias')!);
    const pooled = encoder(config, bare, kernels);
    pooled.forward(...inputs(c));
    const first = pooled.lastHiddenState().subarray(0, 64);
    const [weight, bias] = ['weight', 'bias'].map((p) => f.tensors.get(`classifier.dense.${p}`)) as {
      data: Float32Array;
    }[];
    const expected = Array.from({ length: 64 }, (_, o) =>
      Math.tanh(first.reduce((sum, x, i) => sum + x * weight!.data[o * 64 + i]!, bias!.data[o]!)),
    );
    expect(maxAbsDiff(pooled.pooled(), expected)).toBeLessThan(1e-5);
  });

  it('a checkpoint or config that does not fit is a FormatError naming the tensor or field', () => {
    const f = hfFixture('roberta-tiny-cls');
    const without = editedTensors(f, ['classifier.out_proj.weight']);
    expectFormatError(
      () => robertaBuilder(f.config, without, f.source),
      /missing tensor "classifier.out_proj.weight" \[2, 64\]/,
    );
    const wrong = editedTensors(f, [], {
      'roberta.embeddings.position_embeddings.weight': 'roberta.embeddings.word_embeddings.weight',
    });
    expect(() => robertaBuilder(f.config, wrong, f.source)).toThrow(
      /"roberta.embeddings.position_embeddings.weight" has shape \[1000, 64\], expected \[66, 64\]/,
    );
    const fields: [Record<string, unknown>, RegExp][] = [
      [{ max_position_embeddings: 2 }, /field "max_position_embeddings" must be more than pad_token_id \+ 1 = 2/],
      [{ num_attention_heads: 3 }, /field "num_attention_heads" must be a divisor of hidden_size = 64; got 3/],
      [{ position_embedding_type: 'relative_key_query' }, /field "position_embedding_type" must be one of "absolute"/],
      [
        { architectures: ['RobertaForMaskedLM'] },
        /field "architectures" must be \["RobertaForSequenceClassification"\]/,
      ],
      [
        { type_vocab_size: 2 },
        /"roberta.embeddings.token_type_embeddings.weight" has shape \[1, 64\], expected \[2, 64\]/,
      ],
    ];
    for (const [changes, message] of fields) {
      expect(() => robertaBuilder(editedConfig(f, 'roberta-tiny-cls', changes), f.tensors, f.source)).toThrow(message);
    }
    // Defaults as transformers' RobertaConfig: pad 1, and the context is what the position table allows.
    const c = robertaConfig(editedConfig(f, 'roberta-tiny-cls', { pad_token_id: undefined }));
    expect([c.padTokenId, c.contextLength, c.eps, c.prefix, c.positionIds]).toEqual([1, 64, 1e-5, 'roberta', 'padded']);
    expect(() => classifier(f, kernels).forward(new Array<number>(65).fill(5))).toThrow(/1 to 64 tokens, got 65/);
  });

  it('roberta-tiny-cls-hot converted at T = 16: spiking logits near float in both modes, no undeclared float site', () => {
    const f = hfFixture('roberta-tiny-cls-hot');
    const builder = robertaBuilder(f.config, f.tensors, f.source);
    const modes = convertInBothModes(kernels, builder, f.golden.cases, (m, c) => m.forward(...inputs(c)));
    modes.expectNearFloat('roberta-tiny-cls-hot', SPIKING_LOGIT_TOLERANCE);
    modes.expectModesAgree('roberta-tiny-cls-hot', MODES_LOGIT_TOLERANCE);
  }, 300_000);
});

/** Measured max |spiking - float logits| at T = 16 over the three cases: 5.9e-2 in both modes. */
const SPIKING_LOGIT_TOLERANCE = 0.15;
/** Measured max |equivalent - spike-driven logits| end to end: 5.9e-3 (last-bit differences crossing thresholds). */
const MODES_LOGIT_TOLERANCE = 5e-2;
