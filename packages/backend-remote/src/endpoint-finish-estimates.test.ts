import { describe, expect, it } from 'vitest';
import { EndpointFinishEstimates } from './endpoint-finish-estimates.js';
import { EndpointRotation } from './endpoint-rotation.js';
import type { RemoteLoad } from './remote-endpoint.js';

// Scripted endpoints and an injected clock: the learning gets a fixed input.
function endpoints(...loads: RemoteLoad[]) {
  return loads.map((load) => ({ load }));
}

/** Each endpoint's first answer of all carries its connection's opening and is not learned from: spend it. */
function warmUp(finish: EndpointFinishEstimates, count: number): void {
  for (let index = 0; index < count; index++) finish.learn(index, 'warm-up', finish.sent(index));
}

/** `times` answers from endpoint `index` taking `ms` each, sent with what its load says is ahead. */
function answer(finish: EndpointFinishEstimates, clock: { now: number }, index: number, ms: number, times = 3): void {
  for (let time = 0; time < times; time++) {
    const sent = finish.sent(index);
    clock.now += ms;
    finish.learn(index, 'cpu', sent);
  }
}

describe('EndpointFinishEstimates', () => {
  it('with nothing learned, scores by room alone: a free endpoint finishes in one run time, a full one waits', () => {
    const ends = endpoints({ inFlight: 0, capacity: 4 }, { inFlight: 4, capacity: 4, queued: 4 });
    const finish = new EndpointFinishEstimates(ends, () => 0);
    expect(finish.finishMs(0, 'cpu')).toBe(1);
    expect(finish.finishMs(1, 'cpu')).toBe(1 + 5 / 4);
  });

  it('between endpoints expected to finish as soon, scores higher the one with more room for its limit', () => {
    const ends = endpoints({ inFlight: 0, capacity: 1 }, { inFlight: 3, capacity: 256 });
    const finish = new EndpointFinishEstimates(ends, () => 0);
    expect(finish.score(1, 'cpu')).toBeGreaterThan(finish.score(0, 'cpu'));
  });

  it('learns each endpoint’s run time per task, less the wait behind the calls that were ahead', () => {
    const clock = { now: 0 };
    const ends = endpoints({ inFlight: 0, capacity: 2 }, { inFlight: 3, capacity: 2 });
    const finish = new EndpointFinishEstimates(ends, () => clock.now);
    warmUp(finish, 2);
    answer(finish, clock, 0, 20);
    // The second waits behind 3 calls in 2 slots: its 20 ms are 20 / (1 + 2/2) = 10 ms of run.
    answer(finish, clock, 1, 20);
    ends[0]!.load = { inFlight: 0, capacity: 2 };
    ends[1]!.load = { inFlight: 1, capacity: 2 };
    expect(finish.finishMs(0, 'cpu')).toBe(20);
    expect(finish.finishMs(1, 'cpu')).toBe(10);
    // Another task knows nothing yet: room alone.
    expect(finish.finishMs(0, 'other')).toBe(1);
  });

  it('leaves out an endpoint’s first answer of all (its connection opening), and trusts a run time after 3 samples', () => {
    const clock = { now: 0 };
    const ends = endpoints({ inFlight: 0, capacity: 1 }, { inFlight: 0, capacity: 1 });
    const finish = new EndpointFinishEstimates(ends, () => clock.now);
    answer(finish, clock, 0, 10, 4);
    // A cold first answer of 500 ms teaches nothing; then two of 40 leave it taken as fast as the fastest.
    answer(finish, clock, 1, 500, 1);
    expect(finish.finishMs(1, 'cpu')).toBe(10);
    answer(finish, clock, 1, 40, 2);
    expect(finish.finishMs(1, 'cpu')).toBe(10);
    answer(finish, clock, 1, 40, 1);
    expect(finish.finishMs(1, 'cpu')).toBe(40);
  });

  it('takes an endpoint not sampled for a task to be as fast as the fastest known, so it is tried', () => {
    const clock = { now: 0 };
    const ends = endpoints({ inFlight: 0, capacity: 1 }, { inFlight: 0, capacity: 1 }, { inFlight: 0, capacity: 1 });
    const finish = new EndpointFinishEstimates(ends, () => clock.now);
    warmUp(finish, 3);
    answer(finish, clock, 0, 30);
    answer(finish, clock, 1, 40);
    expect(finish.finishMs(2, 'cpu')).toBe(30);
  });

  it('gives the next call to an endpoint idle for a second since its last sample', () => {
    const clock = { now: 0 };
    const ends = endpoints({ inFlight: 0, capacity: 1 }, { inFlight: 0, capacity: 1 });
    const finish = new EndpointFinishEstimates(ends, () => clock.now);
    warmUp(finish, 2);
    answer(finish, clock, 1, 500);
    expect(finish.finishMs(1, 'cpu')).toBe(500);
    clock.now += 1_100;
    expect(finish.finishMs(1, 'cpu')).toBe(0);
    ends[1]!.load = { inFlight: 1, capacity: 1 };
    expect(finish.finishMs(1, 'cpu')).toBe(1_000);
  });

  it('prefers a busy fast endpoint to an idle slow one while the wait there is shorter than the slow run', () => {
    const clock = { now: 0 };
    const ends = endpoints({ inFlight: 0, capacity: 4 }, { inFlight: 0, capacity: 4 });
    const finish = new EndpointFinishEstimates(ends, () => clock.now);
    const rotation = new EndpointRotation(ends, 60_000, (_endpoint, index, taskName) => finish.score(index, taskName));
    warmUp(finish, 2);
    answer(finish, clock, 0, 10);
    answer(finish, clock, 1, 50);
    // Full and 3 queued: 10 × (1 + 4/4) = 20 ms, against 50 on the idle slow one. Most room would pick the slow one.
    ends[0]!.load = { inFlight: 4, capacity: 4, queued: 3 };
    expect(rotation.pick(undefined, 'cpu').index).toBe(0);
    // 20 queued: 10 × (1 + 21/4) = 62.5 ms: now the slow one is sooner.
    ends[0]!.load = { inFlight: 4, capacity: 4, queued: 20 };
    expect(rotation.pick(undefined, 'cpu').index).toBe(1);
  });

  it('through EndpointRotation, sends a 5x slower endpoint about a fifth of the traffic of each fast one', () => {
    // Four endpoints of 1 slot each under virtual time: three answer in 10 ms, one in 50.
    let now = 0;
    const serviceMs = [10, 10, 10, 50];
    const ends = serviceMs.map(() => ({ load: { inFlight: 0, capacity: 1, queued: 0 } as { inFlight: number; capacity: number; queued: number } }));
    const finish = new EndpointFinishEstimates(ends, () => now);
    const rotation = new EndpointRotation(ends, 60_000, (_endpoint, index, taskName) => finish.score(index, taskName));
    // Each endpoint serves its queue in order; a call's answer comes at the end of its turn.
    const freeAt = serviceMs.map(() => 0);
    const due: { at: number; index: number; sent: ReturnType<EndpointFinishEstimates['sent']> }[] = [];
    const served = serviceMs.map(() => 0);
    const send = () => {
      const { index } = rotation.pick(undefined, 'cpu');
      const sent = finish.sent(index);
      const load = ends[index]!.load;
      if (load.inFlight < load.capacity) load.inFlight++;
      else load.queued++;
      freeAt[index] = Math.max(freeAt[index]!, now) + serviceMs[index]!;
      due.push({ at: freeAt[index]!, index, sent });
    };
    for (let call = 0; call < 8; call++) send();
    for (let answered = 0; answered < 800; answered++) {
      due.sort((a, b) => a.at - b.at);
      const next = due.shift()!;
      now = next.at;
      const load = ends[next.index]!.load;
      if (load.queued > 0) load.queued--;
      else load.inFlight--;
      finish.learn(next.index, 'cpu', next.sent);
      served[next.index]!++;
      send();
    }
    // Throughputs 0.1, 0.1, 0.1 and 0.02 calls/ms: the slow one's fair share is 1/16 of the calls.
    expect(served[3]! / 800).toBeLessThan(0.12);
    expect(served[3]).toBeGreaterThan(0);
    // 800 calls at 0.32 calls/ms at best: 2,500 ms. Round-robin would need 800/4 × 50 = 10,000.
    expect(now).toBeLessThan(3_000);
  });
});
