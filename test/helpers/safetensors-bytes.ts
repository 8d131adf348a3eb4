// Hand-made safetensors files for the parser tests: any header (even a malformed one) over any data bytes.

/** The parts joined into one new array (its own buffer, at offset 0). */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

/** A safetensors file from a header (object or raw text) and a data buffer; `pad` spaces after the JSON. */
export function safetensorsFile(header: object | string, data: Uint8Array = new Uint8Array(0), pad = 0): Uint8Array {
  const json = new TextEncoder().encode(
    (typeof header === 'string' ? header : JSON.stringify(header)) + ' '.repeat(pad),
  );
  const length = new Uint8Array(8);
  new DataView(length.buffer).setBigUint64(0, BigInt(json.length), true);
  return concatBytes(length, json, data);
}

/** (8 + 64 + 65536 * 2 bytes) a file whose one F16 tensor "h" holds every half bit pattern in order. */
export function everyHalfFile(): Uint8Array {
  const data = new Uint8Array(2 * 65536);
  const view = new DataView(data.buffer);
  for (let h = 0; h < 65536; h++) view.setUint16(2 * h, h, true);
  const header = JSON.stringify({ h: { dtype: 'F16', shape: [65536], data_offsets: [0, data.length] } });
  return safetensorsFile(header.padEnd(64, ' '), data);
}
