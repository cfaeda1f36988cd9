/**
 * `tsx bench/hotspots.ts <file.cpuprofile> [top]`: the functions with the most self time in a
 * `node --cpu-prof` profile (as written by `npm run bench -- --cpu-prof <dir>`), and the
 * share of time per package, so RESULTS.md can name hot spots without a GUI.
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  children?: number[];
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: tsx bench/hotspots.ts <file.cpuprofile> [top]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[]; samples: number[] };
const hits = new Map<number, number>();
for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
// Shares are of the time the thread was busy: the profile spans the process's whole life,
// most of it idle while the bench loads the other servers.
const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
const total = profile.samples.filter((id) => !idle.has(id)).length;

const byFunction = new Map<string, number>();
const byPackage = new Map<string, number>();
for (const node of profile.nodes) {
  const count = hits.get(node.id) ?? 0;
  if (!count || idle.has(node.id)) continue;
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url.replace(/^file:\/\//, '').replace(/^.*\/work\/main\//, '');
  const key = `${functionName || '(anonymous)'} ${where ? `${where}:${lineNumber + 1}` : ''}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + count);
  const pkg =
    where.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1] ??
    (/^(src|dist)\//.test(where) ? 'gatehouse' : where ? 'node internals' : functionName);
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + count);
}
const show = (title: string, map: Map<string, number>, top: number) => {
  process.stdout.write(`\n${title}\n`);
  for (const [key, count] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(`${((100 * count) / total).toFixed(1).padStart(5)}%  ${key}\n`);
  }
};
// Inclusive time of Gatehouse's own functions (a function counted once per stack).
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const inclusive = new Map<string, number>();
const walk = (id: number, onStack: Set<string>): number => {
  const node = byId.get(id) as Node;
  let sum = idle.has(id) ? 0 : (hits.get(id) ?? 0);
  const { functionName, url, lineNumber } = node.callFrame;
  const key =
    /\/(src|dist)\//.test(url) && !url.includes('node_modules')
      ? `${functionName || '(anonymous)'} ${url.replace(/^.*\/(src|dist)\//, '$1/')}:${lineNumber + 1}`
      : '';
  const fresh = key !== '' && !onStack.has(key);
  if (fresh) onStack.add(key);
  for (const child of node.children ?? []) sum += walk(child, onStack);
  if (fresh) {
    onStack.delete(key);
    inclusive.set(key, (inclusive.get(key) ?? 0) + sum);
  }
  return sum;
};
walk(profile.nodes[0]?.id ?? 1, new Set());
process.stdout.write(`busy samples: ${total} of ${profile.samples.length}\n`);
show('self time by function', byFunction, Number(topArg ?? 25));
show('inclusive time of Gatehouse functions (src/ or dist/)', inclusive, 20);
show('self time by package', byPackage, 15);
