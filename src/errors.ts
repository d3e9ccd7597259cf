/** A failure the user can act on (bad input, a missing store, a name conflict): no stack trace. */
export class ActionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ActionError';
  }
}
