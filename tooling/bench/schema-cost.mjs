// The cost of a task schema on the local backend: a small zod object checked before run, against
// the same task without a schema; median ns per call over several rounds, in this process.
import { createLocalBackend } from '@hybridcompute/backend-local';
import { defineTask } from '@hybridcompute/core';
import { z } from 'zod';

const area = ({ width, height }) => width * height;
const plain = defineTask('plain', area);
const checked = defineTask('checked', { input: z.object({ width: z.number().int().positive(), height: z.number().int().positive() }) }, area);
const local = createLocalBackend({ tasks: [plain, checked] });
const input = { width: 3, height: 4 };

async function nsPerCall(name, calls) {
  const startedAt = process.hrtime.bigint();
  for (let index = 0; index < calls; index++) await local.runTask(name, input);
  return Number(process.hrtime.bigint() - startedAt) / calls;
}

const calls = 200_000;
for (const name of ['plain', 'checked']) await nsPerCall(name, 20_000);
const rounds = { plain: [], checked: [] };
for (let round = 0; round < 7; round++) for (const name of ['plain', 'checked']) rounds[name].push(await nsPerCall(name, calls));
const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
const [without, withSchema] = [median(rounds.plain), median(rounds.checked)];
console.log('| local backend, `{ width, height }` | ns per call (median of 7 rounds) |');
console.log('| --- | ---: |');
console.log(`| without a schema | ${without.toFixed(0)} |`);
console.log(`| with a zod 4 object schema | ${withSchema.toFixed(0)} |`);
console.log(`| the schema's cost | ${(withSchema - without).toFixed(0)} |`);
