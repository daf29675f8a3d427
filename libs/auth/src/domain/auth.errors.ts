export class ApiKeyNotFoundError extends Error {
  constructor(readonly keyId: string) {
    super(`no API key has id ${keyId}`);
    this.name = 'ApiKeyNotFoundError';
  }
}

/** A field of a new key that the database clock or a cross-field rule refuses. */
export class InvalidApiKeyFieldError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'InvalidApiKeyFieldError';
  }
}
