import { ComputeError, messageOf } from '@hybridcompute/core';
import type { WireCodec } from '@hybridcompute/wire/json';

let loaded: WireCodec | undefined;
let loading: Promise<WireCodec> | undefined;

/**
 * The MessagePack codec, once {@link loadMsgpackCodec} has loaded it;
 * `undefined` before. A client that only ever meets JSON servers never
 * loads it, and a browser bundle keeps msgpackr out of its first chunk.
 *
 * @internal
 */
export function loadedMsgpackCodec(): WireCodec | undefined {
  return loaded;
}

/**
 * Loads the MessagePack codec (once; later calls share the first load). A
 * failed load, say a chunk the browser could not fetch, rejects with
 * `BACKEND_UNAVAILABLE`, since nothing was sent, and the next call tries again.
 *
 * @internal
 */
export function loadMsgpackCodec(backend: string): Promise<WireCodec> {
  loading ??= import('@hybridcompute/wire/msgpack').then(
    (module) => (loaded = module.msgpackCodec),
    (error: unknown) => {
      loading = undefined;
      throw new ComputeError({
        code: 'BACKEND_UNAVAILABLE',
        message: `Could not load the MessagePack codec (@hybridcompute/wire/msgpack): ${messageOf(error)}`,
        backend,
        cause: error,
      });
    },
  );
  return loading;
}
