/** Who client.ip is: the socket peer, unless a trusted proxy vouches for the X-Forwarded-For chain. */
import { composeSettings, ConfigError, loadConfig } from '../../../../shared/config';

/** The common settings alone: TRUSTED_PROXIES is one of them. */
const commonOnly = composeSettings('client-ip-test', []);
import { clientAddress, trustedProxies } from '../../../../shared/http';

const KNATIVE = ['127.0.0.1/32', '::1/128'];
const CLUSTER = [...KNATIVE, '10.0.0.0/8'];

describe('clientAddress', () => {
  it.each([
    {
      name: 'no proxy trusted: the socket peer, whatever X-Forwarded-For says',
      trusted: [],
      peer: '127.0.0.1',
      xff: '203.0.113.7',
      client: '127.0.0.1',
    },
    {
      name: 'no proxy trusted and no X-Forwarded-For',
      trusted: [],
      peer: '198.51.100.4',
      xff: undefined,
      client: '198.51.100.4',
    },
    {
      name: 'a peer that is not trusted: its X-Forwarded-For is ignored',
      trusted: KNATIVE,
      peer: '198.51.100.4',
      xff: '203.0.113.7',
      client: '198.51.100.4',
    },
    {
      name: 'a trusted chain: the right-most entry outside it',
      trusted: CLUSTER,
      peer: '127.0.0.1',
      xff: '203.0.113.7, 10.1.2.3',
      client: '203.0.113.7',
    },
    {
      name: 'a spoofed left-most entry: the address the trusted proxy saw, not the claim',
      trusted: CLUSTER,
      peer: '127.0.0.1',
      xff: '192.0.2.66, 203.0.113.7, 10.1.2.3',
      client: '203.0.113.7',
    },
    {
      name: 'several X-Forwarded-For headers: one list, in order',
      trusted: CLUSTER,
      peer: '127.0.0.1',
      xff: ['192.0.2.66', '203.0.113.7, 10.1.2.3'],
      client: '203.0.113.7',
    },
    {
      name: 'all entries trusted: the furthest of them',
      trusted: CLUSTER,
      peer: '127.0.0.1',
      xff: '10.9.9.9, 10.1.2.3',
      client: '10.9.9.9',
    },
    {
      name: 'a trusted peer without X-Forwarded-For: the peer',
      trusted: KNATIVE,
      peer: '127.0.0.1',
      xff: undefined,
      client: '127.0.0.1',
    },
    {
      name: 'IPv6: a loopback peer and a v6 client',
      trusted: KNATIVE,
      peer: '::1',
      xff: '2001:db8::7',
      client: '2001:db8::7',
    },
    {
      name: 'IPv6: a bracketed entry with a port',
      trusted: KNATIVE,
      peer: '::1',
      xff: '[2001:db8::7]:4711',
      client: '2001:db8::7',
    },
    {
      name: 'an IPv4-mapped peer counts as its IPv4 address',
      trusted: KNATIVE,
      peer: '::ffff:127.0.0.1',
      xff: '203.0.113.7',
      client: '203.0.113.7',
    },
    {
      name: 'an entry that is no address: the nearest trusted hop',
      trusted: CLUSTER,
      peer: '127.0.0.1',
      xff: 'unknown, 10.1.2.3',
      client: '10.1.2.3',
    },
  ])('when $name, then client.ip is $client', ({ trusted, peer, xff, client }) => {
    expect(clientAddress(peer, xff, trustedProxies(trusted))).toBe(client);
  });
});

describe('TRUSTED_PROXIES', () => {
  it.each([
    { name: 'the Knative queue-proxy on loopback', value: '127.0.0.1/32,::1/128', blocks: ['127.0.0.1/32', '::1/128'] },
    { name: 'a bare address', value: '10.0.0.1', blocks: ['10.0.0.1/32'] },
    { name: 'spaces and an empty entry', value: ' 10.0.0.0/8 ,, fd00::/8 ', blocks: ['10.0.0.0/8', 'fd00::/8'] },
  ])('when it is $name, then it loads as $blocks', ({ value, blocks }) => {
    expect(loadConfig(commonOnly, { TRUSTED_PROXIES: value }).TRUSTED_PROXIES).toEqual(blocks);
  });

  it('when it is unset, then no proxy is trusted', () => {
    expect(loadConfig(commonOnly, {}).TRUSTED_PROXIES).toBeUndefined();
  });

  it.each([
    { name: 'a prefix too long for IPv4', value: '10.0.0.0/33' },
    { name: 'a host name', value: 'queue-proxy/32' },
    { name: 'a non-numeric prefix', value: '10.0.0.0/eight' },
    { name: 'two slashes', value: '10.0.0.0/8/8' },
  ])('when it holds $name, then the start is refused with the setting named', ({ value }) => {
    let thrown: unknown;
    try {
      loadConfig(commonOnly, { TRUSTED_PROXIES: value });
    } catch (err) {
      thrown = err;
    }

    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).problems.map((problem) => problem.split(':')[0])).toEqual(['TRUSTED_PROXIES']);
  });
});
