export { createRequestListener, listenerLimits, type ListenerLimits } from './listener';
export {
  exitOnSignals,
  launch,
  portProblem,
  runMain,
  serveRequests,
  type LauncherConfig,
  type RunningFunction,
} from './server';
