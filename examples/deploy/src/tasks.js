// The task module the server serves and the queue worker runs: define tasks once.
import { defineTask } from '@hybridcompute/core';

export const double = defineTask('double', (n) => {
  if (typeof n !== 'number') throw new TypeError('double expects a number');
  return n * 2;
});

export const checksum = defineTask('checksum', (text) => {
  let sum = 0;
  for (let index = 0; index < text.length; index++) sum = (sum * 31 + text.charCodeAt(index)) >>> 0;
  return sum;
});
