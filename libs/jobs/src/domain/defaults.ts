/** Tenancy arrives with authentication; until then every job lives in this namespace. */
export const DEFAULT_NAMESPACE = 'default';

/** Where a job goes when neither the submit nor the type's handler names a queue. */
export const DEFAULT_QUEUE = 'default';
