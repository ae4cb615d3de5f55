/**
 * A map from LSH band hashes (non-negative 30-bit integers) to values, for the near-duplicate index:
 * 100k records hold a million bands, and a `Map` costs about 50 bytes per entry. This table keeps
 * the keys in an Int32Array and the values in a plain array, probed linearly, with backward-shift
 * deletion (no tombstones): about 20 bytes per entry.
 */
const empty = -1;
const maxLoad = 0.7;

export class BandMap<V> {
  private bits = 4;
  private keys = new Int32Array(1 << this.bits).fill(empty);
  private values: (V | undefined)[] = new Array<V | undefined>(1 << this.bits).fill(undefined);
  private count = 0;

  get size(): number {
    return this.count;
  }

  private home(key: number): number {
    return Math.imul(key, 0x9e3779b1) >>> (32 - this.bits);
  }

  private slotOf(key: number): number {
    const mask = this.keys.length - 1;
    for (let slot = this.home(key); ; slot = (slot + 1) & mask) {
      const stored = this.keys[slot] ?? empty;
      if (stored === key) return slot;
      if (stored === empty) return -1;
    }
  }

  get(key: number): V | undefined {
    const slot = this.slotOf(key);
    return slot < 0 ? undefined : this.values[slot];
  }

  set(key: number, value: V): void {
    if (key < 0) throw new RangeError('BandMap keys are non-negative');
    const mask = this.keys.length - 1;
    let slot = this.home(key);
    for (;;) {
      const stored = this.keys[slot] ?? empty;
      if (stored === key) {
        this.values[slot] = value;
        return;
      }
      if (stored === empty) break;
      slot = (slot + 1) & mask;
    }
    this.keys[slot] = key;
    this.values[slot] = value;
    this.count++;
    if (this.count > this.keys.length * maxLoad) this.grow();
  }

  delete(key: number): boolean {
    let hole = this.slotOf(key);
    if (hole < 0) return false;
    const mask = this.keys.length - 1;
    // Move later entries of the same probe run back into the hole, so lookups never need tombstones.
    for (let next = (hole + 1) & mask; ; next = (next + 1) & mask) {
      const stored = this.keys[next] ?? empty;
      if (stored === empty) break;
      const home = this.home(stored);
      // The entry at `next` may move to `hole` unless its home lies cyclically in (hole, next].
      const homeInRange = hole <= next ? home > hole && home <= next : home > hole || home <= next;
      if (homeInRange) continue;
      this.keys[hole] = stored;
      this.values[hole] = this.values[next];
      hole = next;
    }
    this.keys[hole] = empty;
    this.values[hole] = undefined;
    this.count--;
    return true;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    this.bits++;
    this.keys = new Int32Array(1 << this.bits).fill(empty);
    this.values = new Array<V | undefined>(1 << this.bits).fill(undefined);
    this.count = 0;
    for (let slot = 0; slot < oldKeys.length; slot++) {
      const key = oldKeys[slot] ?? empty;
      if (key !== empty) this.set(key, oldValues[slot] as V);
    }
  }
}
