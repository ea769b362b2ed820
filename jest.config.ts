import type { Config } from 'jest';

const config: Config = {
    preset: 'ts-jest',
    // The sandbox's benchmark environment and reporter: inert in a normal run; with
    // `npx blueprint snapshot --label X tests/budget.spec.ts` they record the gas of every
    // transaction into .snapshot/, and `npx blueprint test --gas-report tests/budget.spec.ts`
    // prints the difference against the latest snapshot (README "Gas").
    testEnvironment: '@ton/sandbox/jest-environment',
    reporters: ['default', ['@ton/sandbox/jest-reporter', {}]],
    testPathIgnorePatterns: ['/node_modules/', '/dist/'],
    testTimeout: 60000,
    maxWorkers: 2,
};

export default config;
