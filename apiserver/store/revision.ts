// revision.ts: the one resourceVersion sequence shared by every kind fedmesh-apiserver serves.

/** Revision hands out increasing resourceVersions. */
export class Revision {
  #rv: number;

  // Start from the wall clock in microseconds, so versions keep increasing across restarts and a
  // client resuming a watch with a version from before a restart gets 410 Expired, then relists.
  constructor(start = Date.now() * 1000) {
    this.#rv = start;
  }

  /** current is the latest resourceVersion handed out. */
  current(): number {
    return this.#rv;
  }

  /** next advances the sequence and returns the new resourceVersion. */
  next(): number {
    return ++this.#rv;
  }
}
