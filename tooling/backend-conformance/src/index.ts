export { describeBackendConformance } from './describe-backend-conformance.js';
export { codeOf, computeRejectionOf, rejectionOf } from './rejection-of.js';
export { largeSamples, structuredCloneSamples } from './conformance-values.js';
export {
  asyncDouble,
  asyncFail,
  bigPayload,
  conformanceTasks,
  countTo,
  endless,
  failAfter,
  reportProgress,
  streamProbe,
  delayedEcho,
  double,
  echo,
  fail,
  slow,
  sum,
} from './conformance-tasks.js';
export type {
  BackendCapabilities,
  BackendConformanceOptions,
  BackendUnderTest,
  SuiteContext,
} from './suite-context.js';
