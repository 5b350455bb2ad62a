export { createRequestListener, type ListenerLimits } from './listener';
export { exitOnSignals, launch, runMain, type LauncherConfig, type RunningFunction } from './server';
