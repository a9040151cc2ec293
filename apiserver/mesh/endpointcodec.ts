// endpointcodec.ts: the fragments every FederatedEndpoint's JSON repeats, in the order the
// converter (kinds/pods.ts) writes its fields, so the mesh store keeps each endpoint in about a
// third of its JSON (store/codec.ts).
import { TextCodec } from '../store/codec.js';

const FRAGMENTS = [
  '{"apiVersion":"federated.mesh/v1alpha1","kind":"FederatedEndpoint","metadata":{"name":"',
  ',"hostNetwork":false},"status":{"phase":"Running","ready":true,"stale":false,"observedResourceVersion":"',
  '","namespace":"',
  '","uid":"',
  '","creationTimestamp":"',
  '","labels":{"',
  'federated.mesh/cluster":"',
  'pod-template-hash":"',
  'app.kubernetes.io/',
  '"},"resourceVersion":"',
  '"},"spec":{"cluster":"',
  '","pod":"',
  '","node":"',
  '","serviceAccount":"',
  '","ips":["',
  '"],"ports":[',
  '{"name":"',
  '","port":',
  ',"protocol":"TCP"}',
  ',"hostNetwork":',
  '},"status":{"phase":"',
  '","ready":',
  ',"stale":',
  ',"observedResourceVersion":"',
  '","observedTime":"',
  '"}}',
  'true',
  'false',
  '":"',
  '","',
];

/** endpointCodec compacts the stored JSON of FederatedEndpoints. */
export const endpointCodec = new TextCodec(FRAGMENTS, {
  fragment: '"},"spec":{"cluster":"', // its `"}` closes metadata.resourceVersion and metadata
  keep: 2,
});
