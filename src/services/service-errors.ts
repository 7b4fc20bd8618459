/**
 * Errors the admin services raise for the API to answer: a thing that does not exist (404), a request that
 * conflicts with what is stored (409), a feature that is not set up on this installation (501).
 */

/** The named thing does not exist. */
export class NotFoundError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = 'NotFoundError';
  }
}

/** The request conflicts with stored state (a duplicate name, a run already going). */
export class ConflictError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = 'ConflictError';
  }
}

/** The request is well-formed but asks for something this installation cannot do yet. */
export class NotConfiguredError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = 'NotConfiguredError';
  }
}

/** The request's values are wrong in a way the schema cannot say (a date range backwards, a bad regex). */
export class InvalidInputError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = 'InvalidInputError';
  }
}
