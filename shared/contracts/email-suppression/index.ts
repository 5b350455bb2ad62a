export {
  SUPPRESSION_CHANGED_SCHEMA_FILE,
  SUPPRESSION_REASONS,
  suppressionChangedDataSchema,
  suppressionChangedEventType,
  suppressionScopeSchema,
  UNSUBSCRIBED_SCHEMA_FILE,
  unsubscribedDataSchema,
  unsubscribedEventType,
  type SuppressionChangedData,
  type SuppressionReason,
  type SuppressionScope,
  type UnsubscribedData,
} from './schema';
