/**
 * The calls waiting for a worker, first in first out. An item that settles
 * while it waits (its signal aborted) is `remove`d at once but stays in the
 * array until the head reaches it and skips it: finding it would cost a scan.
 * The head moves instead of `shift()`, which copies a long array. Internal.
 */
export class CallQueue<Item extends { readonly settled: boolean }> {
  #items: (Item | undefined)[] = [];
  #head = 0;
  #size = 0;

  /** Items waiting (not counting the removed ones still in the array). */
  get size(): number {
    return this.#size;
  }

  push(item: Item): void {
    this.#items.push(item);
    this.#size++;
  }

  /** The next waiting item, or `undefined` when none waits. */
  shift(): Item | undefined {
    while (this.#size > 0 && this.#head < this.#items.length) {
      const item = this.#items[this.#head];
      this.#items[this.#head++] = undefined;
      if (item !== undefined && !item.settled) {
        this.#size--;
        this.#compact();
        return item;
      }
    }
    this.clear();
    return undefined;
  }

  /**
   * An item that settled while it waited: it no longer counts, and `shift`
   * will skip it. Every item that settles in the queue must be removed (or the
   * queue cleared), or `size` would count it.
   */
  remove(): void {
    this.#size--;
    if (this.#size === 0) this.clear();
  }

  clear(): void {
    this.#items = [];
    this.#head = 0;
    this.#size = 0;
  }

  #compact(): void {
    if (this.#size === 0) {
      this.clear();
    } else if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }
}
