// BertForSequenceClassification and BertModel on the hf-tiny goldens (checked against transformers): logits
// and the full last hidden state of every case (padding masked, token types) within the golden's tolerance on
// both weight sets and the legacy gamma/beta + position_ids variant, the same hidden states and pooler output
// from BertModel, the FormatErrors of checkpoints and configs that do not fit, and the spiking conversion.
import { expect, it } from 'vitest';
import { InvalidArgumentError, Kernels } from '../../../src/index.js';
import { bertBuilder, BertForSequenceClassification, BertModel } from '../../../src/models/bert.js';
import { describeFixtures } from '../../helpers/fixtures.js';
import { editedConfig, editedTensors, hfFixture, maxAbsDiff, type GoldenCase } from '../../helpers/hf-golden.js';
import {
  convertInBothModes,
  encoderModels,
  expectEncoderGolden,
  expectFormatError,
  weightSets,
} from '../../helpers/hf-models.js';

/** A case's inputs: ids, attention mask and token types (batch row 0). */
const inputs = (c: GoldenCase) => [c.input_ids[0]!, c.attention_mask[0]!, c.token_type_ids?.[0]] as const;

const { classifier, encoder } = encoderModels(bertBuilder, BertForSequenceClassification, BertModel);

const kernels = await Kernels.load();
/** The legacy gamma/beta names with position_ids. */
const LEGACY_WEIGHTS = 'variants/model.legacy-gamma-beta-position_ids.safetensors';

describeFixtures('BERT on the hf-tiny goldens', () => {
  for (const { title, folder, weights } of weightSets('bert-tiny-cls', LEGACY_WEIGHTS)) {
    it(`${title}: logits, hidden states and pooler output match`, () => {
      const f = hfFixture(folder, weights);
      const model = classifier(f, kernels);
      const bare = encoder(editedConfig(f, folder, { architectures: ['BertModel'] }), f.tensors, kernels);
      expect(model.labels).toEqual(['NEGATIVE', 'POSITIVE']);
      expect([bare.hiddenSize, bare.contextLength, bare.vocabSize]).toEqual([64, 64, 1000]);
      const atol = f.golden.tolerance.suggested_atol;
      expectEncoderGolden(folder, f, inputs, model, { name: 'BertModel', model: bare }, (c) => {
        // after the case's forward: the pooler output of its hidden states
        const pooled = maxAbsDiff(
          bare.pooled().subarray(0, 8),
          (c as { pooler_output_first8?: unknown }).pooler_output_first8,
        );
        expect(pooled).toBeLessThanOrEqual(atol.last_hidden_state);
        return `pooler ${pooled.toExponential(2)}`;
      });
      model.dispose();
      bare.dispose();
    });
  }

  it('BertModel from a checkpoint without the "bert." prefix and without a pooler: pooled() is h[0]', () => {
    const f = hfFixture('bert-tiny-cls-hot');
    const bare = new Map(
      [...f.tensors]
        .filter(([name]) => !name.startsWith('bert.pooler.') && !name.startsWith('classifier.'))
        .map(([name, t]) => [name.replace(/^bert\./, ''), t]),
    );
    const model = encoder(editedConfig(f, 'bert-tiny-cls-hot', { architectures: ['BertModel'] }), bare, kernels);
    const c = f.golden.cases[1]!;
    expect(maxAbsDiff(model.forward(...inputs(c)), c.last_hidden_state)).toBeLessThanOrEqual(1e-4);
    expect(Array.from(model.pooled())).toEqual(Array.from(model.lastHiddenState().subarray(0, 64)));
    // Without a mask or token types: all tokens real, all of type 0 (single12 is such a case).
    const single = f.golden.cases[0]!;
    expect(maxAbsDiff(model.forward(single.input_ids[0]!), single.last_hidden_state)).toBeLessThanOrEqual(1e-4);
  });

  it('inputs outside the vocabulary, the context or 0/1 masks are an InvalidArgumentError', () => {
    const model = classifier(hfFixture('bert-tiny-cls'), kernels);
    expect(() => model.forward([1, 1000])).toThrow(InvalidArgumentError);
    expect(() => model.forward([1, 1000])).toThrow(/token value 1000 at index 1 is outside \[0, 1000\)/);
    expect(() => model.forward([])).toThrow(/forward takes 1 to 64 tokens, got 0/);
    expect(() => model.forward(new Array<number>(65).fill(5))).toThrow(/got 65/);
    expect(() => model.forward([1, 2], [1, 2])).toThrow(/attention mask value 2 at index 1/);
    expect(() => model.forward([1, 2], [1])).toThrow(/2 tokens but 1 attention mask values/);
    expect(() => model.forward([1, 2], [1, 1], [0, 2])).toThrow(/token type value 2 at index 1 is outside \[0, 2\)/);
  });

  it('a checkpoint or config that does not fit is a FormatError naming the tensor or field', () => {
    const f = hfFixture('bert-tiny-cls');
    const without = editedTensors(f, ['bert.encoder.layer.1.attention.self.key.bias']);
    expectFormatError(
      () => bertBuilder(f.config, without, f.source),
      /missing tensor "bert.encoder.layer.1.attention.self.key.bias" \[64\]/,
    );
    const noPooler = editedTensors(f, ['bert.pooler.dense.weight']);
    expect(() => bertBuilder(f.config, noPooler, f.source)).toThrow(/missing tensor "bert.pooler.dense.weight"/);
    const wrong = editedTensors(f, [], {
      'bert.encoder.layer.0.intermediate.dense.weight': 'bert.encoder.layer.0.output.dense.weight',
    });
    expect(() => bertBuilder(f.config, wrong, f.source)).toThrow(
      /"bert.encoder.layer.0.intermediate.dense.weight" has shape \[64, 128\], expected \[128, 64\]/,
    );
    const extra = editedTensors(f, [], {
      'bert.encoder.layer.2.output.dense.bias': 'bert.encoder.layer.1.output.dense.bias',
    });
    expect(() => bertBuilder(f.config, extra, f.source)).toThrow(/unexpected tensor "bert.encoder.layer.2.output/);
    const fields: [Record<string, unknown>, RegExp][] = [
      [{ num_attention_heads: 5 }, /field "num_attention_heads" must be a divisor of hidden_size = 64; got 5/],
      [{ position_embedding_type: 'relative_key' }, /field "position_embedding_type" must be one of "absolute"/],
      [{ hidden_act: 'quick_gelu' }, /field "hidden_act" must be one of .*"gelu".*; got "quick_gelu"/],
      [{ layer_norm_eps: 0 }, /field "layer_norm_eps" must be a positive number; got 0/],
      [{ is_decoder: true }, /field "is_decoder" must be false/],
      [{ id2label: { 1: 'a' } }, /field "id2label" must be an object mapping "0" .. "n-1" to label names/],
      [{ architectures: ['BertForMaskedLM'] }, /field "architectures" must be \["BertForSequenceClassification"\]/],
      [
        { id2label: { 0: 'a', 1: 'b', 2: 'c' } },
        /"classifier.(weight|bias)" has shape \[2(, 64)?\], expected \[3(, 64)?\]/,
      ],
    ];
    for (const [changes, message] of fields) {
      expect(() => bertBuilder(editedConfig(f, 'bert-tiny-cls', changes), f.tensors, f.source)).toThrow(message);
    }
    const unnamed = editedConfig(f, 'bert-tiny-cls', { id2label: undefined, label2id: undefined });
    expect(classifier({ ...f, config: unnamed }, kernels).labels).toEqual(['LABEL_0', 'LABEL_1']);
  });

  it('bert-tiny-cls-hot converted at T = 16: spiking logits near float in both modes, no undeclared float site', () => {
    const f = hfFixture('bert-tiny-cls-hot');
    const builder = bertBuilder(f.config, f.tensors, f.source);
    const modes = convertInBothModes(kernels, builder, f.golden.cases, (m, c) => m.forward(...inputs(c)));
    modes.expectNearFloat('bert-tiny-cls-hot', SPIKING_LOGIT_TOLERANCE);
    // On the same operands every op agrees between the modes to float32 rounding (the spike-driven products
    // sum in another order). End to end those last-bit differences move a few values across a code or spike
    // threshold, so the logits differ by some quantisation steps (still well inside the conversion error).
    modes.expectModesAgree('bert-tiny-cls-hot', MODES_LOGIT_TOLERANCE, { opByOp: true });
  }, 300_000);
});

/** Measured max |spiking - float logits| at T = 16 over the four cases: 6.7e-2 (equivalent), 6.9e-2 (spike-driven). */
const SPIKING_LOGIT_TOLERANCE = 0.15;
/** Measured max |equivalent - spike-driven logits| end to end: 1.4e-2 (pair12_token_types; 1.4e-3 to 2.8e-3 otherwise). */
const MODES_LOGIT_TOLERANCE = 5e-2;
