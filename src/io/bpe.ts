// Greedy BPE merging with run.c's exact rule: repeatedly replace the adjacent pair whose merged token has
// the highest score (the leftmost such pair on ties; only scores above -1e10 count) until no pair merges.
// run.c rescans the whole sequence per merge (quadratic); this keeps the candidate pairs in a max-heap keyed
// (score, -position) over a linked list, so it is O(n log n) with the same result: merging keeps the left
// node's slot, so slot order is sequence order.

/** run.c's starting best score: a merge must score above it. */
const MERGE_FLOOR = -1e10;

interface Candidate {
  readonly score: number;
  /** Slot of the left token: smaller = further left. */
  readonly left: number;
  readonly right: number;
  readonly id: number;
  /** Versions of the two slots when the pair was seen; a changed slot makes the candidate stale. */
  readonly leftVersion: number;
  readonly rightVersion: number;
}

/** a goes before b: higher score, then further left. */
function before(a: Candidate, b: Candidate): boolean {
  return a.score > b.score || (a.score === b.score && a.left < b.left);
}

class CandidateHeap {
  private readonly items: Candidate[] = [];

  push(c: Candidate): void {
    const items = this.items;
    let i = items.push(c) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(c, items[parent]!)) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = c;
  }

  pop(): Candidate | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= items.length) break;
      if (child + 1 < items.length && before(items[child + 1]!, items[child]!)) child++;
      if (!before(items[child]!, last)) break;
      items[i] = items[child]!;
      i = child;
    }
    items[i] = last;
    return top;
  }
}

/**
 * Merges `tokens` in place and returns it. `mergedId(a, b)` is the token of piece(a) + piece(b), or -1;
 * `scores[id]` ranks merges.
 */
export function mergeTokens(
  tokens: number[],
  mergedId: (a: number, b: number) => number,
  scores: ArrayLike<number>,
): number[] {
  const n = tokens.length;
  const token = tokens.slice(); // (n) current token of each slot
  const next = Int32Array.from({ length: n }, (_, i) => (i + 1 < n ? i + 1 : -1)); // (n) right neighbour or -1
  const prev = Int32Array.from({ length: n }, (_, i) => i - 1); // (n) left neighbour or -1
  const version = new Int32Array(n); // (n) bumped when a slot changes token or is merged away
  const heap = new CandidateHeap();
  const consider = (left: number, right: number) => {
    if (left < 0 || right < 0) return;
    const id = mergedId(token[left]!, token[right]!);
    if (id < 0) return;
    const score = scores[id]!;
    if (!(score > MERGE_FLOOR)) return;
    heap.push({ score, left, right, id, leftVersion: version[left]!, rightVersion: version[right]! });
  };
  for (let i = 0; i + 1 < n; i++) consider(i, i + 1);
  for (let c = heap.pop(); c !== undefined; c = heap.pop()) {
    const { left, right } = c;
    if (version[left] !== c.leftVersion || version[right] !== c.rightVersion || next[left] !== right) continue;
    // the pair becomes one token in the left slot; the right slot leaves the list
    token[left] = c.id;
    version[left]!++;
    version[right]!++;
    const after = next[right]!;
    next[left] = after;
    if (after >= 0) prev[after] = left;
    consider(prev[left]!, left);
    consider(left, after);
  }
  tokens.length = 0;
  for (let i = n > 0 ? 0 : -1; i >= 0; i = next[i]!) tokens.push(token[i]!);
  return tokens;
}
