/**
 * VERP bounce addresses: send-mail signs each mail's id into its envelope sender, feedback reads it back
 * from a report's envelope recipient, so a bounce correlates to one mail and cannot be forged.
 */
export { verpSettings, verpSpecs } from './settings';
export { createVerp, MAX_LOCAL_PART, type Verp, type VerpConfig } from './tag';
