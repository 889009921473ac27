import { StringDecoder } from 'node:string_decoder';

/**
 * Collects one exec's stdout/stderr with a byte cap per stream, keeping arrival order for the
 * merged view. Decoding happens once at the end so multi-byte characters split across chunks
 * stay intact; the live callback gets its own streaming decoders.
 */
export class OutputCollector {
  private readonly chunks: { stream: 'stdout' | 'stderr'; data: Buffer }[] = [];
  private readonly bytes = { stdout: 0, stderr: 0 };
  private readonly decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
  truncated = false;

  constructor(
    private readonly maxBytesPerStream: number,
    private readonly onOutput?: (chunk: string, stream: 'stdout' | 'stderr') => void,
  ) {}

  push(stream: 'stdout' | 'stderr', data: Buffer): void {
    if (this.onOutput) this.onOutput(this.decoders[stream].write(data), stream);
    const room = this.maxBytesPerStream - this.bytes[stream];
    if (room <= 0) {
      this.truncated = true;
      return;
    }
    const kept = data.length > room ? data.subarray(0, room) : data;
    if (kept.length < data.length) this.truncated = true;
    this.bytes[stream] += kept.length;
    this.chunks.push({ stream, data: kept });
  }

  /** One stream's bytes as they came (binary output). */
  rawBytes(stream: 'stdout' | 'stderr'): Buffer {
    return Buffer.concat(this.chunks.filter((c) => c.stream === stream).map((c) => c.data));
  }

  result(): { stdout: string; stderr: string; output: string } {
    const pick = (s?: 'stdout' | 'stderr') => Buffer.concat(this.chunks.filter((c) => !s || c.stream === s).map((c) => c.data)).toString('utf8');
    return { stdout: pick('stdout'), stderr: pick('stderr'), output: pick() };
  }
}
