// A TypeScript worker file that Vite bundles as a module worker (`?worker&url`).
import { defineTask } from '@hybridcompute/core';
import { exposeTasks } from '@hybridcompute/backend-worker/worker';

interface Rectangle {
  width: number;
  height: number;
}

exposeTasks([defineTask('area', (input: Rectangle): number => input.width * input.height)]);
