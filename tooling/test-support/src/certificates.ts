export { makeTestCertificates, type KeyPair, type TestCertificates } from './make-test-certificates.js';
