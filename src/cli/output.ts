/** Buffered writes to stdout that respect back-pressure (millions of JSON lines). */
export class BufferedOutput {
  private parts: string[] = [];
  private size = 0;

  constructor(private readonly stream: NodeJS.WritableStream = process.stdout) {}

  async write(text: string): Promise<void> {
    this.parts.push(text);
    this.size += text.length;
    if (this.size >= 1 << 20) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    const chunk = this.parts.join('');
    this.parts = [];
    this.size = 0;
    if (!this.stream.write(chunk)) {
      await new Promise<void>((resolve) => this.stream.once('drain', () => resolve()));
    }
  }
}

/** Resolves once everything written to stdout has been handed to the OS. */
export function endOutput(): Promise<void> {
  return new Promise((resolve) => process.stdout.write('', () => resolve()));
}
