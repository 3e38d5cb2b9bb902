import { trace, type Tracer } from '@opentelemetry/api';
import { expectTypeOf, test } from 'vitest';
import type { TracerLike } from './tracer-like.js';

test("an OpenTelemetry Tracer is a TracerLike, so core's structural type takes the api's tracer as it is", () => {
  expectTypeOf<Tracer>().toExtend<TracerLike>();
  const tracer: TracerLike = trace.getTracer('app');
  expectTypeOf(tracer).toEqualTypeOf<TracerLike>();
});
