/**
 * Test helper: a SASL/PLAIN listener in front of ONE kafka-mock broker, which has no SASL of its own. It parses
 * Kafka frames both ways, forwards ApiVersions (adding SaslHandshake 0–1 and SaslAuthenticate 0–1 to the
 * mock's answer, else kafkajs refuses SASL), answers the SASL requests itself and closes any connection that
 * sends another request before authenticating, as a real SASL listener does. Once authenticated, requests go
 * through unchanged; Metadata responses name the gate instead of the mock broker (its advertised listener), so
 * clients come back through the gate. `legacy: true` leaves SaslAuthenticate out of ApiVersions: clients then
 * send raw SASL tokens after the handshake.
 *
 *   const gate = await startSaslGate({ upstream: mock.brokers[0], username, password });
 *   new Kafka({ brokers: [gate.address], sasl: { mechanism: 'plain', username, password } });
 *
 * Limitation: a gate fronts one broker. With a multi-broker mock, Metadata still names the other brokers' own
 * addresses, so a client reaches those (a producer's partition leaders, say) directly, without SASL.
 */
import * as net from 'node:net';

export interface SaslGateOptions {
  /** The mock broker, host:port. */
  upstream: string;
  username: string;
  password: string;
  /** Advertise SaslHandshake only: clients then send raw SASL tokens (pre-KIP-152 brokers). Default false. */
  legacy?: boolean;
}

export interface SaslGateAttempts {
  succeeded: number;
  failed: number;
  /** Connections that sent a non-SASL request before authenticating. */
  unauthenticated: number;
}

export interface SaslGate {
  /** host:port to give clients as their bootstrap broker. */
  readonly address: string;
  /** Live counters. */
  readonly attempts: SaslGateAttempts;
  close(): Promise<void>;
}

const API = { METADATA: 3, SASL_HANDSHAKE: 17, API_VERSIONS: 18, SASL_AUTHENTICATE: 36 } as const;
const ERR = { UNSUPPORTED_SASL_MECHANISM: 33, ILLEGAL_SASL_STATE: 34, UNSUPPORTED_VERSION: 35, SASL_FAILED: 58 };
/** ApiVersions v0–v2 use plain arrays; v3 is flexible, answered with UNSUPPORTED_VERSION so clients fall back. */
const API_VERSIONS_MAX = 2;
/** Kafka's sasl.server.max.receive.size: a bigger frame before authentication closes the connection. */
const MAX_UNAUTHENTICATED_FRAME = 512 * 1024;

const i16 = (n: number): Buffer => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
const i32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const str = (s: string | null): Buffer =>
  s === null ? i16(-1) : Buffer.concat([i16(Buffer.byteLength(s)), Buffer.from(s)]);
const frame = (...parts: Buffer[]): Buffer => {
  const payload = Buffer.concat(parts);
  return Buffer.concat([i32(payload.length), payload]);
};

interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  /** Where the request body starts (request header v1: no tagged fields). */
  body: number;
}

function readRequestHeader(payload: Buffer): RequestHeader | undefined {
  if (payload.length < 10) return undefined;
  const body = 10 + Math.max(0, payload.readInt16BE(8));
  if (body > payload.length) return undefined;
  return {
    apiKey: payload.readInt16BE(0),
    apiVersion: payload.readInt16BE(2),
    correlationId: payload.readInt32BE(4),
    body,
  };
}

/** Splits a byte stream into size-prefixed frames; yields each frame's payload. */
class FrameReader {
  private buf: Buffer = Buffer.alloc(0);
  push(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
  }
  /** The declared size of the next frame, once its prefix has arrived. */
  nextSize(): number | undefined {
    return this.buf.length >= 4 ? this.buf.readInt32BE(0) : undefined;
  }
  next(): Buffer | undefined {
    const size = this.nextSize();
    if (size === undefined || this.buf.length < 4 + size) return undefined;
    const payload = this.buf.subarray(4, 4 + size);
    this.buf = this.buf.subarray(4 + size);
    return payload;
  }
}

/** The mock's ApiVersions response (v0–v2 layout) with the SASL APIs added after its own entries. */
function withSaslApis(payload: Buffer, legacy: boolean): Buffer {
  const count = payload.readInt32BE(6);
  const end = 10 + count * 6;
  const entries: Buffer[] = [];
  for (let at = 10; at < end; at += 6) {
    const key = payload.readInt16BE(at);
    if (key !== API.SASL_HANDSHAKE && key !== API.SASL_AUTHENTICATE) entries.push(payload.subarray(at, at + 6));
  }
  entries.push(Buffer.concat([i16(API.SASL_HANDSHAKE), i16(0), i16(1)]));
  if (!legacy) entries.push(Buffer.concat([i16(API.SASL_AUTHENTICATE), i16(0), i16(1)]));
  const head = payload.subarray(0, 6); // correlationId, errorCode
  return frame(head, i32(entries.length), ...entries, payload.subarray(end));
}

interface HostPort {
  host: string;
  port: number;
}

/** A Metadata response (v0–v8, not flexible) with `from` among its brokers renamed `to`; the rest is copied. */
function withAdvertisedAddress(payload: Buffer, version: number, from: HostPort, to: HostPort): Buffer {
  let at = version >= 3 ? 8 : 4; // correlationId, then throttle_time_ms from v3
  const count = payload.readInt32BE(at);
  const parts = [payload.subarray(0, (at += 4))];
  for (let i = 0; i < count; i += 1) {
    const nodeId = payload.subarray(at, at + 4);
    const hostLength = payload.readInt16BE(at + 4);
    const host = payload.toString('utf8', at + 6, at + 6 + hostLength);
    const port = payload.readInt32BE(at + 6 + hostLength);
    at += 10 + hostLength;
    const rackLength = version >= 1 ? 2 + Math.max(0, payload.readInt16BE(at)) : 0;
    const rack = payload.subarray(at, (at += rackLength));
    const moved = host === from.host && port === from.port;
    parts.push(nodeId, str(moved ? to.host : host), i32(moved ? to.port : port), rack);
  }
  return frame(...parts, payload.subarray(at));
}

/** PLAIN (RFC 4616): authzid NUL authcid NUL password; authzid empty or the user itself, as Kafka requires. */
function plainTokenMatches(token: Buffer, username: string, password: string): boolean {
  const parts = token.toString('utf8').split('\0');
  if (parts.length !== 3) return false;
  const [authzid, user, pass] = parts;
  return (authzid === '' || authzid === user) && user === username && pass === password;
}

interface GateConfig {
  opts: SaslGateOptions;
  attempts: SaslGateAttempts;
  /** The mock broker, and the gate's own address advertised in its place. */
  upstream: HostPort;
  self: HostPort;
}

/** One client connection and its upstream twin. */
class GateSession {
  /** 'start' → 'handshaken' → 'authenticated'; 'raw-token' after a handshake on the legacy path. */
  private state: 'start' | 'handshaken' | 'raw-token' | 'authenticated' | 'closed' = 'start';
  private readonly fromClient = new FrameReader();
  private readonly fromUpstream = new FrameReader();
  /** correlationId → the request forwarded and not yet answered. */
  private readonly inFlight = new Map<number, { apiKey: number; apiVersion: number }>();
  private readonly opts: SaslGateOptions;
  private readonly attempts: SaslGateAttempts;

  constructor(
    private readonly client: net.Socket,
    private readonly upstream: net.Socket,
    private readonly gate: GateConfig,
  ) {
    this.opts = gate.opts;
    this.attempts = gate.attempts;
    client.on('data', (chunk: Buffer) => this.onClientData(chunk));
    upstream.on('data', (chunk: Buffer) => this.onUpstreamData(chunk));
    for (const socket of [client, upstream]) {
      socket.on('error', () => this.close());
      socket.on('close', () => this.close());
    }
  }

  private onClientData(chunk: Buffer): void {
    this.fromClient.push(chunk);
    // Before authentication, requests are taken one at a time, so local answers keep the response order.
    while (this.state !== 'closed' && (this.state === 'authenticated' || this.inFlight.size === 0)) {
      const size = this.fromClient.nextSize();
      if (this.state !== 'authenticated' && size !== undefined && size > MAX_UNAUTHENTICATED_FRAME) return this.close();
      const payload = this.fromClient.next();
      if (!payload) return;
      try {
        this.onRequest(payload);
      } catch {
        this.close(); // a truncated request: reading it threw a RangeError
      }
    }
  }

  private onUpstreamData(chunk: Buffer): void {
    this.fromUpstream.push(chunk);
    for (;;) {
      const payload = this.fromUpstream.next();
      if (!payload || this.state === 'closed') break;
      if (payload.length < 4) return this.close();
      const correlationId = payload.readInt32BE(0);
      const request = this.inFlight.get(correlationId);
      this.inFlight.delete(correlationId);
      try {
        this.client.write(this.rewrite(payload, request));
      } catch {
        this.close(); // a truncated response: reading it threw a RangeError
      }
    }
    if (this.inFlight.size === 0) this.onClientData(Buffer.alloc(0));
  }

  private rewrite(payload: Buffer, request: { apiKey: number; apiVersion: number } | undefined): Buffer {
    if (request?.apiKey === API.API_VERSIONS) return withSaslApis(payload, this.opts.legacy ?? false);
    if (request?.apiKey === API.METADATA && request.apiVersion <= 8)
      return withAdvertisedAddress(payload, request.apiVersion, this.gate.upstream, this.gate.self);
    return frame(payload);
  }

  private onRequest(payload: Buffer): void {
    if (this.state === 'raw-token') return this.finish(payload, null);
    const header = readRequestHeader(payload);
    if (!header) return this.close();
    if (header.apiKey === API.API_VERSIONS && header.apiVersion > API_VERSIONS_MAX) {
      // v0 layout, listing the versions we can answer, as Kafka does for a version it doesn't know.
      const known = Buffer.concat([i16(API.API_VERSIONS), i16(0), i16(API_VERSIONS_MAX)]);
      this.client.write(frame(i32(header.correlationId), i16(ERR.UNSUPPORTED_VERSION), i32(1), known));
    } else if (this.state === 'authenticated' || header.apiKey === API.API_VERSIONS) {
      this.inFlight.set(header.correlationId, { apiKey: header.apiKey, apiVersion: header.apiVersion });
      this.upstream.write(frame(payload));
    } else if (header.apiKey === API.SASL_HANDSHAKE) {
      this.onHandshake(header, payload);
    } else if (header.apiKey === API.SASL_AUTHENTICATE && this.state === 'handshaken' && header.apiVersion <= 1) {
      const size = payload.readInt32BE(header.body);
      this.finish(payload.subarray(header.body + 4, header.body + 4 + Math.max(0, size)), header);
    } else if (header.apiKey === API.SASL_AUTHENTICATE) {
      this.attempts.failed += 1;
      if (header.apiVersion > 1) return this.close(); // not advertised
      this.reply(header, ERR.ILLEGAL_SASL_STATE, 'SaslAuthenticate before SaslHandshake v1', true);
    } else {
      this.attempts.unauthenticated += 1;
      this.close();
    }
  }

  private onHandshake(header: RequestHeader, payload: Buffer): void {
    const length = payload.readInt16BE(header.body);
    const mechanism = payload.subarray(header.body + 2, header.body + 2 + Math.max(0, length)).toString('utf8');
    if (header.apiVersion > 1) {
      this.attempts.failed += 1;
      return this.close(); // not advertised
    }
    const supported = this.state === 'start' && mechanism === 'PLAIN';
    const errorCode = this.state !== 'start' ? ERR.ILLEGAL_SASL_STATE : supported ? 0 : ERR.UNSUPPORTED_SASL_MECHANISM;
    this.client.write(frame(i32(header.correlationId), i16(errorCode), i32(1), str('PLAIN')));
    if (!supported) {
      this.attempts.failed += 1;
      return this.end();
    }
    // Handshake v0 (and any handshake when SaslAuthenticate is not advertised) is followed by raw tokens.
    this.state = header.apiVersion === 0 || this.opts.legacy ? 'raw-token' : 'handshaken';
  }

  /** Checks the PLAIN token; `header` is the SaslAuthenticate request, null for a raw token. */
  private finish(token: Buffer, header: RequestHeader | null): void {
    const ok = plainTokenMatches(token, this.opts.username, this.opts.password);
    this.attempts[ok ? 'succeeded' : 'failed'] += 1;
    if (ok) this.state = 'authenticated';
    if (header) return this.reply(header, ok ? 0 : ERR.SASL_FAILED, ok ? null : 'Invalid username or password', !ok);
    if (ok)
      this.client.write(i32(0)); // an empty server token
    else this.close(); // the legacy path has no error response: Kafka just closes
  }

  /** A SaslAuthenticate response (v0; v1 adds session_lifetime_ms = 0, i.e. no re-authentication). */
  private reply(header: RequestHeader, errorCode: number, message: string | null, thenEnd: boolean): void {
    const lifetime = header.apiVersion >= 1 ? [Buffer.alloc(8)] : [];
    this.client.write(frame(i32(header.correlationId), i16(errorCode), str(message), i32(0), ...lifetime));
    if (thenEnd) this.end();
  }

  /** Close after the last response is flushed. */
  private end(): void {
    this.state = 'closed';
    this.upstream.destroy();
    this.client.end();
  }

  close(): void {
    this.state = 'closed';
    this.client.destroy();
    this.upstream.destroy();
  }
}

function splitHostPort(address: string): HostPort {
  const at = address.lastIndexOf(':');
  const port = Number(address.slice(at + 1));
  if (at <= 0 || !Number.isInteger(port)) throw new TypeError(`upstream must be host:port, got "${address}"`);
  return { host: address.slice(0, at), port };
}

/** Listen on 127.0.0.1:<ephemeral port> in front of `upstream`. */
export async function startSaslGate(opts: SaslGateOptions): Promise<SaslGate> {
  const upstream = splitHostPort(opts.upstream);
  const gate: GateConfig = {
    opts,
    attempts: { succeeded: 0, failed: 0, unauthenticated: 0 },
    upstream,
    self: upstream,
  };
  const sessions = new Set<GateSession>();
  const server = net.createServer((client) => {
    const session = new GateSession(client, net.connect(upstream), gate);
    sessions.add(session);
    client.once('close', () => sessions.delete(session));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  gate.self = { host: '127.0.0.1', port: (server.address() as net.AddressInfo).port };
  return {
    address: `${gate.self.host}:${gate.self.port}`,
    attempts: gate.attempts,
    close: () =>
      new Promise<void>((resolve) => {
        for (const session of sessions) session.close();
        server.close(() => resolve());
      }),
  };
}
