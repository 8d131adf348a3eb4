// The kernel module: raw-pointer ABI (outputs first, sizes last), no managed objects cross the boundary.
// One source, three builds: scalar, simd (ASC_FEATURE_SIMD) and relaxed (ASC_FEATURE_RELAXED_SIMD).
export { membrane, membrane_ref, membrane_spikes, membrane_spikes_ref, membrane_spikes_rows } from './membrane';
export { spikemm, spikemm_packed, spikemm_packed_bf16, spikemm_ref } from './spikemm';
export { gemm_pack_b, gemm_packed_panels, gemm_packed_bf16_panels, gemm_ref } from './gemm';
export { frexp, frexp_ref, frexp_even, frexp_even_ref, ldexp, ldexp_ref } from './bits';
export { add_f32, mul_f32, rms_norm, silu, softmax_rows } from './elementwise';
export { matmul_f64 } from './matmul64';
export { f32x4_add_probe } from './probe';

/** First free byte after the module's static data: the TypeScript allocator starts here. */
export function heap_base(): usize {
  return __heap_base;
}
