export { createRequestListener, type ListenerLimits } from './listener';
export { exitOnSignals, launch, runMain, serveRequests, type LauncherConfig, type RunningFunction } from './server';
