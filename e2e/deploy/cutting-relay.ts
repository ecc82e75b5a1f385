import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { trackPair } from '@/lib/testing/tcp-proxy';

/** Where a relay cut a connection: what the client had received of it by then. */
export interface Cut {
  /** Bytes of the response delivered before the cut. */
  delivered: number;
  /** The cut fell between the bytes of one UTF-8 character. */
  insideCharacter: boolean;
  /** The cut fell inside a server-sent event (after its first byte, before its blank line). */
  insideEvent: boolean;
}

export interface CuttingRelay {
  port: number;
  cuts: Cut[];
  close(): Promise<void>;
}

/**
 * A TCP relay in front of one or more servers (each new connection goes to the next one, as a
 * load balancer would send a reconnect anywhere) that cuts connections: after `cutAfter()` bytes
 * of the server's answer it delivers exactly those bytes and destroys both sides. Infinity: no cut.
 */
export async function startCuttingRelay(targets: number[], cutAfter: () => number): Promise<CuttingRelay> {
  const cuts: Cut[] = [];
  const sockets = new Set<Socket>();
  let next = 0;
  const server: Server = createServer((client) => {
    const upstream = connect(targets[next++ % targets.length]!, '127.0.0.1');
    const limit = cutAfter();
    const received: Buffer[] = [];
    let delivered = 0;
    trackPair(client, upstream, sockets);
    client.pipe(upstream);
    upstream.on('data', (data: Buffer) => {
      const room = limit - delivered;
      const piece = data.length <= room ? data : data.subarray(0, room);
      delivered += piece.length;
      received.push(piece);
      client.write(piece);
      if (delivered < limit) return;
      upstream.destroy();
      client.end(() => client.destroy());
      cuts.push(describeCut(Buffer.concat(received)));
    });
    upstream.on('end', () => client.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    cuts,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function describeCut(bytes: Buffer): Cut {
  const headerEnd = bytes.indexOf('\r\n\r\n');
  const events = headerEnd === -1 ? Buffer.alloc(0) : unchunk(bytes.subarray(headerEnd + 4));
  return {
    delivered: bytes.length,
    insideCharacter: endsInsideCharacter(events),
    insideEvent: events.length > 0 && !events.toString('latin1').endsWith('\n\n'),
  };
}

/** The payload of a chunked HTTP body, as far as it arrived. */
function unchunk(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  while (at < body.length) {
    const lineEnd = body.indexOf('\r\n', at);
    if (lineEnd === -1) break;
    const size = parseInt(body.subarray(at, lineEnd).toString('latin1'), 16);
    if (!size) break;
    parts.push(body.subarray(lineEnd + 2, Math.min(body.length, lineEnd + 2 + size)));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/** Whether the last bytes are the start of a multi-byte UTF-8 character whose other bytes did not come. */
function endsInsideCharacter(bytes: Buffer): boolean {
  for (let back = 1; back <= Math.min(4, bytes.length); back++) {
    const byte = bytes[bytes.length - back]!;
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: keep looking for the lead byte
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return length > back;
  }
  return false;
}
