/** Masks a mail address for logs: `d***@example.com`. The domain stays, for diagnosing delivery. */
export function maskAddress(address: string): string {
  const at = address.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${address[0]}***${address.slice(at)}`;
}
