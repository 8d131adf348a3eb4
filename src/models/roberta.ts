// RoBERTa as Hugging Face's RobertaModel and RobertaForSequenceClassification compute it: BERT's encoder
// (bert.ts) under the "roberta." prefix, with position ids from the input ids, cumsum(ids != pad) * (ids !=
// pad) + pad (the first real token gets pad + 1, padding gets pad), and its own head on token 0:
// logits = out_proj(tanh(dense(h[0]))) from classifier.dense and classifier.out_proj. The classifier has no
// pooler; a RobertaModel may have one.
import type { HfConfig } from '../io/hf/config.js';
import type { SafetensorsTensor } from '../io/safetensors.js';
import type { OpSet } from '../ops/opset.js';
import {
  BERT_NON_SPIKING,
  BertForSequenceClassification,
  BertModel,
  bertConfig,
  bertTensors,
  hfEncoderKind,
  weightAndBias,
  type BertConfig,
} from './bert.js';
import type { ModelBuilder } from './builder.js';
import { bindTensors, type TensorSpec } from './hf/checkpoint.js';

/** A RobertaConfig's fields: BERT's, with pad_token_id (default 1) numbering the positions. */
export function robertaConfig(config: HfConfig): BertConfig {
  const c = bertConfig(config);
  const padTokenId = config.int('pad_token_id', { min: 0, fallback: 1 });
  // Real tokens are numbered from pad + 1 on: table rows 0 .. pad are never a real token's.
  const contextLength = c.positions - padTokenId - 1;
  if (contextLength < 1) {
    throw config.error('max_position_embeddings', `more than pad_token_id + 1 = ${padTokenId + 1}`, c.positions);
  }
  return { ...c, prefix: 'roberta', positionIds: 'padded', padTokenId, contextLength };
}

/** RobertaForSequenceClassification's tensors (`classifier`) or RobertaModel's (`encoder`, pooler optional). */
export function robertaTensors(c: BertConfig, kind: 'classifier' | 'encoder'): TensorSpec[] {
  const { dim } = c;
  if (kind === 'encoder') return bertTensors(c, weightAndBias('roberta.pooler.dense', [dim, dim], true));
  const head = [
    ...weightAndBias('classifier.dense', [dim, dim]),
    ...weightAndBias('classifier.out_proj', [c.labels.length, dim]),
  ];
  return bertTensors(c, head);
}

/** The encoder: hidden states, and pooled() = tanh(pooler(h[0])) with a pooler, else h[0]. */
export class RobertaModel extends BertModel {}

/** logits (labels) = out_proj(tanh(dense(h[0]))). */
export class RobertaForSequenceClassification extends BertForSequenceClassification {}

export const ROBERTA_NON_SPIKING = [
  ...BERT_NON_SPIKING,
  'position ids counted from the input ids (integer bookkeeping on the token ids)',
];

/**
 * Binds a RobertaForSequenceClassification or RobertaModel checkpoint (as config.architectures says) and
 * builds it over any OpSet. RobertaModel files may lack the "roberta." prefix and the pooler; tensors of parts
 * the model does not have (a head, the classifier's absent pooler) are ignored, as from_pretrained does.
 */
export function robertaBuilder(
  config: HfConfig,
  tensors: ReadonlyMap<string, SafetensorsTensor>,
  source: string,
): ModelBuilder<RobertaForSequenceClassification | RobertaModel> {
  const c = robertaConfig(config);
  const kind = hfEncoderKind(config, 'RobertaForSequenceClassification', 'RobertaModel');
  const buffers = kind === 'encoder' ? [/^(classifier|lm_head)\./] : [/(^|\.)pooler\.dense\./];
  const weights = bindTensors(tensors, robertaTensors(c, kind), { prefix: 'roberta.', buffers }, source);
  const model = (ops: OpSet) => new RobertaModel(c, weights, ops);
  const classifier = (ops: OpSet) =>
    new RobertaForSequenceClassification(
      new RobertaModel(c, weights, ops, 'classifier.dense', 'classifier'),
      weights.linear(ops, 'classifier.out_proj', c.labels.length, c.dim),
      'classifier.out_proj',
    );
  return { architecture: 'roberta', build: kind === 'encoder' ? model : classifier, nonSpiking: ROBERTA_NON_SPIKING };
}
