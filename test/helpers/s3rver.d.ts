// s3rver ships no types: the part of its programmatic API that test/helpers/aws-fake-s3.ts uses.
declare module 's3rver' {
  import type { Server } from 'node:http';
  import type { AddressInfo } from 'node:net';

  interface S3rverOptions {
    /** 0 for an ephemeral port. */
    port?: number;
    address?: string;
    silent?: boolean;
    /** Where buckets and objects live, one directory per bucket. */
    directory: string;
    /** Buckets created before `run()` resolves; `configs` are CORS/website XML documents. */
    configureBuckets?: { name: string; configs?: (string | Buffer)[] }[];
    resetOnClose?: boolean;
    /** Let V2-signed requests with a wrong signature through. (V4 signatures are never checked anyway.) */
    allowMismatchedSignatures?: boolean;
    /** Default true: a non-IP, non-localhost Host header is taken as a virtual-host bucket name. */
    vhostBuckets?: boolean;
    serviceEndpoint?: string;
  }

  class S3rver {
    constructor(options: S3rverOptions);
    /** Creates `configureBuckets`, then listens. */
    run(): Promise<AddressInfo>;
    /** `httpServer.close()`: waits for open (keep-alive) connections. */
    close(): Promise<void>;
    /** Set by `run()`. */
    httpServer?: Server;
  }

  export = S3rver;
}
