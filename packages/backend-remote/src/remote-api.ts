// What both entries (Node and browser) export besides their own createRemoteBackend.
export { RemoteBackend } from './create-remote-backend.js';
export type { RemoteBackendOptions, RemotePlatform, RemoteRunOptions, RemoteTransport } from './create-remote-backend.js';
export { TransportFailure } from './http-transport.js';
export type { HttpAnswer, HttpTransport, HttpTransportOptions } from './http-transport.js';
export type { WebSocketFactory, WebSocketLike } from './websocket-channel.js';
export { codeOfHttpStatus, httpStatusOf } from '@hybridcompute/core';
export type {
  ComputeErrorBody,
  ComputeRequestBody,
  ComputeSuccessBody,
  TaskListBody,
  WireCallFrame,
  WireCallId,
  WireCancelFrame,
  WireErrorFrame,
  WireResultFrame,
} from '@hybridcompute/core';
