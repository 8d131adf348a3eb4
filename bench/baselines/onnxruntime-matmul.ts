// Baseline: onnxruntime-web (wasm backend, 1 thread) running a single ONNX MatMul node.
// The model is encoded in memory by the tiny protobuf writer below, so no .onnx file or protobuf dependency.
// Field numbers follow onnx/onnx.proto (IR version 8).

// The package's "node" export condition resolves to dist/ort.node.min.mjs, which finds its
// ort-wasm-simd-threaded.{mjs,wasm} next to itself, so no env.wasm.wasmPaths is needed in Node.
import * as ort from 'onnxruntime-web';

export interface OrtMatMul {
  run(a: Float32Array): Promise<Float32Array>;
  dispose(): Promise<void>;
}

// ---- minimal protobuf writer: only varint (wire type 0) and length-delimited (wire type 2) fields ----

type Bytes = Uint8Array;

function varint(v: number): number[] {
  // Only non-negative values below 2^53 occur here (field tags, lengths, dims), so plain arithmetic is exact.
  const out: number[] = [];
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

function concat(parts: Bytes[]): Bytes {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

// Tag = (field << 3) | wireType.
function fVarint(field: number, v: number): Bytes {
  return Uint8Array.from([...varint(field << 3), ...varint(v)]);
}

function fBytes(field: number, payload: Bytes): Bytes {
  return concat([Uint8Array.from([...varint((field << 3) | 2), ...varint(payload.length)]), payload]);
}

function fString(field: number, s: string): Bytes {
  return fBytes(field, new TextEncoder().encode(s));
}

// ---- ONNX messages ----

const FLOAT = 1; // TensorProto.DataType.FLOAT

// ValueInfoProto { name = 1; type = 2 } -> TypeProto { tensor_type = 1 }
//   -> TypeProto.Tensor { elem_type = 1; shape = 2 } -> TensorShapeProto { dim = 1 } -> Dimension { dim_value = 1 }
function valueInfo(name: string, dims: number[]): Bytes {
  const shape = concat(dims.map((d) => fBytes(1, fVarint(1, d))));
  const tensorType = concat([fVarint(1, FLOAT), fBytes(2, shape)]);
  return concat([fString(1, name), fBytes(2, fBytes(1, tensorType))]);
}

// TensorProto { dims = 1 (repeated int64, unpacked); data_type = 2; name = 8; raw_data = 9 }
function tensor(name: string, dims: number[], data: Float32Array): Bytes {
  // raw_data is little-endian; a Float32Array's bytes are host order, which is little-endian on every Node target.
  const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return concat([...dims.map((d) => fVarint(1, d)), fVarint(2, FLOAT), fString(8, name), fBytes(9, raw)]);
}

// NodeProto { input = 1; output = 2; name = 3; op_type = 4 }
function node(opType: string, inputs: string[], outputs: string[]): Bytes {
  return concat([
    ...inputs.map((s) => fString(1, s)),
    ...outputs.map((s) => fString(2, s)),
    fString(3, opType.toLowerCase()),
    fString(4, opType),
  ]);
}

// ModelProto { ir_version = 1; producer_name = 2; graph = 7; opset_import = 8 }
// GraphProto { node = 1; name = 2; initializer = 5; input = 11; output = 12 }
// OperatorSetIdProto { domain = 1; version = 2 }
function matMulModel(M: number, K: number, N: number, b: Float32Array): Bytes {
  const graph = concat([
    fBytes(1, node('MatMul', ['A', 'B'], ['C'])),
    fString(2, 'matmul'),
    // B is an initializer but not a graph input (allowed since IR v4), so ORT treats it as a constant and prepacks it.
    fBytes(5, tensor('B', [K, N], b)),
    fBytes(11, valueInfo('A', [M, K])),
    fBytes(12, valueInfo('C', [M, N])),
  ]);
  return concat([
    fVarint(1, 8),
    fString(2, 'bench'),
    fBytes(7, graph),
    fBytes(8, concat([fString(1, ''), fVarint(2, 17)])),
  ]);
}

// ---- session ----

// C[M x N] = A[M x K] @ B[K x N], B row-major, a constant weight (an ONNX initializer).
export async function createOrtMatMul(M: number, K: number, N: number, b: Float32Array): Promise<OrtMatMul> {
  for (const d of [M, K, N]) if (!Number.isInteger(d) || d < 1) throw new Error(`bad MatMul dim ${d}`);
  if (b.length !== K * N) throw new Error(`B has ${b.length} elements, expected K*N = ${K * N}`);
  // These are read once, when the first session initialises the wasm runtime; later changes are ignored.
  ort.env.wasm.numThreads = 1; // single thread: no worker pool, comparable with a single-threaded kernel
  ort.env.wasm.proxy = false; // run on the calling thread, not a proxy worker
  const session = await ort.InferenceSession.create(matMulModel(M, K, N, b), {
    executionProviders: ['wasm'],
    graphOptimizationLevel: 'all',
  });
  return {
    async run(a: Float32Array): Promise<Float32Array> {
      if (a.length !== M * K) throw new Error(`A has ${a.length} elements, expected M*K = ${M * K}`);
      // A: [M, K]; the Tensor just wraps `a`, session.run copies it into wasm memory.
      const input = new ort.Tensor('float32', a, [M, K]);
      const { C } = await session.run({ A: input });
      if (C === undefined) throw new Error('ORT returned no output "C"');
      return C.data as Float32Array; // C: [M, N], a fresh JS copy, not a view of wasm memory
    },
    async dispose(): Promise<void> {
      await session.release();
    },
  };
}
