// piscina and tinypool call the default export with the task's input.
import { cpuWork } from './cpu-work.mjs';

export default function run(input) {
  return input.task === 'cpu' ? cpuWork(input.value) : input.value;
}
