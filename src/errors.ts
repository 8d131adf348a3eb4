// Every error the library throws on bad input: a class with a stable `code` and a message that names the
// argument, file, field or offset and says what was expected.

export class MbeError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
    this.name = new.target.name;
  }
}

/** An argument or option out of range, of the wrong length, or not finite. */
export class InvalidArgumentError extends MbeError {
  constructor(message: string) {
    super('ERR_INVALID_ARGUMENT', message);
  }
}

/** The kernel module's memory cannot grow to hold the operands. */
export class WasmMemoryError extends MbeError {
  constructor(message: string) {
    super('ERR_WASM_MEMORY', message);
  }
}

/** A file or byte buffer that is not what it claims to be: names the file, the offset or field, and what was expected. */
export class FormatError extends MbeError {
  readonly file: string;
  readonly offset: number | undefined;
  constructor(file: string, message: string, offset?: number) {
    super('ERR_FORMAT', `${file}${offset === undefined ? '' : ` at byte ${offset}`}: ${message}`);
    this.file = file;
    this.offset = offset;
  }
}
