// Generated from longest-collatz.wat by `pnpm --filter @hybridcompute/example-demo run build:wasm`: do not edit.
/** The bytes of longest-collatz.wat, assembled, as base64. */
export const longestCollatzWasm = 'AGFzbQEAAAABBgFgAX8BfwMCAQAHEgEObG9uZ2VzdENvbGxhdHoAAApyAXADA38BfgF/QQEhAUEBIQICQANAIAEgAE4NASABrSEEQQAhBQJAA0AgBEIBUQ0BIARCAYNQBH4gBEIBiAUgBEIDfkIBfAshBCAFQQFqIQUMAAsLIAUgA0sEQCABIQIgBSEDCyABQQFqIQEMAAsLIAIL';
