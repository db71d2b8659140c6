import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // the bundles bin/ runs, then one real S3 (Ceph RGW) for the whole run, stopped at the end (the S3 tests skip without the ceph packages)
    globalSetup: ['test/global/bundle.ts', 'test/global/rgw.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
