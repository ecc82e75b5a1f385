/**
 * A request's milestones, in milliseconds from its handler's start, sent back as a Server-Timing
 * header: a browser's network panel shows where the wait before the first token went, and the
 * bench reads it (`npm run bench`).
 */
export class ServerTiming {
  private readonly start = performance.now();
  private readonly marks: string[] = [];

  /** Records that `name` happened now (or at `at`, a performance.now() time). */
  mark(name: string, at = performance.now()): void {
    this.marks.push(`${name};dur=${(at - this.start).toFixed(2)}`);
  }

  /** Puts the marks so far on `response`. */
  applyTo(response: Response): Response {
    if (this.marks.length > 0) response.headers.set('server-timing', this.marks.join(', '));
    return response;
  }
}

/** A Server-Timing header's marks, by name (for readers of it). */
export function parseServerTiming(header: string | null | undefined): Record<string, number> {
  const marks: Record<string, number> = {};
  for (const entry of header?.split(',') ?? []) {
    const match = /^\s*([\w-]+);dur=([\d.]+)\s*$/.exec(entry);
    if (match) marks[match[1]!] = Number(match[2]);
  }
  return marks;
}
