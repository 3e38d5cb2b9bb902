/**
 * The unsettled calls of a {@link CallsInFlight} table, by id. Ids are
 * handed out in order, so a call sits in a ring at `id & mask`; one still
 * there when the ring comes round to its slot again (a long call among many
 * short ones) moves to a Map of its own. Internal.
 *
 * Why not one Map: a Map whose entries come and go for every call rehashes
 * every few dozen calls, and each old table links to its successor. Once one
 * of them has lived long enough to reach the old generation, every table and
 * call after it survives the young collections too, until a full collection:
 * a no-op call paid for several full collections per 100k calls. The ring's
 * slots are cleared as calls settle, so a settled call is garbage at once.
 */
export class CallsById<Call extends { readonly id: number }> {
  #ring: (Call | undefined)[] = new Array<Call | undefined>(initialSlots);
  #mask = initialSlots - 1;
  // Calls that outlived a round of the ring.
  #long: Map<number, Call> | undefined;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /** Adds a call whose id is larger than every id added before. */
  add(call: Call): void {
    // Keep the ring at most half full, so that a slot is usually free when its turn comes.
    if (this.#size * 2 >= this.#ring.length) this.#grow();
    const slot = call.id & this.#mask;
    const occupant = this.#ring[slot];
    if (occupant !== undefined) (this.#long ??= new Map()).set(occupant.id, occupant);
    this.#ring[slot] = call;
    this.#size++;
  }

  get(id: number): Call | undefined {
    const call = this.#ring[id & this.#mask];
    if (call !== undefined && call.id === id) return call;
    return this.#long?.get(id);
  }

  /** Removes a call (nothing when it is not there). */
  delete(call: Call): void {
    const slot = call.id & this.#mask;
    if (this.#ring[slot] === call) {
      this.#ring[slot] = undefined;
      this.#size--;
    } else if (this.#long?.delete(call.id) === true) {
      this.#size--;
    }
  }

  /** Every call, in the order of their ids (the order they were added). */
  inOrder(): Call[] {
    const calls: Call[] = [];
    for (const call of this.#ring) if (call !== undefined) calls.push(call);
    if (this.#long !== undefined) for (const call of this.#long.values()) calls.push(call);
    return calls.sort(byId);
  }

  #grow(): void {
    const calls = this.inOrder();
    this.#ring = new Array<Call | undefined>(this.#ring.length * 2);
    this.#mask = this.#ring.length - 1;
    this.#long = undefined;
    this.#size = 0;
    for (const call of calls) this.add(call);
  }
}

const initialSlots = 16;

function byId(a: { readonly id: number }, b: { readonly id: number }): number {
  return a.id - b.id;
}
