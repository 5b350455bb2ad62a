export {
  SUPPRESSION_CHANGED_SCHEMA_FILE,
  SUPPRESSION_REASONS,
  suppressionChangedDataSchema,
  suppressionChangedEventType,
  type SuppressionChangedData,
  type SuppressionReason,
} from './schema';
