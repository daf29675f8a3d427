/** The namespace of keys and jobs that name none. */
export const DEFAULT_NAMESPACE = 'default';

/** Where a job goes when neither the submit nor the type's handler names a queue. */
export const DEFAULT_QUEUE = 'default';

/**
 * Where completion callbacks run (docs/queues.md): jobs of their own, in a namespace of the
 * service's, so a tenant's receiver being down never fills the tenant's own queues.
 */
export const CALLBACK_JOB = { namespace: 'conveyor', queue: 'callbacks', type: 'conveyor.callback' } as const;
