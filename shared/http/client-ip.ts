/**
 * Who the client is, for the access log. X-Forwarded-For is written by whoever sends the request, so it
 * is believed only as far as a chain of trusted proxies (TRUSTED_PROXIES) vouches for it: when the socket
 * peer is trusted, the client is the right-most entry that is not; otherwise it is the socket peer.
 */
import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

/** `cidrs` as the config validated them (`address/prefix`); none trusts no proxy at all. */
export function trustedProxies(cidrs: readonly string[] = []): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address = '', prefix = ''] = cidr.split('/');
    list.addSubnet(address, Number(prefix), isIP(address) === 6 ? 'ipv6' : 'ipv4');
  }
  return list;
}

export function clientIp(req: IncomingMessage, trusted: BlockList): string | undefined {
  return clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], trusted);
}

export function clientAddress(
  peer: string | undefined,
  forwardedFor: string | string[] | undefined,
  trusted: BlockList,
): string | undefined {
  const socket = peer === undefined ? undefined : unmapped(peer);
  // Without the header there is nothing to believe: the peer it is, trusted or not (saves a BlockList check per request).
  if (socket === undefined || forwardedFor === undefined || !isTrusted(socket, trusted)) return socket;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : (forwardedFor ?? ''))
    .split(',')
    .map(address)
    .filter((hop) => hop !== '');
  let nearest = socket;
  for (let at = hops.length - 1; at >= 0; at -= 1) {
    const hop = hops[at] ?? '';
    // Not an address: nothing left of it can be vouched for; the nearest hop we trust is all we know.
    if (isIP(hop) === 0) return nearest;
    if (!isTrusted(hop, trusted)) return hop;
    nearest = hop;
  }
  // Every hop is one of ours: the furthest of them is where the request came from.
  return nearest;
}

function isTrusted(ip: string, trusted: BlockList): boolean {
  const family = isIP(ip);
  return family !== 0 && trusted.check(ip, family === 6 ? 'ipv6' : 'ipv4');
}

/** An entry as proxies write it: trimmed, without brackets or an IPv4 port; IPv4-mapped IPv6 as IPv4. */
function address(entry: string): string {
  const trimmed = entry.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(trimmed);
  if (bracketed?.[1] !== undefined) return unmapped(bracketed[1]);
  const withPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(trimmed);
  return unmapped(withPort?.[1] ?? trimmed);
}

function unmapped(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  return mapped?.[1] ?? ip;
}
