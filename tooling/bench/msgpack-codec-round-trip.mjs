// The MessagePack codec's round trip (encode, then decode) of small call messages, against JSON,
// for one or more repository roots with @hybridcompute/wire built, in one process (so two builds
// compare under the same load). BENCH_ROUNDS interleaved rounds (default 5) of BENCH_CALLS round
// trips (default 300,000) for each message and codec; prints the median ns per round trip.
//   node tooling/bench/msgpack-codec-round-trip.mjs [ROOT …]   (default: this repository)
import { fileURLToPath, pathToFileURL } from 'node:url';

const roots = process.argv.length > 2 ? process.argv.slice(2) : [fileURLToPath(new URL('../..', import.meta.url))];
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const calls = Number(process.env.BENCH_CALLS ?? 300_000);
const messages = {
  call: () => ({ id: 17, task: 'noop', input: 1 }),
  answer: () => ({ id: 17, result: { sum: 3, label: 'done' } }),
  'call with a Map': () => ({ id: 17, task: 'count', input: new Map([['a', 1]]) }),
};

const codecs = { JSON: { encode: JSON.stringify, decode: JSON.parse } };
for (const root of roots) {
  const { msgpackCodec } = await import(pathToFileURL(`${root}/packages/wire/dist/msgpack.js`).href);
  codecs[`MessagePack ${root}`] = msgpackCodec;
}

function nsPerRoundTrip(codec, make) {
  const started = process.hrtime.bigint();
  for (let index = 0; index < calls; index++) codec.decode(codec.encode(make()));
  return Number(process.hrtime.bigint() - started) / calls;
}

const samples = {};
for (let round = 0; round <= rounds; round++) {
  for (const [message, make] of Object.entries(messages)) {
    for (const [name, codec] of Object.entries(codecs)) {
      if (name === 'JSON' && message === 'call with a Map') continue;
      const ns = nsPerRoundTrip(codec, make);
      // Round 0 warms every path up and is not counted.
      if (round > 0) (samples[`${message} | ${name}`] ??= []).push(ns);
    }
  }
}
const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
for (const [label, values] of Object.entries(samples)) console.log(`${label}: ${Math.round(median(values))} ns`);
