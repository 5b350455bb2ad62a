export {
  FEEDBACK_EVENTS,
  feedbackDataSchema,
  feedbackEventType,
  feedbackSchemaFile,
  type FeedbackData,
  type FeedbackEventName,
} from './schema';
