// Values described for error messages: bounded (at most a few hundred characters whatever the value), control
// bytes escaped, nesting cut short, so that a message never pastes a hostile value into a terminal or a log.

/** Control characters and lone surrogates: never pasted raw into a message. */
const UNPRINTABLE = /[\p{Cc}\p{Cs}]/u;

/** JSON's short escapes. */
const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/** A character escaped as JSON does (\n, \u0000; DEL..U+009F and lone surrogates too); " and \ when quoted. */
function escapeChar(c: string, quoted: boolean): string {
  if (UNPRINTABLE.test(c)) return SHORT_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  return quoted && (c === '"' || c === '\\') ? `\\${c}` : c;
}

/** `text` escaped, cut to at most maxChars characters ending in "..."; reads only as much of it as it shows. */
function cutText(text: string, maxChars: number, quoted: boolean): string {
  const keep = Math.max(maxChars - 3, 0); // room for "..."
  let out = '';
  let cutAt = -1; // where the text is cut when it turns out longer than maxChars
  for (const c of text) {
    const next = out + escapeChar(c, quoted);
    if (cutAt < 0 && next.length > keep) cutAt = out.length;
    if (next.length > maxChars) return `${out.slice(0, cutAt)}...`;
    out = next;
  }
  return out;
}

/** Text (a name, a decoder's message) for a message: control characters escaped (\u0000), at most maxChars long. */
export function describeText(text: string, maxChars = 64): string {
  return cutText(text, maxChars, false);
}

/** Arrays and objects nest at most this deep in a description ([[[...]]]): descriptions never recurse further. */
const MAX_DEPTH = 3;

const isPlainObject = (v: object): v is Record<string, unknown> => {
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

/** A JSON-like description of `value`, stopping once it is longer than `budget` characters (the caller cuts it). */
function describeWithin(value: unknown, depth: number, budget: number): string {
  if (typeof value === 'string') return `"${cutText(value, Math.max(budget - 2, 8), true)}"`;
  if (typeof value === 'bigint') return cutText(`${value}n`, budget, false);
  if (typeof value === 'symbol') return cutText(value.toString(), budget, false);
  if (typeof value === 'function') return 'a function';
  if (typeof value !== 'object' || value === null) return String(value);
  if (ArrayBuffer.isView(value)) {
    return `${value.constructor.name}(${'length' in value ? String(value.length) : `${value.byteLength} bytes`})`;
  }
  const isArray = Array.isArray(value);
  if (!isArray && !isPlainObject(value)) return `a ${cutText(String(value.constructor?.name), 32, false)} object`;
  const [open, close] = isArray ? ['[', ']'] : ['{', '}'];
  let text = open;
  const add = (key: string | undefined, item: unknown): boolean => {
    if (text.length > budget) return false;
    if (depth >= MAX_DEPTH) {
      text += '...'; // too deep to show: [[[...]]]
      return false;
    }
    if (text.length > 1) text += ',';
    if (key !== undefined) text += `"${cutText(key, 64, true)}":`;
    text += describeWithin(item, depth + 1, budget - text.length);
    return true;
  };
  if (isArray) {
    for (let i = 0; i < value.length; i++) if (!add(undefined, value[i])) break;
  } else {
    for (const key in value) if (Object.hasOwn(value, key) && !add(key, value[key])) break;
  }
  return text + close;
}

/**
 * A value for an error message: its compact JSON (as JSON.stringify writes it) for plain data, at most maxChars
 * characters ending in "..." when cut, control characters escaped, arrays and objects shown MAX_DEPTH deep. Long or
 * deep values cost only what is shown: it never recurses past MAX_DEPTH and stops reading an array or object once
 * the description is long enough. Use it wherever a message quotes input.
 */
export function describeValue(value: unknown, maxChars = 64): string {
  let text: string;
  try {
    text = describeWithin(value, 0, maxChars);
  } catch {
    return 'a value that cannot be shown'; // a proxy or a getter that throws
  }
  return text.length > maxChars ? `${text.slice(0, Math.max(maxChars - 3, 0))}...` : text;
}

/** What a wrong argument is, for messages: "null", "an Array", "a string", "a Float64Array". */
export function describeKind(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an Array';
  if (typeof value !== 'object') return `a ${typeof value}`;
  const type: unknown = (value as { constructor?: unknown }).constructor;
  return typeof type === 'function' ? `a ${describeText(type.name, 32)}` : 'an object';
}

/** A shape for a message, "[64, 192]": at most 8 dimensions shown, so a shape of any length stays short. */
export function describeShape(shape: readonly unknown[]): string {
  const shown = shape.slice(0, 8).map((d) => describeValue(d, 24));
  return `[${shown.join(', ')}${shape.length > 8 ? `, ... (${shape.length} dimensions)` : ''}]`;
}
