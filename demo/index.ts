/**
 * `npm run demo`: the protocol end to end in a local sandbox, no network — governance, the
 * reference worker (worker/) and a client using the SDK (sdk/). The steps are in ./flow.ts.
 */
import { runDemo } from './flow';

const started = Date.now();
runDemo({ rewards: process.env.DEMO_REWARDS !== '0' })
    .then((r) => {
        if (!r.addsUp) throw new Error('balances do not add up');
        if (r.rewards && r.rewards.paid !== r.rewards.expectedShare) throw new Error('the reward paid is not the pro-rata share');
        console.log(`\ndemo completed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    })
    .catch((e) => {
        console.error(`demo failed: ${e instanceof Error ? e.message : e}`);
        process.exit(1);
    });
