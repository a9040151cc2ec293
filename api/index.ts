// index.ts: fedmesh's API vocabulary: the types of every kind it serves or defines (generated from
// openapi/), their names, and the naming rules. Types and names only, no I/O.
export * from './meta.js';
export * from './names.js';
export type * from './federated/v1alpha1.js';
export type * from './config/v1alpha1.js';
export * from './config/conditions.js';
export * from './token.js';
export * from './config/overlay.js';
export * from './policy.js';
export * from './mcs/v1alpha1.js';
