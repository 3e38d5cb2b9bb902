import { assembleWat } from './assemble-wat.js';

export async function setup(): Promise<void> {
  await assembleWat();
}
