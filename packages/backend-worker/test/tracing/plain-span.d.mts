import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { PlainSpan } from './trace-test-provider.js';

export declare const spanChannelName: string;
export declare function plainSpan(span: ReadableSpan): PlainSpan;
