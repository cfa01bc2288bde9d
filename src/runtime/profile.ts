/**
 * Reads onnxruntime's profile (Chrome trace JSON) into a per-operator-type time account, and
 * optionally the slowest nodes with their input shapes, so a benchmark can say where a step's
 * time goes.
 */
import { platform } from '../platform/index.js';

export interface OperatorAccount {
  /** Operator type → milliseconds per run, largest first. */
  readonly perType: readonly { readonly op: string; readonly ms: number; readonly nodes: number }[];
  /** The slowest nodes (as many as asked for), milliseconds per run, largest first. */
  readonly perNode: readonly NodeTime[];
  /** Sum of kernel times per run, in milliseconds. */
  readonly kernelMs: number;
  readonly runs: number;
}

export interface NodeTime {
  readonly name: string;
  readonly op: string;
  readonly ms: number;
  /** Input shapes, e.g. '16×192×32×32, 48×192×3×3'. */
  readonly inputs: string;
}

interface TraceEvent {
  readonly cat: string;
  readonly name: string;
  readonly ts: number;
  readonly dur: number;
  readonly args?: { readonly op_name?: string; readonly input_type_shape?: readonly Record<string, readonly number[]>[] };
}

/** One input's shape from a trace's {type: dims} entry: '16×192×32×32', or 'scalar'. */
const shapeText = (entry: Record<string, readonly number[]>) => Object.values(entry)[0]?.join('×') || 'scalar';

/** Operators that run subgraphs: the profile lists the subgraphs' nodes too. */
const CONTROL_FLOW = new Set(['If', 'Loop', 'Scan']);

/**
 * Per-operator-type kernel time of the runs after the first `skipRuns` (warm-up), with the
 * `topNodes` slowest nodes.
 *
 * @example
 * const account = await operatorAccount(session.endProfiling()!, 1, 20);
 */
export async function operatorAccount(profilePath: string, skipRuns = 0, topNodes = 0): Promise<OperatorAccount> {
  const events = JSON.parse(await platform().files.readText(profilePath)) as TraceEvent[];
  const runs = events.filter((e) => e.cat === 'Session' && e.name === 'model_run').sort((a, b) => a.ts - b.ts);
  const counted = runs.slice(skipRuns);
  const start = counted[0]?.ts ?? Infinity;
  const time = new Map<string, number>();
  const nodes = new Map<string, Set<string>>();
  const perNode = new Map<string, { name: string; op: string; us: number; inputs: string }>();
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time') || e.ts < start || !e.args?.op_name) continue;
    if (CONTROL_FLOW.has(e.args.op_name)) continue; // its time is its subgraph's nodes, counted themselves
    const op = e.args.op_name;
    time.set(op, (time.get(op) ?? 0) + e.dur);
    if (!nodes.has(op)) nodes.set(op, new Set());
    nodes.get(op)!.add(e.name);
    // Subgraphs (If branches) number their nodes from 0 each: the shapes tell same-named nodes apart.
    const inputs = (e.args.input_type_shape ?? []).map(shapeText).join(', ');
    const key = `${e.name}|${inputs}`;
    const node = perNode.get(key) ?? { name: e.name.replace(/_kernel_time$/, ''), op, us: 0, inputs };
    node.us += e.dur;
    perNode.set(key, node);
  }
  const n = Math.max(1, counted.length);
  const perType = [...time].map(([op, us]) => ({ op, ms: us / n / 1000, nodes: nodes.get(op)!.size })).sort((a, b) => b.ms - a.ms);
  const slowest = [...perNode.values()].map(({ name, op, us, inputs }) => ({ name, op, ms: us / n / 1000, inputs }))
    .sort((a, b) => b.ms - a.ms).slice(0, topNodes);
  return { perType, perNode: slowest, kernelMs: perType.reduce((a, b) => a + b.ms, 0), runs: counted.length };
}
