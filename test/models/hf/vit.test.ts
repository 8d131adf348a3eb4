// ViTForImageClassification on the hf-tiny goldens (checked against transformers): logits and the full last
// hidden state within the golden's tolerance from pixel_values, the same logits from the 8-bit image through
// the preprocessor, the FormatErrors of configs, checkpoints and preprocessor configs that do not fit, and
// the spiking conversion at T = 16 in both modes.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { InvalidArgumentError, Kernels } from '../../../src/index.js';
import { parsePreprocessorConfig, type ImagePreprocessor } from '../../../src/io/hf/preprocessor.js';
import { hfVitBuilder } from '../../../src/models/hf-vit.js';
import { FloatOpSet } from '../../../src/ops/float-opset.js';
import { describeFixtures, fixture } from '../../helpers/fixtures.js';
import { editedConfig, editedTensors, hfFixture, maxAbsDiff, type GoldenCase } from '../../helpers/hf-golden.js';
import { convertInBothModes, expectFormatError } from '../../helpers/hf-models.js';

/** pixel_values [1, 3, 32, 32] -> (channels, height, width). */
const pixelValues = (c: GoldenCase) => Float32Array.from((c.pixel_values as number[][][][]).flat(3));
/** image_uint8_hwc [32, 32, 3] -> (height, width, channels) bytes. */
const image = (c: GoldenCase) => Uint8Array.from((c.image_uint8_hwc as number[][][]).flat(2));

const preprocessorBytes = (folder: string) => readFileSync(fixture('hf-tiny', folder, 'preprocessor_config.json'));
const preprocessorOf = (folder: string) =>
  parsePreprocessorConfig(preprocessorBytes(folder), 'preprocessor_config.json');
/** The fixture's preprocessor_config.json with fields changed (undefined deletes one). */
function editedPreprocessor(changes: Record<string, unknown>): ImagePreprocessor {
  const json = { ...(JSON.parse(preprocessorBytes('vit-tiny-cls').toString('utf8')) as Record<string, unknown>) };
  for (const [field, value] of Object.entries(changes)) json[field] = value;
  return parsePreprocessorConfig(new TextEncoder().encode(JSON.stringify(json)), 'preprocessor_config.json');
}

const kernels = await Kernels.load();

describeFixtures('ViTForImageClassification on the hf-tiny goldens', () => {
  for (const folder of ['vit-tiny-cls', 'vit-tiny-cls-hot']) {
    it(`${folder}: logits and hidden states from pixel_values and from the 8-bit image match`, () => {
      const f = hfFixture(folder);
      const model = hfVitBuilder(f.config, f.tensors, f.source, preprocessorOf(folder)).build(new FloatOpSet(kernels));
      const defaults = hfVitBuilder(f.config, f.tensors, f.source).build(new FloatOpSet(kernels));
      expect(model.image).toEqual({ height: 32, width: 32, channels: 3 });
      expect(model.labels.slice(0, 2)).toEqual(['airplane', 'automobile']);
      const atol = f.golden.tolerance.suggested_atol;
      for (const c of f.golden.cases) {
        const fromValues = Float32Array.from(model.forwardPixelValues(pixelValues(c)));
        const logits = maxAbsDiff(fromValues, c.logits);
        const hidden = maxAbsDiff(model.lastHiddenState(), c.last_hidden_state);
        const fromImage = maxAbsDiff(model.forward(image(c)), c.logits);
        console.log(
          `${folder} ${c.name}: max |logits - golden| ${logits.toExponential(2)}, hidden ${hidden.toExponential(2)}, ` +
            `logits from the 8-bit image ${fromImage.toExponential(2)}`,
        );
        expect(logits).toBeLessThanOrEqual(atol.logits);
        expect(hidden).toBeLessThanOrEqual(atol.last_hidden_state);
        expect(fromImage).toBeLessThanOrEqual(atol.logits);
        // The preprocessing reproduces pixel_values exactly, so both paths give the same float32 logits.
        expect(Array.from(model.forward(image(c)))).toEqual(Array.from(fromValues));
        expect(Array.from(defaults.forward(image(c)))).toEqual(Array.from(fromValues));
      }
      model.dispose();
      defaults.dispose();
    });
  }

  it('an image or pixel values of the wrong size are an InvalidArgumentError', () => {
    const f = hfFixture('vit-tiny-cls');
    const model = hfVitBuilder(f.config, f.tensors, f.source).build(new FloatOpSet(kernels));
    expect(() => model.forward(new Uint8Array(31 * 32 * 3))).toThrow(InvalidArgumentError);
    expect(() => model.forward(new Uint8Array(31 * 32 * 3))).toThrow(/32 x 32 x 3 bytes/);
    expect(() => model.forwardPixelValues(new Float32Array(32 * 32))).toThrow(/3 x 32 x 32 \(CHW\), got 1024/);
  });

  it('a checkpoint or config that does not fit is a FormatError naming the tensor or field', () => {
    const f = hfFixture('vit-tiny-cls');
    const without = editedTensors(f, ['vit.encoder.layer.1.attention.attention.key.bias']);
    expectFormatError(
      () => hfVitBuilder(f.config, without, f.source),
      /missing tensor "vit.encoder.layer.1.attention.attention.key.bias" \[64\]/,
    );
    const wrong = editedTensors(f, [], { 'vit.embeddings.position_embeddings': 'vit.embeddings.cls_token' });
    expect(() => hfVitBuilder(f.config, wrong, f.source)).toThrow(
      /"vit.embeddings.position_embeddings" has shape \[1, 1, 64\], expected \[1, 17, 64\]/,
    );
    const conv = editedTensors(f, [], { 'classifier.weight': 'vit.encoder.layer.0.output.dense.weight' });
    expect(() => hfVitBuilder(f.config, conv, f.source)).toThrow(/"classifier.weight" has shape \[64, 128\]/);
    const fields: [Record<string, unknown>, RegExp][] = [
      [{ image_size: 30 }, /field "image_size" must be a multiple of patch_size = 8; got 30/],
      [{ patch_size: 0 }, /field "patch_size" must be an integer/],
      [{ num_attention_heads: 5 }, /field "num_attention_heads" must be a divisor of hidden_size = 64; got 5/],
      [{ hidden_act: 'quick_gelu' }, /field "hidden_act" must be one of .*"gelu".*; got "quick_gelu"/],
      [{ layer_norm_eps: -1 }, /field "layer_norm_eps" must be a positive number/],
      [{ qkv_bias: 'yes' }, /field "qkv_bias" must be true or false/],
      [{ id2label: { 1: 'a' } }, /field "id2label" must be an object mapping "0" .. "n-1" to label names/],
    ];
    for (const [changes, message] of fields) {
      expect(() => hfVitBuilder(editedConfig(f, 'vit-tiny-cls', changes), f.tensors, f.source)).toThrow(message);
    }
    // Without q/k/v biases the checkpoint's bias tensors are unexpected.
    expect(() => hfVitBuilder(editedConfig(f, 'vit-tiny-cls', { qkv_bias: false }), f.tensors, f.source)).toThrow(
      /unexpected tensor "vit.encoder.layer.0.attention.attention.(query|key|value).bias"/,
    );
  });

  it('preprocessor_config.json: fields read, defaults, and errors naming the field', () => {
    const p = preprocessorOf('vit-tiny-cls');
    expect(p.resize).toEqual({ height: 32, width: 32, resample: 'bilinear' });
    expect(p.rescaleFactor).toBe(0.00392156862745098);
    expect(p.normalize).toEqual({ mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] });
    expect(editedPreprocessor({ do_resize: false, do_rescale: false, do_normalize: false })).toMatchObject({
      resize: undefined,
      rescaleFactor: 1,
      normalize: undefined,
    });
    expect(editedPreprocessor({ size: 32, resample: 3 }).resize).toEqual({
      height: 32,
      width: 32,
      resample: 'bicubic',
    });
    const errors: [Record<string, unknown>, RegExp][] = [
      [{ do_resize: 1 }, /field "do_resize" must be true or false; got 1/],
      [{ size: { shortest_edge: 32 } }, /field "size" must be \{"height": h, "width": w\}/],
      [{ resample: 7 }, /field "resample" must be an integer in \[0, 5\]; got 7/],
      [{ rescale_factor: 0 }, /field "rescale_factor" must be a positive number; got 0/],
      [{ image_mean: [0.5, 'x', 0.5] }, /field "image_mean" must be a list of finite numbers/],
      [{ image_std: [0.5, 0, 0.5] }, /field "image_std" must be a list of positive numbers/],
      [{ image_std: [0.5, 0.5] }, /field "image_std" must be 3 values, as many as image_mean/],
      [{ do_center_crop: true }, /field "do_center_crop" must be false or absent/],
    ];
    for (const [changes, message] of errors) expectFormatError(() => editedPreprocessor(changes), message);
    expect(() => parsePreprocessorConfig(new TextEncoder().encode('[1]'), 'p.json')).toThrow(/p.json: must hold/);
    // Fields that only fail against the model: its image size and channel count.
    const f = hfFixture('vit-tiny-cls');
    const build = (changes: Record<string, unknown>) =>
      hfVitBuilder(f.config, f.tensors, f.source, editedPreprocessor(changes));
    expect(() => build({ size: { height: 224, width: 224 } })).toThrow(
      /preprocessor_config.json: field "size" must be \{"height": 32, "width": 32\}/,
    );
    expect(() => build({ image_mean: [0.5, 0.5], image_std: 0.5 })).toThrow(
      /field "image_mean" must be one value or 3 \(the model's num_channels\); got \[0.5,0.5\]/,
    );
    expect(() => build({ do_resize: false, image_mean: 0.5, image_std: [0.5] })).not.toThrow();
  });

  it('vit-tiny-cls-hot converted at T = 16: spiking logits near float in both modes, no undeclared float site', () => {
    const f = hfFixture('vit-tiny-cls-hot');
    const builder = hfVitBuilder(f.config, f.tensors, f.source, preprocessorOf('vit-tiny-cls-hot'));
    const modes = convertInBothModes(kernels, builder, f.golden.cases.map(image), (m, i) => m.forward(i));
    modes.expectNearFloat('vit-tiny-cls-hot', SPIKING_LOGIT_TOLERANCE);
    for (const r of [modes.equivalent, modes['spike-driven']]) expect(r.conversion.report.weightsModified).toBe(false);
    // On the same operands every op agrees between the modes to float32 rounding (the spike-driven products
    // sum in another order). Run end to end, those last-bit differences move some values across a code or
    // spike threshold, so the logits differ by a few quantisation steps.
    modes.expectModesAgree('vit-tiny-cls-hot', MODES_LOGIT_TOLERANCE, { opByOp: true });
  }, 300_000);
});

/** Measured max |spiking - float logits| at T = 16: 4.3e-2 (equivalent), 4.2e-2 (spike-driven). */
const SPIKING_LOGIT_TOLERANCE = 0.1;
/** Measured max |equivalent - spike-driven logits| end to end: 2.7e-3. */
const MODES_LOGIT_TOLERANCE = 1e-2;
