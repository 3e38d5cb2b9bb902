export { collectGarbage } from './collect-garbage.js';
