// Shared printing for benchmarks: every figure is printed beside a baseline measured in the same run.
import { spawnSync } from 'node:child_process';

/** One measured figure, its same-run baseline and the target it is judged against. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  baseline?: { name: string; value: number };
  target?: string;
  /** Whether `value` meets `target` (printed as ok / MISSED). */
  met?: boolean;
}

/** Prints one figure as an aligned line: name, value, baseline, ratio and target verdict. */
export function report(figure: Figure): void {
  const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toFixed(4));
  let line = `${figure.name.padEnd(46)} ${fmt(figure.value).padStart(10)} ${figure.unit.padEnd(6)}`;
  if (figure.baseline) {
    const ratio = figure.baseline.value === 0 ? NaN : figure.value / figure.baseline.value;
    line += `  baseline ${figure.baseline.name}: ${fmt(figure.baseline.value)} ${figure.unit} (x${ratio.toFixed(2)})`;
  }
  if (figure.target) line += `  target ${figure.target}: ${figure.met === false ? 'MISSED' : 'ok'}`;
  console.log(line);
}

/** Runs `fn` `n` times and returns sorted per-call durations in milliseconds. */
export function timeMany(n: number, fn: () => void): number[] {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return samples.sort((a, b) => a - b);
}

/** The p-th percentile (0..100) of sorted samples. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

/** Median wall time (ms) of `node ARGV` for each argv, `runs` rounds taking them in turn (a load spike hits all alike). */
export function coldStartsMs(argvs: readonly string[][], runs: number, cwd: string): number[] {
  const samples = argvs.map((): number[] => []);
  for (let i = 0; i < runs; i++) {
    argvs.forEach((argv, k) => {
      const t0 = process.hrtime.bigint();
      const res = spawnSync(process.execPath, argv, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
      samples[k]!.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (res.status !== 0) throw new Error(`${argv.join(' ')} exited ${String(res.status)}: ${res.stderr.toString()}`);
    });
  }
  return samples.map((xs) => percentile(xs.sort((a, b) => a - b), 50));
}
