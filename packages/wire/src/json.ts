// The entry a client that may never speak MessagePack imports: nothing here reaches msgpackr,
// so a browser bundle built from it leaves the MessagePack codec to `@hybridcompute/wire/msgpack`.
export { findJsonMismatch } from './find-json-mismatch.js';
export { jsonCodec } from './json-codec.js';
export type { WireCodec } from './wire-codec.js';
export {
  contentTypeOf,
  encodingOfContentType,
  encodingsHeader,
  parseEncodings,
  subprotocolOf,
  wireEncodings,
} from './wire-encoding.js';
export type { WireEncoding } from './wire-encoding.js';
export { encodeRecord, RecordDecoder, streamEncodingOf, streamMediaTypeOf } from './record-stream.js';
