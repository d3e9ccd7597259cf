import { CloudflareError } from './cloudflare/errors.js';

/** A failure the user can act on (bad input, a missing store, a name conflict): no stack trace. */
export class ActionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ActionError';
  }
}

/** True for the failures this action expects and explains; anything else is a bug. */
export function isExpectedFailure(error: unknown): error is ActionError | CloudflareError {
  return error instanceof ActionError || error instanceof CloudflareError;
}

/** The message a failure is reported with: what to do for an expected one, "Unexpected" else. */
export function failureText(error: unknown): string {
  if (error instanceof CloudflareError && error.kind === 'deadline') {
    // The client knows only its deadline; the action knows which input sets it.
    return `${error.message} The timeout-seconds input sets that time budget.`;
  }
  if (
    error instanceof CloudflareError &&
    error.status !== undefined &&
    error.status >= 300 &&
    error.status < 400
  ) {
    return `${error.message} Check the api-base-url input.`;
  }
  if (isExpectedFailure(error)) return error.message;
  return `Unexpected error: ${error instanceof Error ? error.message : String(error)}`;
}
