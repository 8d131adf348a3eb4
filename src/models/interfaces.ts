// What the metrics, generation, tasks, CLI and page need of a model, whatever its architecture: a causal
// language model, a sequence classifier or an image classifier. Every architecture implements one.

/** A decoder-only language model with a key-value cache. */
export interface CausalLM {
  readonly vocabSize: number;
  /** Positions the model can attend over (its maximum sequence length). */
  readonly contextLength: number;
  /**
   * Logits (tokens.length, vocab) for tokens at positions startPos .. startPos + tokens.length - 1; earlier
   * positions must have been run since the last reset. The returned view is reused by the next call.
   */
  forward(tokens: ArrayLike<number>, startPos: number): Float32Array;
  /** Forgets the cached keys and values: the next call starts at position 0. */
  reset(): void;
  /** The last forward's final hidden states (tokens, hidden), where the architecture exposes them. */
  lastHiddenState?(): Float32Array;
  /** Frees resident weight copies; the model cannot be used afterwards. */
  dispose(): void;
}

/** An encoder with a classification head (BERT/RoBERTa style). */
export interface SequenceClassifier {
  readonly vocabSize: number;
  readonly contextLength: number;
  readonly labels: readonly string[];
  /**
   * Logits (labels) of one sequence; attentionMask (tokens) is 1 for real tokens, 0 for padding (default
   * all 1); tokenTypes (tokens) are segment ids (default all 0). The view is reused by the next call.
   */
  forward(tokens: ArrayLike<number>, attentionMask?: ArrayLike<number>, tokenTypes?: ArrayLike<number>): Float32Array;
  lastHiddenState?(): Float32Array;
  dispose(): void;
}

/** An encoder without a head (BertModel, RobertaModel): the hidden states of a sequence. */
export interface SequenceEncoder {
  readonly vocabSize: number;
  readonly contextLength: number;
  readonly hiddenSize: number;
  /** The last hidden state (tokens, hidden) of one sequence; masks as for SequenceClassifier. */
  forward(tokens: ArrayLike<number>, attentionMask?: ArrayLike<number>, tokenTypes?: ArrayLike<number>): Float32Array;
  /** The last forward's sequence embedding (hidden): the pooler's output where there is one, else token 0's state. */
  pooled(): Float32Array;
  dispose(): void;
}

/** The 8-bit images a classifier takes: (height, width, channels) row-major. */
export interface ImageShape {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

/** An image classifier that does its own preprocessing (normalisation, resizing) of 8-bit pixels. */
export interface ImageClassifier {
  readonly image: ImageShape;
  readonly classes: number;
  /** Logits (classes) of one image of image.height * image.width * image.channels bytes; the view is reused. */
  forward(pixels: Uint8Array): Float32Array;
  lastHiddenState?(): Float32Array;
  dispose(): void;
}

/** Text to token ids and back, as a language model's tokenizer does it. */
export interface TextTokenizer {
  /** Token ids of the text, with the start-of-sequence token first where the model expects one. */
  encode(text: string): number[];
  /** The text of a sequence of ids (its first id is the sequence start or the prompt's first token). */
  decode(ids: readonly number[]): string;
  /** Tokens whose generation ends a text. */
  readonly stopTokens: readonly number[];
}
