export { plainSpan, spanChannelName, type PlainSpan } from './plain-span.js';
export { registerGlobalTracing } from './register-global-tracing.js';
export { registerTestTracing } from './register-test-tracing.js';
export { registerThreadTracing } from './register-thread-tracing.js';
export { activeSpanIds, tracedTasks } from './traced-tasks.js';
