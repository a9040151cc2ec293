// index.ts: the kubernetes client pieces the plugin's commands share.
export { apply, describe, loadKube, remove } from './client.js';
export type { ApplyOptions, Kube, Obj } from './client.js';
export { isNotFound, statusError, statusOf } from './status.js';
export { waitFor } from './wait.js';
export { formatDuration, parseDuration } from './duration.js';
export type { Check, WaitOptions } from './wait.js';
export { MESH, condition, getAPIService, getLocalClusterName, listRCCs } from './mesh.js';
export type { Condition, RCC } from './mesh.js';
export { ApiError, request } from './request.js';
export type { Response } from './request.js';
