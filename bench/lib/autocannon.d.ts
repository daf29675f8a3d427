// autocannon ships no types, and @types/autocannon is not a dependency: this declares the part of
// autocannon 9's API that bench/lib/load.ts uses, as autocannon.js and lib/ define it.
declare module 'autocannon' {
  namespace autocannon {
    /** One request as `setupRequest` receives and returns it. */
    interface Request {
      method?: string;
      path?: string;
      headers?: Record<string, string>;
      body?: string | Buffer;
    }

    interface Options {
      url: string;
      method?: string;
      connections?: number;
      /** Seconds. */
      duration?: number;
      headers?: Record<string, string>;
      requests?: { setupRequest?: (request: Request) => Request }[];
    }

    /** Percentiles and extremes of one measure over the run. */
    interface Histogram {
      p50: number;
      p99: number;
      max: number;
    }

    interface Result {
      /** Completed requests per second sampled; `total` counts every completed request. */
      requests: Histogram & { total: number; sent: number };
      /** Milliseconds. */
      latency: Histogram;
      errors: number;
      timeouts: number;
    }

    interface Instance {
      /** Every answer, as it arrives. */
      on(
        event: 'response',
        listener: (client: unknown, statusCode: number, resBytes: number, responseTime: number) => void,
      ): this;
    }
  }

  function autocannon(
    options: autocannon.Options,
    callback: (error: Error | null, result: autocannon.Result) => void,
  ): autocannon.Instance;

  export = autocannon;
}
