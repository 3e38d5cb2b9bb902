import { subprotocolOf, type WireCodec } from '@hybridcompute/wire/json';

// A socket offers only the subprotocol of the encoding chosen; JSON goes with none at all, as older servers expect.
// `undefined`: MessagePack is wanted but its codec is not loaded, so the socket must not ask for it yet.
export function subprotocolsFor(codec: WireCodec | undefined): readonly string[] {
  return codec?.encoding === 'msgpack' ? [subprotocolOf.msgpack] : [];
}
