/**
 * Counts open connections, in all and per client address, against
 * `maxConnections` and `maxConnectionsPerAddress`. A connection past either
 * limit is not counted: the server refuses it with 503 and closes it.
 */
export class ConnectionLimits {
  readonly #maxConnections: number;
  readonly #maxPerAddress: number;
  readonly #byAddress = new Map<string, number>();
  #open = 0;

  constructor(maxConnections: number, maxPerAddress: number) {
    this.#maxConnections = maxConnections;
    this.#maxPerAddress = maxPerAddress;
  }

  /** Connections counted now. */
  get open(): number {
    return this.#open;
  }

  /**
   * Counts a new connection from `address` if both limits allow it. Returns
   * `undefined` when they did, or why not (for the 503's message). Call
   * {@link ConnectionLimits.release} when an admitted connection closes.
   */
  admit(address: string | undefined): string | undefined {
    const key = address ?? '';
    const fromAddress = this.#byAddress.get(key) ?? 0;
    if (this.#open >= this.#maxConnections) return `The server has ${this.#maxConnections} connections open, its limit; retry later`;
    if (fromAddress >= this.#maxPerAddress) return `This client address has ${this.#maxPerAddress} connections open, the limit per address; retry later`;
    this.#open++;
    this.#byAddress.set(key, fromAddress + 1);
    return undefined;
  }

  /** An admitted connection from `address` closed. */
  release(address: string | undefined): void {
    const key = address ?? '';
    const fromAddress = this.#byAddress.get(key);
    if (fromAddress === undefined) return;
    this.#open--;
    if (fromAddress <= 1) this.#byAddress.delete(key);
    else this.#byAddress.set(key, fromAddress - 1);
  }
}
