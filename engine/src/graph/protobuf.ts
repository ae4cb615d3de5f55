/**
 * A minimal protobuf writer: just what the ONNX emitter needs (varints, length-delimited fields,
 * packed repeated numbers). Nested messages are kept as chunk lists, so a big model is assembled
 * with one final copy and no re-encoding of children.
 */

const textEncoder = new TextEncoder();

export class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];
  private scratch = new Uint8Array(256);
  private scratchUsed = 0;
  private flushedLength = 0;

  get length(): number {
    return this.flushedLength + this.scratchUsed;
  }

  private reserve(bytes: number): void {
    if (this.scratchUsed + bytes > this.scratch.length) {
      this.flushScratch();
      if (bytes > this.scratch.length) this.scratch = new Uint8Array(bytes * 2);
    }
  }

  private flushScratch(): void {
    if (this.scratchUsed === 0) return;
    this.chunks.push(this.scratch.subarray(0, this.scratchUsed));
    this.flushedLength += this.scratchUsed;
    this.scratch = new Uint8Array(this.scratch.length);
    this.scratchUsed = 0;
  }

  /** Unsigned varint; negative int64 values are written as 10-byte two's complement. */
  private varint(value: number | bigint): void {
    this.reserve(10);
    let big = typeof value === 'bigint' ? value : BigInt(Math.trunc(value));
    if (big < 0n) big = BigInt.asUintN(64, big);
    if (big < 0x80000000n) {
      let small = Number(big);
      while (small >= 0x80) {
        this.scratch[this.scratchUsed++] = (small & 0x7f) | 0x80;
        small >>>= 7;
      }
      this.scratch[this.scratchUsed++] = small;
      return;
    }
    while (big >= 0x80n) {
      this.scratch[this.scratchUsed++] = Number(big & 0x7fn) | 0x80;
      big >>= 7n;
    }
    this.scratch[this.scratchUsed++] = Number(big);
  }

  private tag(field: number, wireType: 0 | 1 | 2 | 5): void {
    this.varint((field << 3) | wireType);
  }

  int(field: number, value: number | bigint): this {
    this.tag(field, 0);
    this.varint(value);
    return this;
  }

  float(field: number, value: number): this {
    this.tag(field, 5);
    this.reserve(4);
    new DataView(this.scratch.buffer, this.scratch.byteOffset + this.scratchUsed, 4).setFloat32(0, value, true);
    this.scratchUsed += 4;
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, textEncoder.encode(value));
  }

  /** Length-delimited bytes; large payloads are referenced, not copied, until `finish`. */
  bytes(field: number, value: Uint8Array): this {
    this.tag(field, 2);
    this.varint(value.length);
    if (value.length <= 64) {
      this.reserve(value.length);
      this.scratch.set(value, this.scratchUsed);
      this.scratchUsed += value.length;
    } else {
      this.flushScratch();
      this.chunks.push(value);
      this.flushedLength += value.length;
    }
    return this;
  }

  message(field: number, child: ProtoWriter): this {
    child.flushScratch();
    this.tag(field, 2);
    this.varint(child.length);
    this.flushScratch();
    for (const chunk of child.chunks) this.chunks.push(chunk);
    this.flushedLength += child.flushedLength;
    return this;
  }

  packedInts(field: number, values: readonly (number | bigint)[]): this {
    const inner = new ProtoWriter();
    for (const value of values) inner.varint(value);
    inner.flushScratch();
    this.tag(field, 2);
    this.varint(inner.length);
    this.flushScratch();
    for (const chunk of inner.chunks) this.chunks.push(chunk);
    this.flushedLength += inner.flushedLength;
    return this;
  }

  packedFloats(field: number, values: readonly number[]): this {
    const bytes = new Uint8Array(values.length * 4);
    const view = new DataView(bytes.buffer);
    values.forEach((value, index) => view.setFloat32(index * 4, value, true));
    return this.bytes(field, bytes);
  }

  finish(): Uint8Array {
    this.flushScratch();
    const out = new Uint8Array(this.flushedLength);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }
}
