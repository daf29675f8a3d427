import { createHmac } from 'node:crypto';
import { IsDefined, IsObject, IsOptional, IsUrl } from 'class-validator';
import type { ConveyorConfig } from '#conveyor/config';
import { isAllowedTarget } from '#conveyor/jobs';
import { type JobContext, PermanentJobError } from './job-context.js';

export class WebhookPayload {
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  url: string;

  /** Sent as JSON. */
  @IsDefined()
  body: unknown;

  @IsOptional()
  @IsObject()
  headers?: Record<string, string>;
}

export const SIGNATURE_HEADER = 'conveyor-signature';

/**
 * `Conveyor-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. Receivers recompute
 * it with the shared secret and reject stale timestamps, which stops replays.
 */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  const digest = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${digest}`;
}

/**
 * POSTs `payload.body` as JSON to `payload.url`, signed when CONVEYOR_WEBHOOK_SECRET is set, as the
 * attempt of a job (webhook handler, completion callbacks). Only hosts in
 * CONVEYOR_WEBHOOK_ALLOWED_HOSTS are called (a job service that POSTs anywhere is an open proxy into
 * your network). 5xx, 429 and network errors are retried with backoff; other answers outside 2xx are
 * permanent. Redirects are not followed.
 */
export async function deliverWebhook(
  config: ConveyorConfig,
  payload: WebhookPayload,
  context: JobContext,
): Promise<{ status: number }> {
  const url = new URL(payload.url);
  if (!isAllowedTarget(config.webhook.allowedHosts, url)) {
    throw new PermanentJobError(`host ${url.host} is not in CONVEYOR_WEBHOOK_ALLOWED_HOSTS`);
  }
  const body = JSON.stringify(payload.body);
  const headers: Record<string, string> = {
    ...payload.headers,
    'content-type': 'application/json',
    'conveyor-job-id': context.jobId,
    'conveyor-attempt': String(context.attempt),
  };
  const { secret, timeoutMs } = config.webhook;
  if (secret !== undefined)
    headers[SIGNATURE_HEADER] = signWebhook(secret, Math.floor(Date.now() / 1000), body);

  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      body,
      headers,
      redirect: 'manual',
      signal: AbortSignal.any([context.signal, AbortSignal.timeout(timeoutMs)]),
    });
  } catch (error) {
    if (context.signal.aborted) throw context.signal.reason as Error;
    throw new Error(`webhook request failed: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  await response.body?.cancel();
  if (response.status >= 200 && response.status < 300) return { status: response.status };
  if (response.status >= 500 || response.status === 429)
    throw new Error(`webhook answered ${response.status}`);
  throw new PermanentJobError(`webhook answered ${response.status}`);
}
