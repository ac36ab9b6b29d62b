import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Timeouts guard against hangs, not speed (bench measures speed): the matrix tests take 15 s on an
    // idle machine and passed 60 s at load 16-22 on this shared VM.
    testTimeout: 240_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // In CI a machine-readable summary too, from which .ci/run prints its closing count line.
    reporters: process.env.CI ? ['default', ['json', { outputFile: 'test-results/vitest.json' }]] : ['default'],
  },
});
