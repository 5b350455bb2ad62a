/**
 * One-click unsubscribe (RFC 8058): send-mail seals who may unsubscribe from what into each broadcast mail's
 * link, records opens it when the mailbox provider POSTs to it.
 */
export { unsubscribeSettings, unsubscribeSpecs } from './settings';
export {
  createOneClickLinks,
  createUnsubscribeTokens,
  MAX_TOKEN_LENGTH,
  UNSUBSCRIBE_PATH_PREFIX,
  unsubscribeUrl,
  type OneClickConfig,
  type OneClickLinks,
  type UnsubscribeTarget,
  type UnsubscribeTokenConfig,
  type UnsubscribeTokens,
} from './token';
