// slots.ts: maps string IDs (endpoint, parent, selector names) to the dense integer slots the
// core indexes by, reusing freed slots so the core's arrays stay as small as the live set.

/** Slots assigns and recycles dense integer slots for string IDs. */
export class Slots {
  readonly #byId = new Map<string, number>();
  readonly #ids: (string | undefined)[] = [];
  readonly #free: number[] = [];
  #retired: number[] = [];

  /** get returns the slot of id, or undefined. */
  get(id: string): number | undefined {
    return this.#byId.get(id);
  }

  /** ensure returns the slot of id, assigning one if needed. */
  ensure(id: string): number {
    const have = this.#byId.get(id);
    if (have !== undefined) return have;
    const slot = this.#free.pop() ?? this.#ids.length;
    this.#ids[slot] = id;
    this.#byId.set(id, slot);
    return slot;
  }

  /** retire forgets id; its slot still names id (for pending events) until recycle(). */
  retire(id: string): void {
    const slot = this.#byId.get(id);
    if (slot === undefined) return;
    this.#byId.delete(id);
    this.#retired.push(slot);
  }

  /** recycle makes retired slots reusable, once no pending event can name them. */
  recycle(): void {
    for (const slot of this.#retired) {
      this.#ids[slot] = undefined;
      this.#free.push(slot);
    }
    this.#retired = [];
  }

  /** id returns the string ID at slot. */
  id(slot: number): string {
    const id = this.#ids[slot];
    if (id === undefined) throw new Error(`slot ${slot} is not in use`);
    return id;
  }

  /** size is the number of live IDs. */
  get size(): number {
    return this.#byId.size;
  }
}
