/**
 * Times `runBatch(calls)` in `rounds` rounds of `calls` sequential calls each
 * and returns the median nanoseconds per call, so one noisy round on a shared
 * machine does not decide the figure.
 */
export async function measureMedian(runBatch, { calls, rounds }) {
  const perCall = [];
  for (let round = 0; round < rounds; round++) {
    const startedAt = process.hrtime.bigint();
    await runBatch(calls);
    perCall.push(Number(process.hrtime.bigint() - startedAt) / calls);
  }
  perCall.sort((a, b) => a - b);
  return perCall[Math.floor(perCall.length / 2)];
}
