/**
 * Reads onnxruntime's profile (Chrome trace JSON) into a per-operator-type time account, so a
 * benchmark can say where a step's time goes.
 */
import { platform } from '../platform/index.js';

export interface OperatorAccount {
  /** Operator type → milliseconds per run, largest first. */
  readonly perType: readonly { readonly op: string; readonly ms: number; readonly nodes: number }[];
  /**
   * Each node of the optimised graph (onnxruntime's name, after its fusions) → its median
   * milliseconds over the runs, largest first: a median, so that a run the machine preempted
   * does not move a side's account.
   */
  readonly perNode: readonly { readonly name: string; readonly op: string; readonly ms: number }[];
  /** Sum of kernel times per run, in milliseconds. */
  readonly kernelMs: number;
  readonly runs: number;
}

interface TraceEvent {
  readonly cat: string;
  readonly name: string;
  readonly ts: number;
  readonly dur: number;
  readonly args?: { readonly op_name?: string };
}

/** Operators that run subgraphs: the profile lists the subgraphs' nodes too. */
const CONTROL_FLOW = new Set(['If', 'Loop', 'Scan']);

/**
 * Per-operator-type kernel time of the runs after the first `skipRuns` (warm-up).
 *
 * @example
 * const account = await operatorAccount(session.endProfiling()!, 1);
 */
export async function operatorAccount(profilePath: string, skipRuns = 0): Promise<OperatorAccount> {
  const events = JSON.parse(await platform().files.readText(profilePath)) as TraceEvent[];
  const runs = events.filter((e) => e.cat === 'Session' && e.name === 'model_run').sort((a, b) => a.ts - b.ts);
  const counted = runs.slice(skipRuns);
  const start = counted[0]?.ts ?? Infinity;
  const time = new Map<string, number>();
  const nodes = new Map<string, Set<string>>();
  const perNode = new Map<string, { name: string; op: string; us: number[] }>();
  const runOf = (ts: number) => {
    let i = counted.length - 1;
    while (i > 0 && counted[i].ts > ts) i--;
    return i;
  };
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time') || e.ts < start || !e.args?.op_name) continue;
    if (CONTROL_FLOW.has(e.args.op_name)) continue; // its time is its subgraph's nodes, counted themselves
    const op = e.args.op_name;
    time.set(op, (time.get(op) ?? 0) + e.dur);
    if (!nodes.has(op)) nodes.set(op, new Set());
    nodes.get(op)!.add(e.name);
    const name = e.name.slice(0, -'_kernel_time'.length);
    const node = perNode.get(name) ?? perNode.set(name, { name, op, us: counted.map(() => 0) }).get(name)!;
    node.us[runOf(e.ts)] += e.dur;
  }
  const n = Math.max(1, counted.length);
  const perType = [...time].map(([op, us]) => ({ op, ms: us / n / 1000, nodes: nodes.get(op)!.size })).sort((a, b) => b.ms - a.ms);
  const median = (us: number[]) => [...us].sort((a, b) => a - b)[us.length >> 1];
  const nodeMs = [...perNode.values()].map(({ name, op, us }) => ({ name, op, ms: median(us) / 1000 })).sort((a, b) => b.ms - a.ms);
  return { perType, perNode: nodeMs, kernelMs: perType.reduce((a, b) => a + b.ms, 0), runs: counted.length };
}
