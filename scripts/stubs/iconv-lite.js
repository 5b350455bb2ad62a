// Stands in for iconv-lite in the bundles. raw-body requires it at load time but only uses it when asked
// to decode a charset, and the launcher always reads raw bytes; the real tables are 0.5 MB of bundle
// that every cold start would parse for nothing.
'use strict';

function notBundled() {
  throw new Error('iconv-lite is not bundled: read bodies as raw bytes');
}

module.exports = { getDecoder: notBundled, getEncoder: notBundled, decode: notBundled, encode: notBundled, encodingExists: () => false };
