// msgpackr on its own entry, so that a client can load it with `import()` only once a server offers it.
export { msgpackCodec } from './msgpack-codec.js';
