/**
 * Random hex ids for traces and spans, cut from a pool filled 4 KiB at a time: one randomFillSync per
 * 256 span ids instead of one call into the crypto binding per id (4–5 % of a request's CPU under load).
 * Ids are not secrets; they only need to be unique.
 */
import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let offset = POOL_BYTES;

export function randomHex(bytes: number): string {
  if (offset + bytes > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + bytes);
  offset += bytes;
  return hex;
}
