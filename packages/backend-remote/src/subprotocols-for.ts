import { msgpackCodec, subprotocolOf, type WireCodec } from '@hybridcompute/wire';

// A socket offers only the subprotocol of the encoding chosen; JSON goes with none at all, as older servers expect.
export function subprotocolsFor(codec: WireCodec): readonly string[] {
  return codec === msgpackCodec ? [subprotocolOf.msgpack] : [];
}
