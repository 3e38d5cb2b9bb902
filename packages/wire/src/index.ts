export { codecOf } from './codec-of.js';
export { findCloneMismatch } from './find-clone-mismatch.js';
export type { CloneScan } from './find-clone-mismatch.js';
export { findJsonMismatch } from './find-json-mismatch.js';
export { jsonCodec } from './json-codec.js';
export { msgpackCodec } from './msgpack-codec.js';
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
