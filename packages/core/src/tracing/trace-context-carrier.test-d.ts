import * as api from '@opentelemetry/api';
import { expectTypeOf, test } from 'vitest';
import { traceContextCarrier, type TraceContextApiLike } from './trace-context-carrier.js';

test("the @opentelemetry/api module is a TraceContextApiLike, so a package hands core the api as it is", () => {
  expectTypeOf<typeof api>().toExtend<TraceContextApiLike>();
  const tracing = traceContextCarrier<typeof api>('app', () => api);
  expectTypeOf(tracing.otelApi()).toEqualTypeOf<typeof api | undefined>();
});
