/**
 * Preloaded into a benchmarked child (`node --import ./bench/report-rss.mjs …`): writes the
 * process's peak resident set size in KB to $VOICEBILL_BENCH_RSS as it exits.
 */
import { writeFileSync } from 'node:fs';

const target = process.env.VOICEBILL_BENCH_RSS;
if (target) process.on('exit', () => writeFileSync(target, String(process.resourceUsage().maxRSS)));
