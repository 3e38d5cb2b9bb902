// One run: what the pieces of a call with a deadline cost in this Node, in ns;
// prints JSON. Explains the `{ timeout }` row of the router benchmark.
import { measureMedian } from './measure-median.mjs';

const calls = Number(process.env.BENCH_CALLS ?? 200_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 11);
const never = new AbortController().signal;
const listener = () => {};
let sink;

const subjects = {
  createAbortSignal: (count) => {
    for (let n = 0; n < count; n++) sink = new AbortController().signal;
  },
  addRemoveListener: (count) => {
    for (let n = 0; n < count; n++) {
      never.addEventListener('abort', listener, { once: true });
      never.removeEventListener('abort', listener);
    }
  },
  // A fresh signal's first listener costs far more than a later one: this is what a call pays.
  signalWithFirstListener: (count) => {
    for (let n = 0; n < count; n++) {
      const signal = new AbortController().signal;
      signal.addEventListener('abort', listener, { once: true });
      signal.removeEventListener('abort', listener);
    }
  },
  setClearTimeout: (count) => {
    for (let n = 0; n < count; n++) clearTimeout(setTimeout(listener, 60_000));
  },
};

for (const run of Object.values(subjects)) run(50_000);
const results = {};
for (const [name, run] of Object.entries(subjects)) results[name] = await measureMedian(run, { calls, rounds });
if (sink === null) console.error(sink);
console.log(JSON.stringify(results));
