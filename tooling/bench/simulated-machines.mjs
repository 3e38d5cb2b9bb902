// Child process of the placement benchmarks: compute servers on 127.0.0.1 that each SIMULATE a
// separate machine. Their task 'cpu' does not compute: it waits out a service time on a timer
// and answers, so several of them on this 2-core box behave like more hardware. The answer is
// the real result (computed once here), so the caller can check it.
//
// argv[2]: JSON { serviceMs: number[] (one server each), maxConcurrency, iterations }
// IPC: { slowDown: { index, factor } } multiplies that server's service time from now on;
// { takeServed: true } answers { served: number[], servedMs: number[], cpuMs }, the calls each server
// answered, the time their timers actually took, and the CPU time (user + system) this process
// spent, since the last ask.
import { setTimeout as sleep } from 'node:timers/promises';
import { defineTask } from '@hybridcompute/core';
import { createComputeServer } from '@hybridcompute/server';
import { cpuWork } from './pool-workers/cpu-work.mjs';

const { serviceMs, maxConcurrency, iterations } = JSON.parse(process.argv[2]);
const answer = cpuWork(iterations);
const current = [...serviceMs];
const served = serviceMs.map(() => 0);
// The time each server's timers actually took, summed: a timer fires late, more so on a busy box.
const servedMs = serviceMs.map(() => 0);
const ports = [];
let cpuAt = process.cpuUsage();
for (let index = 0; index < serviceMs.length; index++) {
  const cpu = defineTask('cpu', async () => {
    const startedAt = performance.now();
    await sleep(current[index]);
    servedMs[index] += performance.now() - startedAt;
    served[index]++;
    return answer;
  });
  const noop = defineTask('noop', (value) => value);
  const server = createComputeServer({ tasks: [cpu, noop], maxConcurrency });
  ports.push((await server.listen(0, '127.0.0.1')).port);
}
process.on('message', (message) => {
  if (message?.takeServed === true) {
    const cpu = process.cpuUsage(cpuAt);
    cpuAt = process.cpuUsage();
    const zeros = served.map(() => 0);
    process.send?.({ served: served.splice(0, served.length, ...zeros), servedMs: servedMs.splice(0, servedMs.length, ...zeros), cpuMs: (cpu.user + cpu.system) / 1_000 });
    return;
  }
  if (message?.slowDown !== undefined) current[message.slowDown.index] *= message.slowDown.factor;
  process.send?.({ slowed: message.slowDown });
});
process.send?.({ ports });
process.on('disconnect', () => process.exit(0));
