// What both entries (Node and browser) export besides their own createRemoteBackend.
export { RemoteBackend } from './remote-backend.js';
export { defaultMaxConcurrency, defaultMaxResponseBytes } from './remote-backend-options.js';
export type { RemoteBackendOptions, RemoteEncoding, RemotePlatform, RemoteRunOptions, RemoteTransport } from './remote-backend-options.js';
export type { RemoteLoad } from './remote-endpoint.js';
export type { RemoteStreamOptions } from './remote-stream.js';
export { maxConcurrencyHeader, TransportFailure } from './http-transport.js';
export type { HttpAnswer, HttpTransport, HttpTransportOptions } from './http-transport.js';
export type { HttpStreamResponse } from './http-stream-response.js';
export type { RemoteDispatcher, RemoteTlsOptions, TlsClientSettings } from './remote-tls-options.js';
export type { WebSocketCloseEvent, WebSocketFactory, WebSocketLike, WebSocketOpenEvent } from './websocket-like.js';
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
