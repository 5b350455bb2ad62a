/** send-mail's suppression check (issue 29): the list the recorder keeps, read before each send. */
export {
  createSuppressionCheck,
  SUPPRESSION_MODES,
  type CheckOutcome,
  type SuppressionCheck,
  type SuppressionMode,
} from './check';
