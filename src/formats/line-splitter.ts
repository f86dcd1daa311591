/**
 * Splits a text stream into physical lines, numbered from 1, whatever the line endings
 * (`\n`, `\r\n`, a lone `\r`, or a mix of them in one file).
 */
import { StringDecoder } from 'node:string_decoder';

export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private carry = '';
  /** A chunk ended in `\r`: a `\n` at the start of the next one belongs to it. */
  private pendingCarriageReturn = false;
  private started = false;
  lineNumber = 0;

  constructor(private readonly onLine: (text: string, lineNumber: number) => void) {}

  push(chunk: Buffer): void {
    let text = this.decoder.write(chunk);
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (this.pendingCarriageReturn && text.charCodeAt(0) === 10) text = text.slice(1);
    this.pendingCarriageReturn = false;
    let start = 0;
    const whole = this.carry === '' ? text : this.carry + text;
    this.carry = '';
    for (;;) {
      const newline = whole.indexOf('\n', start);
      if (newline < 0) break;
      this.emit(whole.slice(start, newline));
      start = newline + 1;
    }
    const rest = whole.slice(start);
    if (rest.endsWith('\r')) {
      this.emit(rest.slice(0, -1));
      this.pendingCarriageReturn = true;
    } else {
      this.carry = rest;
    }
  }

  end(): void {
    const rest = this.carry + this.decoder.end();
    this.carry = '';
    if (rest !== '') this.emit(rest);
  }

  private emit(line: string): void {
    const carriageReturn = line.indexOf('\r');
    if (carriageReturn < 0) {
      this.onLine(line, ++this.lineNumber);
      return;
    }
    // `\r\n` leaves a final `\r`; any other `\r` ends a line of its own.
    const parts = line.split('\r');
    if (parts[parts.length - 1] === '') parts.pop();
    for (const part of parts) this.onLine(part, ++this.lineNumber);
  }
}
