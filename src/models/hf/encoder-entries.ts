// Registry entries of Hugging Face encoders: BERT and RoBERTa, each as a sequence classifier
// (…ForSequenceClassification) and as an encoder without a head (…Model), told apart by config.json.
import type { WeightOptions } from '../../io/finite.js';
import { hasHfTokenizer, hfTokenizer } from '../../io/hf/tokenizer.js';
import { bertBuilder } from '../bert.js';
import type { ModelBuilder } from '../builder.js';
import type { SequenceClassifier, SequenceEncoder } from '../interfaces.js';
import type { ModelFiles, SequenceClassifierEntry, SequenceEncoderEntry } from '../registry.js';
import { robertaBuilder } from '../roberta.js';
import { configNames, readFolder, type FolderContents } from './entries.js';

type EncoderBuilder = (contents: FolderContents) => ModelBuilder<SequenceClassifier | SequenceEncoder>;

/** The builder and, when the folder has one, the tokenizer. */
function load<M>(files: ModelFiles, build: EncoderBuilder, options?: WeightOptions) {
  const contents = readFolder(files, options);
  const builder = build(contents) as ModelBuilder<M>;
  return hasHfTokenizer(files) ? { builder, tokenizer: hfTokenizer(files, contents.folder) } : { builder };
}

function pair(
  family: string,
  classes: { classifier: string; encoder: string },
  modelType: string,
  fixture: readonly string[],
  build: EncoderBuilder,
): [SequenceClassifierEntry, SequenceEncoderEntry] {
  return [
    {
      name: family,
      task: 'sequence-classifier',
      summary: `Hugging Face ${classes.classifier} folder`,
      files: [],
      folder: { fixture },
      recognise: (files) => configNames(files, [classes.classifier], []),
      load: (files, options) => load<SequenceClassifier>(files, build, options),
    },
    {
      name: `${family}-encoder`,
      task: 'sequence-encoder',
      summary: `Hugging Face ${classes.encoder} folder (an encoder without a head)`,
      files: [],
      folder: { fixture },
      recognise: (files) => configNames(files, [classes.encoder], [modelType]),
      load: (files, options) => load<SequenceEncoder>(files, build, options),
    },
  ];
}

export const BERT_ENTRIES = pair(
  'bert',
  { classifier: 'BertForSequenceClassification', encoder: 'BertModel' },
  'bert',
  ['hf-tiny', 'bert-tiny-cls-hot'],
  ({ config, tensors, folder }) => bertBuilder(config, tensors, folder),
);

export const ROBERTA_ENTRIES = pair(
  'roberta',
  { classifier: 'RobertaForSequenceClassification', encoder: 'RobertaModel' },
  'roberta',
  ['hf-tiny', 'roberta-tiny-cls-hot'],
  ({ config, tensors, folder }) => robertaBuilder(config, tensors, folder),
);
