/**
 * Every credential the tests use. None may ever appear in what the action prints, outputs or
 * summarises: test/helpers/action.ts passes them to every run as forbidden strings, and
 * test/setup/credential-scan.ts watches the test processes' own output.
 */
export const ACCOUNT_ID = '985e105f4ecef8ad9ca31a8372d0c353';
export const TOKEN = 'cf-test-token-write-5b0e1c7d2a9f4e3b';
export const READ_ONLY_TOKEN = 'cf-test-token-read-8c6d2a9f4e3b5b0e';
export const INVALID_TOKEN = 'cf-test-token-invalid-3c9a1e5b7f';
export const EMAIL = 'ops-credential@example.test';
export const GLOBAL_KEY = 'cf-test-global-key-1e5b7f3a9c';

export const ALL_CREDENTIALS = [TOKEN, READ_ONLY_TOKEN, INVALID_TOKEN, EMAIL, GLOBAL_KEY];
