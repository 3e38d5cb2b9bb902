// The CPU-bound task every pool runs: `iterations` rounds of integer mixing,
// calibrated by the benchmark to take about 5 ms on this machine.
export function cpuWork(iterations) {
  let state = 0x9e3779b9;
  for (let index = 0; index < iterations; index++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
  }
  return state >>> 0;
}
