/** What more than one function knows of the SMTP server: its address setting. */
export { smtpSettings, smtpSpecs } from './settings';
